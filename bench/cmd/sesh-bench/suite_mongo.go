package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/seshgo/sesh/bench/internal/load"
	"github.com/seshgo/sesh/bench/internal/wireproxy"
)

// runMongoSuite starts FerretDB and the counting proxy, measures every
// contestant on them, and stops FerretDB again. It records FerretDB's
// description in m.
func (h *harness) runMongoSuite(ctx context.Context, m *machine) ([]row, error) {
	var err error
	if h.ferret, err = startFerret(ctx, h.cfg, h.bins.ferret, h.work); err != nil {
		return nil, err
	}
	defer h.ferret.proc.Stop()
	m.ferret = h.ferret.describe()
	logf("FerretDB %s at %s (%s handler)", ferretVersion, h.ferret.addr, h.ferret.handler)

	if h.proxy, err = wireproxy.Listen(h.ferret.addr); err != nil {
		return nil, err
	}
	defer h.proxy.Close()
	// Every operation is bounded, so that a FerretDB that stops answering
	// fails the run rather than hanging it.
	opts := options.Client().ApplyURI("mongodb://" + h.ferret.addr + "/").SetTimeout(time.Minute)
	if h.mongo, err = mongo.Connect(opts); err != nil {
		return nil, err
	}
	defer h.mongo.Disconnect(context.Background())

	return runSuite(ctx, h.cfg, func(sys system) ([]row, error) {
		logf("%s: %s", sys.name, sys.about)
		return h.runMongo(ctx, sys)
	})
}

// runMongo measures every path of sys in a fresh database.
func (h *harness) runMongo(ctx context.Context, sys system) ([]row, error) {
	dbName := fmt.Sprintf("sesh_bench_%d_%s", os.Getpid(), sys.name)
	db := h.mongo.Database(dbName)
	coll := db.Collection("sessions")
	if err := db.Drop(ctx); err != nil {
		return nil, fmt.Errorf("dropping %s: %w", dbName, err)
	}
	defer db.Drop(context.Background())
	if err := prepare(ctx, coll, sys.format, h.cfg.seed); err != nil {
		return nil, err
	}
	env := append(sessionEnv(),
		"STORE=mongo",
		"MONGODB_URI=mongodb://"+h.proxy.Addr()+"/",
		"DB="+dbName,
		"COLLECTION=sessions",
	)
	p, g, err := h.start(ctx, sys, mongoSuite, env)
	if err != nil {
		return nil, err
	}
	defer stop(sys, p, g)

	var cookies []string
	if sys.readOnly {
		cookies, err = insertSessions(ctx, coll, h.cfg.sessions)
	} else {
		cookies, err = createSessions(ctx, h.cfg, g)
	}
	if err != nil {
		return nil, err
	}
	if err := h.checkCount(ctx, coll); err != nil {
		return nil, err
	}
	if err := checkRead(ctx, g, cookies[0]); err != nil {
		return nil, err
	}
	return h.measure(ctx, sys, p, g, cookies, h.cfg.duration, true)
}

// createSessions creates -sessions sessions over HTTP, the i-th holding
// user=u<i>, and returns their cookies.
func createSessions(ctx context.Context, cfg config, g *load.Generator) ([]string, error) {
	return g.Sessions(ctx, cfg.sessions, cfg.concurrency, func(i int) string {
		return "/set?k=user&v=u" + strconv.Itoa(i)
	})
}

// checkCount verifies the collection holds the same number of documents
// for every contestant.
func (h *harness) checkCount(ctx context.Context, coll *mongo.Collection) error {
	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		return err
	}
	if want := int64(h.cfg.seed + h.cfg.sessions); n != want {
		return fmt.Errorf("the collection holds %d documents, want %d", n, want)
	}
	return nil
}
