package main

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/seshgo/sesh/bench/internal/serve"
)

// mongoReader runs backend/mongo's findOne, checks the expiry on the
// application's clock and returns the session field. The client lives as
// long as the process.
func mongoReader(env serve.Env) (reader, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(env.MongoURI))
	if err != nil {
		return nil, err
	}
	coll := client.Database(env.Database).Collection(env.Collection)
	return func(ctx context.Context, id string) ([]byte, error) {
		raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, errNotFound
		}
		if err != nil {
			return nil, err
		}
		if exp, err := raw.LookupErr("expires"); err == nil {
			ms, ok := exp.DateTimeOK()
			if !ok || !time.UnixMilli(ms).After(time.Now()) {
				return nil, errNotFound
			}
		}
		text, _ := raw.Lookup("session").StringValueOK()
		return []byte(text), nil
	}, nil
}
