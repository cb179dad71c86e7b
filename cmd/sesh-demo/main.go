// Command sesh-demo is the sesh tour: a small login application that shows
// what sessions are for, one short handler per idea.
//
//	go run ./cmd/sesh-demo
//
// Then open http://127.0.0.1:8080/ in two browsers (or a browser and a
// private window: two "devices"), sign in with the same name in both, and
// look at "Your sessions".
//
// It shows: a visit counter (a value in the session); signing in with a new
// session id (Regenerate, against session fixation), "remember me"
// (SetMaxAge), one-time flash messages (Pop), CSRF tokens kept in the
// session, the list of a user's sessions on every device with "sign out
// everywhere else" (SetOwner, Middleware.Sessions, DestroySessions),
// signing out (Destroy), and a JSON API used with a bearer token instead of
// a cookie.
//
// Sessions are kept in memory unless REDIS_URL, DATABASE_URL or MONGODB_URI
// is set (the first set wins): then they go to Redis under connect-redis's
// keys, to PostgreSQL in connect-pg-simple's "session" table (created if
// missing), or to the "sessions" collection of that MongoDB (or FerretDB)
// database in connect-mongo's format (see backends.go). It listens on
// 127.0.0.1:$PORT (default 8080); set ADDR to listen elsewhere, and
// SESSION_SECRET to keep sessions valid across restarts.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seshgo/sesh/middleware"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, describe, err := openBackend()
	if err != nil {
		return err
	}
	defer closeBackend(store)

	secret := os.Getenv("SESSION_SECRET")
	if secret == "" {
		secret = rand.Text() + rand.Text() // 256 random bits
		slog.Warn("SESSION_SECRET is not set: using a random secret, so sessions end when the demo stops")
	}
	opts := options()
	opts.Backend, opts.Secrets = store, []string{secret}
	sessions, err := middleware.New(opts)
	if err != nil {
		return err
	}

	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:"+cmp.Or(os.Getenv("PORT"), "8080"))
	srv := &http.Server{Addr: addr, Handler: sessions.Handler(routes(sessions)), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	fmt.Printf("sesh tour (%s) on http://%s/\n", describe, addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
