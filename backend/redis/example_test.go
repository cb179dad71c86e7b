package redis_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
	sessredis "github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// Sharing sessions with an Express application configured as
//
//	app.use(sessJSON({
//	  store: new RedisStore({client}), // connect-redis 10: prefix "sess:"
//	  secret: process.env.SESSION_SECRET,
//	  resave: false, saveUninitialized: false,
//	  cookie: {maxAge: 86400000},
//	}))
//
// The same keys ("sess:" + id), values and TTLs. New connects to nothing;
// the Store's client is closed by Close.
func ExampleNew() {
	store, err := sessredis.New(sessredis.Options{
		URL: "redis://localhost:6379/0",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	sessions, err := middleware.New(middleware.Options{
		Backend: store,
		Secrets: []string{os.Getenv("SESSION_SECRET")},
		Cookie:  middleware.Cookie{MaxAge: 24 * time.Hour},
	})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/", sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		views, _ := session.Get[int](s, "views")
		s.Set("views", views+1)
		fmt.Fprintf(w, "views: %d\n", views+1)
	})))
	log.Fatal(http.ListenAndServe(":8080", nil))
}

// A Redis Cluster, by URL: the host and each addr parameter are seed
// nodes.
func ExampleNew_cluster() {
	store, err := sessredis.New(sessredis.Options{
		URL:     "redis://10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000",
		Cluster: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
}

// The application's own client (here Sentinel-managed), with an Express
// app's options: new RedisStore({client, prefix: "myapp:", ttl: 3600}).
// Close leaves the client open.
func ExampleNew_client() {
	client := goredis.NewFailoverClient(&goredis.FailoverOptions{
		MasterName:            "mymaster",
		SentinelAddrs:         []string{"10.0.0.1:26379", "10.0.0.2:26379"},
		ContextTimeoutEnabled: true, // deadlines interrupt network waits
	})
	defer client.Close()
	store, err := sessredis.New(sessredis.Options{
		Client: client,
		Prefix: "myapp:",
		TTL:    time.Hour,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
}

// With the owner index, a user's sessions can be listed, and signed out
// everywhere (the middleware's DestroySessions does this).
func ExampleStore_Owned() {
	store, err := sessredis.New(sessredis.Options{URL: "redis://localhost:6379/0", Owners: true})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	for rec, err := range store.Owned(ctx, "alice") {
		if errors.Is(err, backend.ErrCorrupt) {
			continue // unreadable: skip it
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("signing out", rec.ID, "created", rec.Created)
		if err := store.Destroy(ctx, rec.ID); err != nil {
			log.Fatal(err)
		}
	}
}
