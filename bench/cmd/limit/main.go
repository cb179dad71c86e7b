// Command limit is the upper bound of sesh-bench's read path: a bare
// net/http server that does exactly the database work of sesh's
// backend/mongo Store.Get and nothing else. For each request it takes the
// session id out of the connect.sid cookie without checking the signature,
// runs the same query as Store.Get — findOne({_id: id}) on the sessions
// collection, no projection, bounded by the same 5-second operation
// timeout — checks the document's expires date on the application's
// clock, and answers the stored session text as it is, undecoded.
//
// It reads the environment variables of cmd/sesh-compat (PORT, MONGODB_URI,
// DB, COLLECTION), serves /get and /healthz, listens on 127.0.0.1 and
// prints "listening on PORT" when ready.
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

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

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
	if env.Store != serve.StoreMongo {
		return errors.New("the limit is MongoDB work: STORE must be " + serve.StoreMongo)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(env.MongoURI))
	if err != nil {
		return err
	}
	defer client.Disconnect(context.Background())
	coll := client.Database(env.Database).Collection(env.Collection)

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
		raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			http.Error(w, "no such session", http.StatusNotFound)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if exp, err := raw.LookupErr("expires"); err == nil {
			ms, ok := exp.DateTimeOK()
			if !ok || !time.UnixMilli(ms).After(time.Now()) {
				http.Error(w, "session expired", http.StatusNotFound)
				return
			}
		}
		text, _ := raw.Lookup("session").StringValueOK()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(text))
	})
	return serve.Run(mux, env.Port)
}

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
