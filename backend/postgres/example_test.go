package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/postgres"
)

// A Store from a connection string, creating connect-pg-simple's table if
// it is missing. The Store owns the pool and closes it with Close.
func ExampleNew() {
	store, err := postgres.New(postgres.Options{
		URL:         "postgres://app@localhost:5432/myapp",
		CreateTable: true, // table "session", as connect-pg-simple's createTableIfMissing
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// The middleware drives the Store; by hand, a session is:
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	data := []byte(`{"cookie":{"originalMaxAge":3600000,"expires":"` + exp.UTC().Format("2006-01-02T15:04:05.000Z") + `","httpOnly":true,"path":"/"},"views":1}`)
	if _, err := store.Create(ctx, backend.Record{ID: "sid", Data: data, Expires: exp}); err != nil {
		log.Fatal(err)
	}
	rec, found, err := store.Get(ctx, "sid")
	fmt.Println(found, err, string(rec.Data) == string(data))
}

// Sharing the table of an Express application configured as
//
//	app.use(session({
//	  store: new (require('connect-pg-simple')(session))({
//	    pool,                        // the app's pg.Pool
//	    schemaName: 'auth',
//	    tableName: 'user_sessions',
//	    ttl: 3600,                   // seconds, for cookies without maxAge
//	    pruneSessionInterval: 60,    // seconds
//	  }),
//	  secret: 'keyboard cat', resave: false, saveUninitialized: false,
//	}))
//
// with a pool the Go application owns. Both must connect with the same
// TimeZone setting (see the package documentation).
func Example_sharedWithExpress() {
	pool, err := pgxpool.New(context.Background(), "postgres://app@localhost:5432/myapp")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close() // the Store never closes a pool it was given

	store, err := postgres.New(postgres.Options{
		Pool:          pool,
		Schema:        "auth",
		Table:         "user_sessions",
		TTL:           time.Hour,
		PruneInterval: time.Minute,
		Owners:        true, // add sesh's owner and created columns, which Express ignores
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
}

// New does no I/O: a server that is down at start makes operations fail,
// within OperationTimeout, until it is up; the same Store then works.
func Example_serverDown() {
	store, err := postgres.New(postgres.Options{
		URL:              "postgres://app@127.0.0.1:1/myapp", // nothing listens on port 1
		OperationTimeout: time.Second,
	})
	fmt.Println("New:", err)
	defer store.Close()

	_, _, err = store.Get(context.Background(), "sid")
	fmt.Println("Get failed:", err != nil)
	// Output:
	// New: <nil>
	// Get failed: true
}

// UpdateIf writes only if nobody, sesh or Express, wrote the session since
// it was read; on a conflict, read again and redo the change.
func ExampleStore_UpdateIf() {
	store, err := postgres.New(postgres.Options{URL: "postgres://app@localhost:5432/myapp"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	for {
		rec, found, err := store.Get(ctx, "sid")
		if err != nil || !found {
			log.Fatal("no session: ", err)
		}
		rec.Data = change(rec.Data)
		_, err = store.UpdateIf(ctx, rec)
		if errors.Is(err, backend.ErrConflict) {
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		break
	}
}

func change(data []byte) []byte { return data }
