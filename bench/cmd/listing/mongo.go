package main

import (
	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/mongo"
)

// openMongo opens backend/mongo on the database and collection named,
// with its expiry index left as the store makes it (AutoRemoveNative), and
// the listing's operation timeout.
func openMongo(c config) (backend.Backend, func(), error) {
	s, err := mongo.New(mongo.Options{URI: c.url, Database: c.db, Collection: c.collection, OperationTimeout: opTimeout})
	if err != nil {
		return nil, nil, err
	}
	return s, func() { s.Close() }, nil
}
