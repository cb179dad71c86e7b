package compat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/backend/mongo"
	"github.com/seshgo/sesh/backend/postgres"
	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// Server is the compat server's handler and its backend.
type Server struct {
	Handler http.Handler
	Backend backend.Backend
}

// Close closes the backend.
func (s *Server) Close() error { return closeBackend(s.Backend) }

// New builds the server for c. Errors of the session layer are logged to
// logger.
func New(c Config, logger *slog.Logger) (*Server, error) {
	b, err := openBackend(c, logger)
	if err != nil {
		return nil, err
	}
	opts, err := c.middlewareOptions()
	if err != nil {
		closeBackend(b)
		return nil, err
	}
	opts.Backend = b
	opts.Logger = logger
	opts.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, session.ErrBackend):
			status = http.StatusServiceUnavailable
		case errors.Is(err, session.ErrDestroyed), errors.Is(err, session.ErrContended):
			status = http.StatusConflict
		}
		writeJSON(w, status, map[string]string{"error": err.Error()})
	}
	sessions, err := middleware.New(opts)
	if err != nil {
		closeBackend(b)
		return nil, err
	}
	withSession := http.NewServeMux()
	withSession.HandleFunc("GET /set", set)
	withSession.HandleFunc("GET /get", get)
	withSession.HandleFunc("GET /noop", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	withSession.HandleFunc("GET /regenerate", regenerate)
	withSession.HandleFunc("GET /destroy", destroy)

	mux := http.NewServeMux()
	// Outside the session middleware: these never load or create a session.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		counter, ok := b.(backend.Counter)
		if !ok {
			writeJSON(w, http.StatusNotImplemented, map[string]string{"error": "the backend cannot count"})
			return
		}
		n, err := counter.Len(r.Context())
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"count": n})
	})
	mux.Handle("/", sessions.Handler(withSession))
	return &Server{Handler: mux, Backend: b}, nil
}

// openBackend opens the backend of the first address set: Redis,
// PostgreSQL, MongoDB, or memory when none is. (app.mjs is told its store
// by STORE instead; its callers set one address.)
func openBackend(c Config, logger *slog.Logger) (backend.Backend, error) {
	switch {
	case c.RedisURL != "":
		// connect-redis's layout: REDIS_PREFIX as the key prefix (default
		// sess:), TTL_S for browser-session cookies (default 86,400 s).
		return redis.New(redis.Options{
			URL:              c.RedisURL,
			Prefix:           c.RedisPrefix,
			TTL:              c.TTL,
			OperationTimeout: c.OpTimeout,
		})
	case c.PostgresURL != "":
		return postgres.New(postgres.Options{
			URL:              c.PostgresURL,
			Table:            c.PGTable,
			CreateTable:      true,
			TTL:              c.TTL,
			OperationTimeout: c.OpTimeout,
			Logger:           logger,
		})
	case c.MongoURI != "":
		return openMongo(c, logger)
	}
	return memory.New(memory.Options{TTL: c.TTL}), nil
}

func openMongo(c Config, logger *slog.Logger) (backend.Backend, error) {
	o := mongo.Options{
		URI:                c.MongoURI,
		Database:           c.Database,
		Collection:         c.Collection,
		TTL:                c.TTL,
		Timestamps:         c.Timestamps,
		AutoRemoveInterval: c.RemoveEvery,
		OperationTimeout:   c.OpTimeout,
		Logger:             logger,
	}
	if !c.Stringify && c.CryptoSecret == "" {
		// With a crypto adapter connect-mongo stores the ciphertext as a
		// string whatever stringify says; so does sesh, in FormatString.
		o.Format = mongo.FormatDocument
	}
	switch c.AutoRemove {
	case "", "native":
		o.AutoRemove = mongo.AutoRemoveNative
	case "interval":
		o.AutoRemove = mongo.AutoRemoveInterval
	case "disabled":
		o.AutoRemove = mongo.AutoRemoveDisabled
	default:
		return nil, fmt.Errorf("compat: AUTO_REMOVE must be native, interval or disabled, not %q", c.AutoRemove)
	}
	return mongo.New(o)
}

func closeBackend(b backend.Backend) error {
	if c, ok := b.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// reserved are the keys the Express side refuses with 400.
var reserved = map[string]bool{"cookie": true, "id": true, "req": true}

func set(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	k, v := q.Get("k"), q.Get("v")
	if k == "" || !q.Has("v") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "k and v are required"})
		return
	}
	if reserved[k] {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": k + " is a reserved key"})
		return
	}
	if ms, _ := strconv.Atoi(q.Get("delay_ms")); ms > 0 {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	s := session.FromContext(r.Context())
	if err := s.Set(k, v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "id": s.ID()})
}

func get(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	data, err := s.MarshalJSON()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": s.ID(), "session": json.RawMessage(data)})
}

func regenerate(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	previous := s.ID()
	if err := s.Regenerate(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	s.Set("regenerated", true)
	writeJSON(w, http.StatusOK, map[string]string{"previousId": previous, "id": s.ID()})
}

func destroy(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	id := s.ID()
	if err := s.Destroy(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"destroyed": true, "id": id})
}

// Run listens on 127.0.0.1:c.Port, prints "listening on PORT" to out when
// ready, and serves until ctx is done.
func Run(ctx context.Context, c Config, logger *slog.Logger, out io.Writer) error {
	srv, err := New(c, logger)
	if err != nil {
		return err
	}
	defer srv.Close()
	return serve(ctx, srv.Handler, "127.0.0.1:"+c.Port, out)
}
