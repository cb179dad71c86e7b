package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

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

// logoutRace runs a slow request that started before a sign-out and
// writes after it.
func logoutRace(t *testing.T, mode middleware.Concurrency) (h *harness, slowStatus int) {
	loaded, loggedOut := make(chan struct{}), make(chan struct{})
	h = newHarness(t, middleware.Options{Concurrency: mode}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		switch r.URL.Path {
		case "/slow":
			close(loaded)
			<-loggedOut
			s.Set("cart", []int{1})
		case "/logout":
			if err := s.Destroy(r.Context()); err != nil {
				t.Error(err)
			}
		}
	})
	h.seed("victim", false, `,"user":"ada"`)
	done := make(chan int)
	go func() {
		r, _ := http.NewRequest("GET", "http://example.com/slow", nil)
		done <- h.doRequest(r, h.cookieFor("victim")).Code
	}()
	<-loaded
	r, _ := http.NewRequest("GET", "http://example.com/logout", nil)
	h.doRequest(r, h.cookieFor("victim"))
	close(loggedOut)
	return h, <-done
}

func TestOptimisticLogoutStaysLoggedOut(t *testing.T) {
	h, status := logoutRace(t, middleware.Optimistic)
	if got := h.stored("victim"); got != "" {
		t.Fatalf("the signed-out session was written back: %s", got)
	}
	if status != http.StatusConflict {
		t.Errorf("the slow request got %d, want 409: its change could not be saved", status)
	}
	errs := h.errs.all()
	if len(errs) == 0 || !errors.Is(errs[len(errs)-1], session.ErrDestroyed) {
		t.Errorf("errors %v, want session.ErrDestroyed reported", errs)
	}
}

func TestLastWriteWinsResurrectsSignedOutSession(t *testing.T) {
	h, _ := logoutRace(t, middleware.LastWriteWins)
	if got := h.stored("victim"); !strings.Contains(got, `"user":"ada"`) {
		t.Fatalf("stored %q; the default mode is expected to resurrect the session, as express-session does", got)
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
	rec, _, _ := h.store.Get(context.Background(), id)
	if rec.Version != 2 {
		t.Errorf("version %d after two conditional writes, want 2", rec.Version)
	}
}
