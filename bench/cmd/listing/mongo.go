package main

import (
	"errors"

	"github.com/seshgo/sesh/backend"
)

// openMongo opens backend/mongo.
func openMongo(c config) (backend.Backend, func(), error) {
	return nil, nil, errors.New("backend/mongo: not yet")
}
