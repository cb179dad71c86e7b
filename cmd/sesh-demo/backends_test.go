package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/seshgo/sesh/internal/mongotest"
	"github.com/seshgo/sesh/internal/pgtest"
	"github.com/seshgo/sesh/internal/redistest"
	"github.com/seshgo/sesh/sessiontest"
)

// TestTourOnMongo runs the tour on the backend MONGODB_URI selects, in a
// database of its own.
func TestTourOnMongo(t *testing.T) {
	u, err := url.Parse(mongotest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + mongotest.Database(t, mongotest.Connect(t, u.String())).Name()
	tourOn(t, "MONGODB_URI", u.String(), "MongoDB")
}

// TestTourOnRedis runs the tour on the backend REDIS_URL selects: a
// private redis-server, since the demo uses connect-redis's default keys.
func TestTourOnRedis(t *testing.T) {
	tourOn(t, "REDIS_URL", redistest.Start(t).URL, "Redis")
}

// TestTourOnPostgres runs the tour on the backend DATABASE_URL selects: a
// private PostgreSQL, since the demo uses connect-pg-simple's default
// table.
func TestTourOnPostgres(t *testing.T) {
	db := pgtest.New(t)
	db.Start(t)
	tourOn(t, "DATABASE_URL", db.URL(), "PostgreSQL")
}

// tourOn runs a visit, a sign-in and the sessions page on the backend the
// environment variable env, set to addr, selects.
func tourOn(t *testing.T, env, addr, want string) {
	for _, v := range []string{"REDIS_URL", "DATABASE_URL", "MONGODB_URI"} {
		t.Setenv(v, "")
	}
	t.Setenv(env, addr)
	store, describe, err := openBackend()
	if err != nil {
		t.Fatal(err)
	}
	defer closeBackend(store)
	if !strings.Contains(describe, want) {
		t.Fatalf("%s selected the %s", env, describe)
	}
	opts := options()
	opts.Backend = store
	h := sessiontest.New(t, opts)
	tour := routes(h.Middleware)

	w := h.Serve(tour, httptest.NewRequest("GET", "/", nil), "")
	id := h.ID(w.Result())
	token := value[string](t, h, id, "csrf")
	w = h.Serve(tour, form("/login", url.Values{"name": {"ada"}, "csrf": {token}}), id)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d", w.Code)
	}
	id = h.ID(w.Result())
	w = h.Serve(tour, httptest.NewRequest("GET", "/sessions", nil), id)
	if w.Code != http.StatusOK || strings.Count(w.Body.String(), "(this device)") != 1 {
		t.Fatalf("the sessions page on %s: status %d:\n%s", want, w.Code, w.Body)
	}
	w = h.Serve(tour, httptest.NewRequest("GET", "/", nil), id)
	if !strings.Contains(w.Body.String(), `id="visits">2<`) || !strings.Contains(w.Body.String(), "Signed in as <strong>ada</strong>") {
		t.Fatalf("the second visit on %s: status %d:\n%s", want, w.Code, w.Body)
	}
}
