package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/seshgo/sesh/bench/internal/ops"
	"github.com/seshgo/sesh/bench/internal/wireproxy"
)

// mongoDB is FerretDB behind the counting proxy, with a direct client for
// seeding and checks.
type mongoDB struct {
	h      *harness
	ferret ferret
	proxy  *wireproxy.Proxy
	client *mongo.Client
}

// startMongo starts FerretDB and the proxy.
func (h *harness) startMongo(ctx context.Context) (_ *mongoDB, err error) {
	m := &mongoDB{h: h}
	if m.ferret, err = h.startFerret(ctx); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			m.close()
		}
	}()
	logf("FerretDB %s at %s (%s handler)", ferretVersion, m.ferret.addr, m.ferret.handler)
	if m.proxy, err = wireproxy.Listen(m.ferret.addr); err != nil {
		return nil, err
	}
	// Every operation is bounded, so that a FerretDB that stops answering
	// fails the run rather than hanging it.
	opts := options.Client().ApplyURI("mongodb://" + m.ferret.addr + "/").SetTimeout(5 * time.Minute)
	if m.client, err = mongo.Connect(opts); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *mongoDB) close() {
	if m.client != nil {
		m.client.Disconnect(context.Background())
	}
	if m.proxy != nil {
		m.proxy.Close()
	}
	if m.ferret.proc != nil {
		m.ferret.proc.Stop()
	}
}

// snapshot returns the commands sent through the proxy, by every
// contestant: only the one being measured sends any but upkeep.
func (m *mongoDB) snapshot(context.Context, store) (ops.Counts, error) {
	return m.proxy.Snapshot(), nil
}

func (m *mongoDB) classify(key string) (string, ops.Class) { return ops.Mongo(key) }

// cpu adds FerretDB's CPU time and, with the postgresql handler,
// PostgreSQL's.
func (m *mongoDB) cpu() (time.Duration, error) {
	d, err := m.ferret.proc.CPU()
	if err != nil || m.ferret.handler != "postgresql" || m.h.pg == nil {
		return d, err
	}
	pg, err := m.h.pg.Proc.TreeCPU()
	return d + pg, err
}

// fresh gives sys a database of its own, with a collection of sessions.
// mongodbstore looks sessions up by token and creates no index for it;
// fresh creates a unique one, as a deployment would, so that scs is
// measured at its best.
func (m *mongoDB) fresh(ctx context.Context, sys system) (store, error) {
	name := fmt.Sprintf("sesh_bench_%d_%s", os.Getpid(), sys.name)
	db := m.client.Database(name)
	if err := db.Drop(ctx); err != nil {
		return nil, fmt.Errorf("dropping %s: %w", name, err)
	}
	s := &mongoStore{m: m, db: db, coll: db.Collection("sessions")}
	if sys.layout == scsLayout {
		_, err := s.coll.Indexes().CreateOne(ctx, mongo.IndexModel{
			Keys:    bson.D{{Key: "token", Value: 1}},
			Options: options.Index().SetUnique(true),
		})
		if err != nil {
			return nil, fmt.Errorf("creating the token index: %w", err)
		}
	}
	return s, nil
}

// mongoStore is a contestant's database on FerretDB.
type mongoStore struct {
	m    *mongoDB
	db   *mongo.Database
	coll *mongo.Collection
}

func (s *mongoStore) env() []string {
	return []string{
		"STORE=mongo",
		"MONGODB_URI=mongodb://" + s.m.proxy.Addr() + "/",
		"DB=" + s.db.Name(),
		"COLLECTION=sessions",
	}
}

func (s *mongoStore) put(ctx context.Context, l layout, ids, users []string, expires time.Time) error {
	docs := make([]any, len(ids))
	for i, id := range ids {
		d, err := document(l, id, users[i], expires)
		if err != nil {
			return err
		}
		docs[i] = d
	}
	_, err := s.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	return err
}

func (s *mongoStore) count(ctx context.Context) (int64, error) {
	return s.coll.CountDocuments(ctx, bson.D{})
}

func (s *mongoStore) drop() {
	if err := s.db.Drop(context.Background()); err != nil {
		logf("dropping %s: %v", s.db.Name(), err)
	}
}

// document returns a session holding user in layout l: connect-mongo's
// {_id, session: JSON text, expires, lastModified}, which sesh writes too,
// or mongodbstore's {token, object: gob, expiration: Unix nanoseconds}.
func document(l layout, id, user string, expires time.Time) (any, error) {
	if l == scsLayout {
		object, err := scsData(user, expires)
		if err != nil {
			return nil, err
		}
		return bson.D{
			{Key: "token", Value: id},
			{Key: "object", Value: object},
			{Key: "expiration", Value: expires.UnixNano()},
		}, nil
	}
	return bson.D{
		{Key: "_id", Value: id},
		{Key: "session", Value: sessionJSON(user, expires)},
		{Key: "expires", Value: bson.NewDateTimeFromTime(expires)},
		{Key: "lastModified", Value: bson.NewDateTimeFromTime(expires.Add(-time.Hour))},
	}, nil
}
