// Command scs is the scs contestant of sesh-bench: a net/http server using
// github.com/alexedwards/scs/v2, configured by the environment variables
// of cmd/sesh-compat and serving the same routes with the same meaning.
// STORE picks the store, as interop/node/app.mjs reads it:
//
//   - mongo (the default): mongodbstore on MONGODB_URI, DB, COLLECTION;
//   - redis: goredisstore on REDIS_URL, keys prefixed REDIS_PREFIX
//     (default scs:session:, the store's);
//   - postgres: pgxstore on DATABASE_URL, in the table sessions (the
//     store's fixed name), which must exist;
//   - memory: memstore, no database (sesh-bench's in-memory suite).
//
// The routes:
//
//   - /set?k=KEY&v=VALUE stores VALUE under KEY, creating the session if
//     the request has none;
//   - /get answers the session's values;
//   - /healthz, outside the session middleware.
//
// The session lifetime is MAX_AGE_MS, IdleTimeout is scs's default (0:
// unmodified sessions are never written), and the stores' cleanup
// goroutines are off, like AUTO_REMOVE=disabled on the other contestants
// (Redis expires keys itself). It listens on
// 127.0.0.1 and prints "listening on PORT" when ready.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/mongodbstore"
	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/seshgo/sesh/bench/internal/serve"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "scs:", err)
		os.Exit(1)
	}
}

func run() error {
	env, err := serve.FromEnv()
	if err != nil {
		return err
	}
	store, closeStore, err := openStore(env)
	if err != nil {
		return err
	}
	defer closeStore()

	sm := scs.New()
	sm.Lifetime = env.MaxAge
	sm.Store = store

	withSession := http.NewServeMux()
	withSession.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		k, v := q.Get("k"), q.Get("v")
		if k == "" || !q.Has("v") {
			serve.JSON(w, http.StatusBadRequest, map[string]string{"error": "k and v are required"})
			return
		}
		sm.Put(r.Context(), k, v)
		serve.JSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	withSession.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		values := map[string]any{}
		for _, k := range sm.Keys(r.Context()) {
			values[k] = sm.Get(r.Context(), k)
		}
		serve.JSON(w, http.StatusOK, map[string]any{"session": values})
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		serve.JSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.Handle("/", sm.LoadAndSave(withSession))
	return serve.Run(mux, env.Port)
}

// openStore returns the store env.Store names, with no cleanup goroutine,
// and the function that releases it.
func openStore(env serve.Env) (scs.Store, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	switch env.Store {
	case serve.StoreMemory:
		return memstore.NewWithCleanupInterval(0), func() {}, nil
	case serve.StoreRedis:
		opts, err := redis.ParseURL(env.RedisURL)
		if err != nil {
			return nil, nil, err
		}
		client := redis.NewClient(opts)
		prefix := env.RedisPrefix
		if prefix == "" {
			prefix = "scs:session:"
		}
		return goredisstore.NewWithPrefix(client, prefix), func() { client.Close() }, nil
	case serve.StorePostgres:
		pool, err := pgxpool.New(ctx, env.PostgresURL)
		if err != nil {
			return nil, nil, err
		}
		return pgxstore.NewWithCleanupInterval(pool, 0), pool.Close, nil
	}
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI))
	if err != nil {
		return nil, nil, err
	}
	store := mongodbstore.NewWithConfig(client.Database(env.Database), mongodbstore.Config{
		CollectionName:  env.Collection,
		CleanupInterval: 0,
	})
	return store, func() { client.Disconnect(context.Background()) }, nil
}
