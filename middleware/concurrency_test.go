package middleware_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/internal/backendtest"
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
	store := memory.New(memory.Options{})
	defer store.Close()
	backendtest.KeepsConcurrentChanges(t, store, 50)
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

// TestSignOutAlwaysWins: a request that loaded the session before a
// sign-out never writes it back, in either concurrency mode, with or
// without Resave, whether it changed the session or only read it; and the
// old cookie (perhaps a stolen one) then gets a fresh, empty session. The
// backend packages run the same test on their databases.
func TestSignOutAlwaysWins(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	backendtest.SignOutAlwaysWins(t, store)
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
