// Command limit is the upper bound of sesh-bench's read path: a bare
// net/http server that does the one database read of the read path and
// nothing else. For each request it takes the session id out of the
// connect.sid cookie without checking the signature, reads the session,
// bounded by sesh's backends' 5-second operation timeout, and answers the
// stored session text as it is, undecoded. STORE picks the database, as
// interop/node/app.mjs reads it:
//
//   - mongo (the default): findOne({_id: id}) on MONGODB_URI, DB,
//     COLLECTION, no projection, as backend/mongo's Get, then the
//     document's expires date checked on the application's clock;
//   - redis: GET REDIS_PREFIX+id (default sess:) on REDIS_URL, through
//     go-redis as backend/redis uses it; Redis expires keys itself;
//   - postgres: connect-pg-simple's primary-key SELECT, SELECT sess FROM
//     PG_TABLE WHERE sid = $1 AND expire >= to_timestamp($2), on
//     DATABASE_URL through a pgx pool, as backend/postgres reads.
//
// It reads the environment variables of cmd/sesh-compat, serves /get and
// /healthz, listens on 127.0.0.1 and prints "listening on PORT" when
// ready.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/seshgo/sesh/bench/internal/serve"
)

// opTimeout is backend/mongo's DefaultOperationTimeout.
const opTimeout = 5 * time.Second

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "limit:", err)
		os.Exit(1)
	}
}

func run() error {
	env, err := serve.FromEnv()
	if err != nil {
		return err
	}
	var read reader
	switch env.Store {
	case serve.StoreMongo:
		read, err = mongoReader(env)
	case serve.StoreRedis:
		read, err = redisReader(env)
	case serve.StorePostgres:
		read, err = postgresReader(env)
	default:
		err = errors.New("the limit is database work: STORE must be mongo, redis or postgres")
	}
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		serve.JSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		id := sessionID(r)
		if id == "" {
			http.Error(w, "no session cookie", http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), opTimeout)
		defer cancel()
		text, err := read(ctx, id)
		switch {
		case errors.Is(err, errNotFound):
			http.Error(w, "no such session", http.StatusNotFound)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(text)
	})
	return serve.Run(mux, env.Port)
}

// reader reads the stored session text of id, or fails with errNotFound
// when there is no live session.
type reader func(ctx context.Context, id string) ([]byte, error)

var errNotFound = errors.New("no such session")

// sessionID extracts the id from connect.sid=s%3A<id>.<signature>, without
// verifying the signature.
func sessionID(r *http.Request) string {
	c, err := r.Cookie("connect.sid")
	if err != nil {
		return ""
	}
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	v, ok := strings.CutPrefix(v, "s:")
	if !ok {
		return ""
	}
	if i := strings.LastIndexByte(v, '.'); i >= 0 {
		return v[:i]
	}
	return v
}
