// Package serve runs the HTTP servers of the benchmark's contestants the
// way cmd/sesh-compat runs sesh's: on 127.0.0.1:$PORT, announcing
// "listening on PORT" on standard output once ready, until SIGINT or
// SIGTERM.
package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// The session stores a contestant can keep its sessions in (STORE).
const (
	StoreMongo    = "mongo"    // MongoDB at MONGODB_URI, the default
	StoreMemory   = "memory"   // the library's own in-memory store
	StoreRedis    = "redis"    // Redis at REDIS_URL
	StorePostgres = "postgres" // PostgreSQL at DATABASE_URL
)

// Env is the configuration the contestants share with cmd/sesh-compat and
// interop/node/app.mjs, read from the same environment variables. STORE
// picks the store, as app.mjs reads it (sesh-compat picks by which URL is
// set).
type Env struct {
	Port       string // PORT (default 0: any free port)
	Store      string // STORE: StoreMongo (default), StoreRedis, StorePostgres or StoreMemory
	MongoURI   string // MONGODB_URI, required with StoreMongo
	Database   string // DB, required with StoreMongo
	Collection string // COLLECTION (default sessions)
	RedisURL   string // REDIS_URL, required with StoreRedis
	// RedisPrefix is REDIS_PREFIX, the key prefix; empty means the
	// store's default.
	RedisPrefix string
	PostgresURL string        // DATABASE_URL, required with StorePostgres
	PGTable     string        // PG_TABLE (default session, connect-pg-simple's)
	MaxAge      time.Duration // MAX_AGE_MS (default 1 hour)
}

// FromEnv reads an Env from the process environment.
func FromEnv() (Env, error) {
	e := Env{
		Port:        os.Getenv("PORT"),
		Store:       os.Getenv("STORE"),
		MongoURI:    os.Getenv("MONGODB_URI"),
		Database:    os.Getenv("DB"),
		Collection:  os.Getenv("COLLECTION"),
		RedisURL:    os.Getenv("REDIS_URL"),
		RedisPrefix: os.Getenv("REDIS_PREFIX"),
		PostgresURL: os.Getenv("DATABASE_URL"),
		PGTable:     os.Getenv("PG_TABLE"),
		MaxAge:      time.Hour,
	}
	if e.Port == "" {
		e.Port = "0"
	}
	if e.Collection == "" {
		e.Collection = "sessions"
	}
	if e.Store == "" {
		e.Store = StoreMongo
	}
	if e.PGTable == "" {
		e.PGTable = "session"
	}
	switch e.Store {
	case StoreMongo:
		if e.MongoURI == "" || e.Database == "" {
			return e, errors.New("MONGODB_URI and DB are required")
		}
	case StoreRedis:
		if e.RedisURL == "" {
			return e, errors.New("REDIS_URL is required")
		}
	case StorePostgres:
		if e.PostgresURL == "" {
			return e, errors.New("DATABASE_URL is required")
		}
	case StoreMemory:
	default:
		return e, fmt.Errorf("STORE must be %s, %s, %s or %s, not %q", StoreMongo, StoreRedis, StorePostgres, StoreMemory, e.Store)
	}
	if v := os.Getenv("MAX_AGE_MS"); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms <= 0 {
			return e, fmt.Errorf("MAX_AGE_MS must be a positive integer, not %q", v)
		}
		e.MaxAge = time.Duration(ms) * time.Millisecond
	}
	return e, nil
}

// Run serves h on 127.0.0.1:port until SIGINT or SIGTERM, then shuts down
// gracefully.
func Run(h http.Handler, port string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
	}()
	fmt.Printf("listening on %d\n", l.Addr().(*net.TCPAddr).Port)
	if err := hs.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// JSON writes v as the JSON response with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
