// Package sessiontest is to sessions what net/http/httptest is to
// handlers: it runs a handler behind a real sesh middleware, on an
// in-memory backend unless told otherwise, with the session a test needs,
// and lets the test look at the session afterwards.
//
//	h := sessiontest.New(t, middleware.Options{})
//	id := h.Seed(sessiontest.Session{Values: map[string]any{"user": "ada"}})
//	w := h.Serve(myHandler, httptest.NewRequest("GET", "/account", nil), id)
//	got, _ := h.Lookup(id)
//	var cart []string
//	got.Decode("cart", &cart)
//
// Cookie and ID build and read session cookies for tests that run their
// own middleware.
package sessiontest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// Secret is the secret a Harness signs cookies with when the options give
// none.
const Secret = "sessiontest: not a secret, for tests only"

// Harness runs handlers behind a session middleware. Its methods fail the
// test (t.Fatal) on errors, so they must be called from the test's
// goroutine.
type Harness struct {
	t    testing.TB
	opts middleware.Options

	// Middleware is the middleware the handlers run behind.
	Middleware *middleware.Middleware

	mu   sync.Mutex
	errs []error
}

// New returns a Harness for a middleware configured by opts, whose zero
// fields get test defaults: a memory backend (closed when the test ends),
// Secret, and a Logger writing to the test's output. The errors the
// middleware reports are kept for Errors, and passed on to opts.OnError
// if set.
func New(t testing.TB, opts middleware.Options) *Harness {
	t.Helper()
	if opts.Backend == nil {
		store := memory.New(memory.Options{})
		t.Cleanup(func() { store.Close() })
		opts.Backend = store
	}
	if len(opts.Secrets) == 0 {
		opts.Secrets = []string{Secret}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	h := &Harness{t: t, opts: opts}
	next := opts.OnError
	opts.OnError = func(r *http.Request, err error) {
		h.mu.Lock()
		h.errs = append(h.errs, err)
		h.mu.Unlock()
		if next != nil {
			next(r, err)
		}
	}
	m, err := middleware.New(opts)
	if err != nil {
		t.Fatalf("sessiontest: %v", err)
	}
	h.Middleware = m
	return h
}

// Session is what Seed stores.
type Session struct {
	// Values are stored as the session's values, JSON-encoded.
	Values map[string]any
	// Owner, when set, is attached with session.Session.SetOwner.
	Owner string
	// MaxAge, when set, is the cookie's lifetime (session.Session.SetMaxAge).
	MaxAge time.Duration
}

// Seed stores a new session, through the middleware (so that its codec
// and encryption apply), and returns its id.
func (h *Harness) Seed(s Session) string {
	h.t.Helper()
	var failed error
	seed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := session.FromContext(r.Context())
		for k, v := range s.Values {
			if err := sess.Set(k, v); err != nil {
				failed = err
				return
			}
		}
		if s.Owner != "" {
			failed = sess.SetOwner(s.Owner)
		}
		if failed == nil && s.MaxAge > 0 {
			failed = sess.SetMaxAge(s.MaxAge)
		}
		if failed == nil {
			failed = sess.Save(r.Context())
		}
	})
	path := h.opts.Cookie.Path
	if path == "" {
		path = "/"
	}
	w := h.Serve(seed, httptest.NewRequest("GET", path, nil), "")
	if failed != nil {
		h.t.Fatalf("sessiontest: seeding a session: %v", failed)
	}
	id := h.ID(w.Result())
	if id == "" {
		h.t.Fatalf("sessiontest: seeding a session: status %d and no session cookie", w.Code)
	}
	return id
}

// Serve runs handler behind the middleware for r, with the cookie of
// session id when id is not "", and returns the recorded response.
func (h *Harness) Serve(handler http.Handler, r *http.Request, id string) *httptest.ResponseRecorder {
	h.t.Helper()
	if id != "" {
		r.AddCookie(h.Cookie(id))
	}
	w := httptest.NewRecorder()
	h.Middleware.Handler(handler).ServeHTTP(w, r)
	return w
}

// Lookup returns the stored session id, as the backend holds it after
// the requests served so far; found is false for none.
func (h *Harness) Lookup(id string) (s middleware.SessionInfo, found bool) {
	h.t.Helper()
	s, found, err := h.Middleware.Lookup(context.Background(), id)
	if err != nil {
		h.t.Fatalf("sessiontest: reading session %s: %v", id, err)
	}
	return s, found
}

// Cookie returns a validly signed session cookie for id.
func (h *Harness) Cookie(id string) *http.Cookie {
	return Cookie(h.name(), h.opts.Secrets[0], id)
}

// ID returns the session id the response's Set-Cookie carries, "" if it
// sets none (or clears it).
func (h *Harness) ID(resp *http.Response) string {
	return ID(resp, h.name(), h.opts.Secrets...)
}

// Errors returns the errors the middleware reported so far.
func (h *Harness) Errors() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]error(nil), h.errs...)
}

func (h *Harness) name() string {
	if h.opts.Name == "" {
		return "connect.sid"
	}
	return h.opts.Name
}

// Cookie returns the session cookie a middleware with the given cookie
// name and signing secret sends for session id: for a test that runs its
// own middleware, or checks what an Express application accepts.
func Cookie(name, secret, id string) *http.Cookie {
	return &http.Cookie{Name: name, Value: cookie.EncodeURIComponent("s:" + cookie.NewSigner([]string{secret}).Sign(id)), Path: "/"}
}

// ID returns the session id that resp's Set-Cookie named name carries,
// verified against secrets; "" if there is none, it is cleared, or it is
// not validly signed.
func ID(resp *http.Response, name string, secrets ...string) string {
	if len(secrets) == 0 {
		return ""
	}
	for _, c := range resp.Cookies() {
		if c.Name != name || c.Value == "" {
			continue
		}
		raw, ok := cookie.DecodeURIComponent(c.Value)
		signed, ok2 := strings.CutPrefix(raw, "s:")
		if !ok || !ok2 {
			return ""
		}
		id, valid := cookie.NewSigner(secrets).Unsign(signed)
		if !valid {
			return ""
		}
		return id
	}
	return ""
}
