// Package backendtest runs the middleware's concurrency guarantees against
// a real backend: the tests every backend package calls, so that the
// optimistic mode and "sign-out always wins" are proven on each database,
// not only in memory.
package backendtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
	"github.com/seshgo/sesh/sessiontest"
)

// KeepsConcurrentChanges runs n requests of one session that all load it
// before any of them changes it, each setting its own key, in the
// optimistic mode: every request succeeds and every key is kept.
func KeepsConcurrentChanges(t *testing.T, b backend.Backend, n int) {
	t.Helper()
	var loaded sync.WaitGroup
	loaded.Add(n)
	var conflicts atomic.Int64
	h := sessiontest.New(t, middleware.Options{Backend: b, Concurrency: middleware.Optimistic,
		Observe: func(_ context.Context, e middleware.Event) {
			if e.Outcome == "conflict" {
				conflicts.Add(1)
			}
		}})
	id := h.Seed(sessiontest.Session{Values: map[string]any{"user": "ada"}})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		loaded.Done()
		loaded.Wait() // every request has read the same version
		if err := s.Set(r.URL.Query().Get("k"), true); err != nil {
			t.Error(err)
		}
	})
	statuses := make([]int, n)
	var done sync.WaitGroup
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			r := httptest.NewRequest("GET", fmt.Sprintf("/?k=key%d", i), nil)
			statuses[i] = h.Serve(handler, r, id).Code
		}()
	}
	done.Wait()
	for i, code := range statuses {
		if code != http.StatusOK {
			t.Errorf("request %d: status %d", i, code)
		}
	}
	got, found := h.Lookup(id)
	if !found {
		t.Fatal("the session is gone")
	}
	keys := got.Keys()
	for i := range n {
		if !slices.Contains(keys, fmt.Sprintf("key%d", i)) {
			t.Errorf("key%d lost; the session holds %v", i, keys)
		}
	}
	if !slices.Contains(keys, "user") {
		t.Error("the original data was lost")
	}
	if errs := h.Errors(); len(errs) != 0 {
		t.Errorf("errors reported: %v", errs)
	}
	t.Logf("%d overlapping requests, %d conflicting writes retried", n, conflicts.Load())
}

// SignOutAlwaysWins runs a slow request that loads the session before a
// sign-out in another request and ends after it, in both concurrency
// modes, with and without Resave, writing a change or only reading: the
// signed-out session is never written back, a change is refused (409) and
// the old cookie then opens a fresh, empty session. A backend without
// conditional writes runs the last-write-wins cases only.
func SignOutAlwaysWins(t *testing.T, b backend.Backend) {
	modes := []middleware.Concurrency{middleware.LastWriteWins}
	if _, ok := b.(backend.ConditionalUpdater); ok {
		modes = append(modes, middleware.Optimistic)
	}
	for _, mode := range modes {
		for _, resave := range []bool{false, true} {
			for _, writes := range []bool{true, false} {
				name := fmt.Sprintf("optimistic=%v/resave=%v/writes=%v", mode == middleware.Optimistic, resave, writes)
				t.Run(name, func(t *testing.T) {
					signOutRace(t, b, middleware.Options{Backend: b, Concurrency: mode, Resave: resave, Cookie: middleware.Cookie{MaxAge: time.Hour}}, writes)
				})
			}
		}
	}
}

func signOutRace(t *testing.T, b backend.Backend, opts middleware.Options, writes bool) {
	h := sessiontest.New(t, opts)
	id := h.Seed(sessiontest.Session{Values: map[string]any{"user": "ada"}})
	loaded, signedOut := make(chan struct{}), make(chan struct{})
	slowHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		close(loaded)
		<-signedOut
		if writes {
			if err := s.Set("cart", []int{1}); err != nil {
				t.Error(err)
			}
		}
	})
	signOut := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).Destroy(r.Context()); err != nil {
			t.Error(err)
		}
	})
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- h.Serve(slowHandler, httptest.NewRequest("GET", "/slow", nil), id) }()
	<-loaded
	h.Serve(signOut, httptest.NewRequest("GET", "/signout", nil), id)
	close(signedOut)
	slow := <-done

	if _, found, err := b.Get(context.Background(), id); found || err != nil {
		t.Fatalf("the signed-out session was written back (found %v, %v)", found, err)
	}
	switch {
	case writes && slow.Code != http.StatusConflict:
		t.Errorf("the slow request that changed the session got %d, want 409: its change was not saved", slow.Code)
	case !writes && slow.Code != http.StatusOK:
		t.Errorf("the slow read-only request got %d, want 200: nothing was lost", slow.Code)
	}
	if writes {
		if errs := h.Errors(); len(errs) == 0 || !errors.Is(errs[len(errs)-1], session.ErrDestroyed) {
			t.Errorf("errors %v, want session.ErrDestroyed reported", errs)
		}
	}
	if c := slow.Header().Get("Set-Cookie"); !strings.Contains(c, "Expires=Thu, 01 Jan 1970") {
		t.Errorf("the slow request's Set-Cookie is %q, want the cookie cleared", c)
	}
	var isNew bool
	var keys []string
	h.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		isNew, keys = s.IsNew(), s.Keys()
	}), httptest.NewRequest("GET", "/", nil), id)
	if !isNew || len(keys) != 0 {
		t.Errorf("the old cookie got a session with new=%v keys=%v, want a fresh empty one", isNew, keys)
	}
	if _, found, _ := b.Get(context.Background(), id); found {
		t.Error("a record came back under the old id")
	}
}
