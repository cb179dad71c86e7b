package main

import (
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/mongo"
)

// openMongo stores sessions in the "sessions" collection of the database
// named in uri (default "sesh_demo"), in connect-mongo's format. The
// connection is made lazily: while the server is down, requests fail with
// 503, and they succeed again when it is back.
func openMongo(uri string) (backend.Backend, string, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return nil, "", err
	}
	db := cs.Database
	if db == "" {
		db = "sesh_demo"
	}
	store, err := mongo.New(mongo.Options{URI: uri, Database: db})
	if err != nil {
		return nil, "", err
	}
	return store, "MongoDB backend, database " + db, nil
}
