package main

import (
	"fmt"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/backend/postgres"
	"github.com/seshgo/sesh/backend/redis"
)

// opTimeout bounds each of the backends' operations. It is longer than
// their 5-second default: a count or a page of a listing on a large store
// (FerretDB counts by scanning) is what is being measured, not a request
// to answer quickly.
const opTimeout = 2 * time.Minute

// open opens the backend c names, with its owner index on, and returns the
// function that closes it.
func open(c config) (backend.Backend, func(), error) {
	switch c.backend {
	case "memory":
		s := memory.New(memory.Options{MaxSessions: -1, SweepInterval: -1})
		return s, func() { s.Close() }, nil
	case "redis":
		s, err := redis.New(redis.Options{URL: c.url, Prefix: c.prefix, Owners: true, OperationTimeout: opTimeout})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case "postgres":
		s, err := postgres.New(postgres.Options{URL: c.url, Table: c.table, Owners: true, PruneInterval: -1, OperationTimeout: opTimeout})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case "mongo":
		return openMongo(c)
	}
	return nil, nil, fmt.Errorf("-backend must be memory, redis, postgres or mongo, not %q", c.backend)
}
