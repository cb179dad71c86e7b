package main

import (
	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
)

// openRedis stores sessions in Redis under connect-redis's keys (sess:<id>),
// with the owner index on, for the "your sessions" page.
func openRedis(url string) (backend.Backend, string, error) {
	store, err := redis.New(redis.Options{URL: url, Owners: true})
	if err != nil {
		return nil, "", err
	}
	return store, "Redis backend", nil
}
