// Command ferretdb runs FerretDB v1.24.0, a MongoDB wire-protocol server
// written in Go, embedded in this small program. sesh's test command uses it
// as a real Mongo-compatible server on machines with no MongoDB and no
// Docker.
//
// It listens on loopback, prints one line
//
//	MONGODB_URI=mongodb://127.0.0.1:PORT/
//
// when it accepts connections, and runs until it receives SIGINT or SIGTERM.
//
// Usage:
//
//	ferretdb -handler sqlite -dir DIR [-listen 127.0.0.1:0]
//	ferretdb -handler postgresql -postgresql-url postgres://root@127.0.0.1:5432/test
//
// This module has its own go.mod so that FerretDB's dependencies stay out
// of sesh's.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	handler := flag.String("handler", "sqlite", "storage handler: sqlite or postgresql")
	dir := flag.String("dir", "", "directory of the SQLite databases (sqlite handler)")
	pgURL := flag.String("postgresql-url", "postgres://root@127.0.0.1:5432/test", "PostgreSQL URL (postgresql handler)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	logLevel := flag.String("log-level", "error", "log level: debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level: %v", err)
	}
	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
		Handler:  *handler,
	}
	switch *handler {
	case "sqlite":
		if *dir == "" {
			fail("-dir is required with the sqlite handler")
		}
		abs, err := filepath.Abs(*dir)
		if err != nil {
			fail("%v", err)
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			fail("%v", err)
		}
		cfg.SQLiteURL = "file:" + abs + "/"
	case "postgresql":
		cfg.PostgreSQLURL = *pgURL
	default:
		fail("unknown -handler %q", *handler)
	}

	f, err := ferretdb.New(cfg)
	if err != nil {
		fail("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()

	uri := f.MongoDBURI()
	if err := waitReady(ctx, uri); err != nil {
		fail("FerretDB did not start: %v", err)
	}
	fmt.Printf("MONGODB_URI=%s\n", uri)
	<-done
}

// waitReady waits until the listener accepts TCP connections.
func waitReady(ctx context.Context, uri string) error {
	host := uri[len("mongodb://"):]
	host = host[:len(host)-1]
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb: "+format+"\n", args...)
	os.Exit(2)
}
