package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// overlapping runs n requests of one session whose handlers all load the
// session before any of them changes it, then each sets its own key.
func overlapping(t *testing.T, mode middleware.Concurrency, n int) (h *harness, statuses []int) {
	var loaded sync.WaitGroup
	loaded.Add(n)
	h = newHarness(t, middleware.Options{Concurrency: mode}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		loaded.Done()
		loaded.Wait() // every request has read the same version
		s.Set(r.URL.Query().Get("k"), true)
	})
	h.seed("shared", false, `,"user":"ada"`)
	statuses = make([]int, n)
	var done sync.WaitGroup
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			r, _ := http.NewRequest("GET", fmt.Sprintf("http://example.com/?k=key%d", i), nil)
			statuses[i] = h.doRequest(r, h.cookieFor("shared")).Code
		}()
	}
	done.Wait()
	return h, statuses
}

func storedKeys(t *testing.T, h *harness, id string) map[string]bool {
	p, err := codec.JSON.Decode([]byte(h.stored(id)))
	if err != nil {
		t.Fatalf("stored session: %v", err)
	}
	keys := map[string]bool{}
	for _, v := range p.Values {
		keys[v.Key] = true
	}
	return keys
}

func TestOptimisticKeepsEveryConcurrentChange(t *testing.T) {
	const n = 50
	h, statuses := overlapping(t, middleware.Optimistic, n)
	for i, code := range statuses {
		if code != 200 {
			t.Errorf("request %d: status %d", i, code)
		}
	}
	keys := storedKeys(t, h, "shared")
	for i := range n {
		if !keys[fmt.Sprintf("key%d", i)] {
			t.Errorf("key%d lost", i)
		}
	}
	if !keys["user"] {
		t.Error("the original data was lost")
	}
}

func TestLastWriteWinsLosesConcurrentChanges(t *testing.T) {
	// The express-compatible default: of 50 overlapping requests, the last
	// to save overwrites the others. This documents the loss the Optimistic
	// mode prevents.
	const n = 50
	h, _ := overlapping(t, middleware.LastWriteWins, n)
	keys := storedKeys(t, h, "shared")
	if got := len(keys) - 1; got != 1 {
		t.Errorf("%d of %d keys survived, want exactly 1 (last write wins)", got, n)
	}
}

// signOutRace runs a slow request that loads the session before a
// sign-out in another request and ends after it: writing a change, or
// only reading.
func signOutRace(t *testing.T, opts middleware.Options, writes bool) (h *harness, slow *httptest.ResponseRecorder) {
	loaded, signedOut := make(chan struct{}), make(chan struct{})
	h = newHarness(t, opts, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		switch r.URL.Path {
		case "/slow":
			close(loaded)
			<-signedOut
			if writes {
				if err := s.Set("cart", []int{1}); err != nil {
					t.Error(err)
				}
			}
		case "/signout":
			if err := s.Destroy(r.Context()); err != nil {
				t.Error(err)
			}
		}
	})
	h.seed("victim", true, `,"user":"ada"`)
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		r, _ := http.NewRequest("GET", "http://example.com/slow", nil)
		done <- h.doRequest(r, h.cookieFor("victim"))
	}()
	<-loaded
	r, _ := http.NewRequest("GET", "http://example.com/signout", nil)
	h.doRequest(r, h.cookieFor("victim"))
	close(signedOut)
	return h, <-done
}

// TestSignOutAlwaysWins: a request that loaded the session before a
// sign-out never writes it back, in either concurrency mode, with or
// without Resave, whether it changed the session or only read it; and the
// old cookie (perhaps a stolen one) then gets a fresh, empty session.
func TestSignOutAlwaysWins(t *testing.T) {
	for _, mode := range []middleware.Concurrency{middleware.LastWriteWins, middleware.Optimistic} {
		for _, resave := range []bool{false, true} {
			for _, writes := range []bool{true, false} {
				name := fmt.Sprintf("mode=%d/resave=%v/writes=%v", mode, resave, writes)
				t.Run(name, func(t *testing.T) {
					opts := middleware.Options{Concurrency: mode, Resave: resave, Cookie: middleware.Cookie{MaxAge: time.Hour}}
					h, slow := signOutRace(t, opts, writes)
					if got := h.stored("victim"); got != "" {
						t.Fatalf("the signed-out session was written back: %s", got)
					}
					if n, _ := h.store.Len(context.Background()); n != 0 {
						t.Fatalf("%d records stored after the race, want none", n)
					}
					header, _ := h.sessionCookie(slow)
					if writes {
						if slow.Code != http.StatusConflict {
							t.Errorf("the slow request that changed the session got %d, want 409: its change was not saved", slow.Code)
						}
						if errs := h.errs.all(); len(errs) == 0 || !errors.Is(errs[len(errs)-1], session.ErrDestroyed) {
							t.Errorf("errors %v, want session.ErrDestroyed reported", errs)
						}
					} else if slow.Code != http.StatusOK {
						t.Errorf("the slow read-only request got %d, want 200: nothing was lost", slow.Code)
					}
					if !strings.Contains(header, "Expires=Thu, 01 Jan 1970") {
						t.Errorf("the slow request's Set-Cookie is %q, want the cookie cleared", header)
					}
					// The old cookie now opens an empty session under a new id.
					var isNew bool
					var keys []string
					h.handler = h.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						s := session.FromContext(r.Context())
						isNew, keys = s.IsNew(), s.Keys()
					}))
					h.do(h.cookieFor("victim"))
					if !isNew || len(keys) != 0 {
						t.Errorf("the old cookie got a session with new=%v keys=%v, want a fresh empty one", isNew, keys)
					}
				})
			}
		}
	}
}

func TestOptimisticSavesExplicitlyThenAtEnd(t *testing.T) {
	h := newHarness(t, middleware.Options{Concurrency: middleware.Optimistic}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("a", 1)
		if err := s.Save(r.Context()); err != nil {
			t.Errorf("Save: %v", err)
		}
		s.Set("b", 2)
	})
	w := h.do("")
	_, id := h.sessionCookie(w)
	if w.Code != 200 || !strings.Contains(h.stored(id), `"a":1,"b":2`) {
		t.Errorf("status %d stored %s", w.Code, h.stored(id))
	}
	// The second write is conditional on the token of the first.
	if got := h.rec.Methods(); got != "create updateif" {
		t.Errorf("backend calls %q, want create then updateif", got)
	}
}
