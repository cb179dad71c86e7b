package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/seshgo/sesh/internal/mongotest"
	"github.com/seshgo/sesh/sessiontest"
)

// TestTourOnMongo runs the tour on the backend MONGODB_URI selects, in a
// database of its own: a visit, a sign-in, and the sessions page.
func TestTourOnMongo(t *testing.T) {
	u, err := url.Parse(mongotest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + mongotest.Database(t, mongotest.Connect(t, u.String())).Name()
	t.Setenv("MONGODB_URI", u.String())
	store, describe, err := openBackend(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer closeBackend(store)
	if !strings.Contains(describe, "MongoDB") {
		t.Fatalf("MONGODB_URI selected the %s", describe)
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
		t.Fatalf("the sessions page on MongoDB: status %d:\n%s", w.Code, w.Body)
	}
	w = h.Serve(tour, httptest.NewRequest("GET", "/", nil), id)
	if !strings.Contains(w.Body.String(), `id="visits">2<`) || !strings.Contains(w.Body.String(), "Signed in as <strong>ada</strong>") {
		t.Fatalf("the second visit on MongoDB: status %d:\n%s", w.Code, w.Body)
	}
}
