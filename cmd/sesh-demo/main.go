// Command sesh-demo is a small web application using sesh: sign in with a
// name, watch a visit counter, sign out.
//
//	go run ./cmd/sesh-demo
//
// It keeps sessions in memory unless MONGODB_URI is set, in which case they
// go to the "sessions" collection of that MongoDB (or FerretDB) database,
// in connect-mongo's format. It listens on 127.0.0.1:$PORT (default 8080);
// set ADDR to listen elsewhere, and SESSION_SECRET to keep sessions valid
// across restarts.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, describe, err := openBackend(ctx)
	if err != nil {
		return err
	}
	defer closeBackend(store)

	secret := os.Getenv("SESSION_SECRET")
	if secret == "" {
		secret = randomSecret()
		slog.Warn("SESSION_SECRET is not set: using a random secret, so sessions end when the demo stops")
	}
	sessions, err := middleware.New(middleware.Options{
		Backend: store,
		Secrets: []string{secret},
		Cookie:  middleware.Cookie{MaxAge: 24 * time.Hour},
	})
	if err != nil {
		return err
	}

	addr := os.Getenv("ADDR")
	if addr == "" {
		port := os.Getenv("PORT")
		if port == "" {
			port = "8080"
		}
		addr = "127.0.0.1:" + port
	}
	srv := &http.Server{Addr: addr, Handler: sessions.Handler(routes()), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	fmt.Printf("sesh demo (%s) on http://%s/\n", describe, addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func closeBackend(b backend.Backend) {
	if c, ok := b.(interface{ Close() error }); ok {
		c.Close()
	}
}

func randomSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

// routes returns the demo's pages; they expect the session middleware.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", home)
	mux.HandleFunc("POST /login", login)
	mux.HandleFunc("POST /logout", logout)
	return mux
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sesh demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .2rem}button,input{font:inherit}</style></head>
<body>
<h1>sesh demo</h1>
{{if .Flash}}<p><em>{{.Flash}}</em></p>{{end}}
{{if .User}}
<p>Signed in as <strong>{{.User}}</strong>.</p>
<p>You have visited this page <strong id="visits">{{.Visits}}</strong> times in this session.</p>
<form method="post" action="/logout"><button>Sign out</button></form>
{{else}}
<p>You have visited this page <strong id="visits">{{.Visits}}</strong> times.</p>
<form method="post" action="/login">
<label>Name <input name="name" required maxlength="40" autofocus></label>
<button>Sign in</button></form>
{{end}}
<p><small>Session <code>{{.ID}}</code>, stored as express-session JSON.</small></p>
</body></html>`))

func home(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	visits, _ := session.Get[int](s, "visits")
	visits++
	s.Set("visits", visits)
	user, _ := session.Get[string](s, "user")
	flash, _ := session.Pop[string](s, "flash")
	data := struct {
		User, Flash, ID string
		Visits          int
	}{user, flash, s.ID(), visits}
	// The session is saved when the page starts to be written.
	if err := page.Execute(w, data); err != nil {
		slog.Error("rendering the page", "err", err)
	}
}

func login(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.FormValue("name"))
	if name == "" || len(name) > 40 {
		http.Error(w, "a name of 1 to 40 characters, please", http.StatusBadRequest)
		return
	}
	s := session.FromContext(r.Context())
	// A new id at sign-in defeats session fixation.
	if err := s.Regenerate(r.Context()); err != nil {
		http.Error(w, "could not sign in", http.StatusServiceUnavailable)
		return
	}
	s.Set("user", name)
	s.Set("flash", "Welcome, "+name+"!")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func logout(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	if err := s.Destroy(r.Context()); err != nil {
		http.Error(w, "could not sign out", http.StatusServiceUnavailable)
		return
	}
	s.Set("flash", "Signed out.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// openBackend returns the in-memory backend, or MongoDB when MONGODB_URI is
// set.
func openBackend(ctx context.Context) (backend.Backend, string, error) {
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		return openMongo(ctx, uri)
	}
	return memory.New(memory.Options{}), "memory backend", nil
}
