package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

func TestReloadOfCorruptRecordGivesFreshSession(t *testing.T) {
	var h *harness
	var reloadErr error
	var keys []string
	h = newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		// Another writer leaves the record unreadable meanwhile.
		rec, _, _ := h.store.Get(r.Context(), "s")
		rec.Data = []byte(`{"cookie":`)
		h.store.Update(r.Context(), rec)
		reloadErr = s.Reload(r.Context())
		keys = s.Keys()
	})
	h.seed("s", false, `,"user":"ada"`)
	w := h.do(h.cookieFor("s"))
	if reloadErr != nil || len(keys) != 0 {
		t.Errorf("Reload of a corrupt record: %v, keys %v; want a fresh, empty session and no error", reloadErr, keys)
	}
	if errs := h.errs.all(); len(errs) != 1 || !errors.Is(errs[0], session.ErrCorrupt) {
		t.Errorf("OnError got %v, want the corrupt record reported", errs)
	}
	var se *session.Error
	if errs := h.errs.all(); len(errs) == 1 && (!errors.As(errs[0], &se) || se.Op != "reload") {
		t.Errorf("the report is %v, want a *session.Error with Op reload", errs[0])
	}
	if w.Code != http.StatusOK {
		t.Errorf("status %d", w.Code)
	}
	if h.stored("s") != `{"cookie":` {
		t.Error("the corrupt record was changed")
	}
}

func TestOptimisticRetryOnCorruptRecordStartsFresh(t *testing.T) {
	// The conditional write loses a race against a writer that leaves the
	// record unreadable: the re-read finds it corrupt, and the request's
	// own change goes to a fresh session, as a load would have done.
	h := newHarness(t, middleware.Options{Concurrency: middleware.Optimistic}, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("cart", []int{1})
	})
	h.seed("s", false, `,"user":"ada"`)
	h.rec.SetBefore("updateif", func() {
		h.rec.SetBefore("updateif", nil)
		rec, _, _ := h.store.Get(context.Background(), "s")
		rec.Data = []byte(`not json`)
		h.store.Update(context.Background(), rec)
	})
	w := h.do(h.cookieFor("s"))
	_, id := h.sessionCookie(w)
	if w.Code != http.StatusOK || id == "" || id == "s" {
		t.Fatalf("status %d, new id %q; want 200 and the change moved to a fresh session (calls %q, errors %v)", w.Code, id, h.rec.Methods(), h.errs.all())
	}
	if got := h.stored(id); !strings.Contains(got, `"cart":[1]`) || strings.Contains(got, "ada") {
		t.Errorf("the fresh session holds %s, want only this request's change", got)
	}
	if errs := h.errs.all(); len(errs) != 1 || !errors.Is(errs[0], session.ErrCorrupt) {
		t.Errorf("OnError got %v, want the corrupt record reported", errs)
	}
	if got := h.rec.Methods(); got != "get updateif get create" {
		t.Errorf("backend calls %q", got)
	}
}

func TestCreateOnCollisionTakesAnotherID(t *testing.T) {
	ids := []string{"taken", "taken", "free"}
	h := newHarness(t, middleware.Options{GenerateID: func() (string, error) {
		id := ids[0]
		if len(ids) > 1 {
			ids = ids[1:]
		}
		return id, nil
	}}, setViews)
	h.store.Create(context.Background(), backend.Record{ID: "taken", Data: []byte(`{"cookie":{},"victim":true}`), Expires: time.Now().Add(time.Hour)})
	_, id := h.sessionCookie(h.do(""))
	if id != "free" {
		t.Fatalf("the new session got id %q, want a fresh id after the collision", id)
	}
	if got := h.stored("taken"); !strings.Contains(got, "victim") {
		t.Errorf("the session already stored under the id was overwritten: %s", got)
	}
}

func TestStoredCookieCannotInjectAttributes(t *testing.T) {
	h := newHarness(t, middleware.Options{Rolling: true}, setViews)
	for i, c := range []string{
		`{"path":"/; Domain=evil.example","httpOnly":true}`,
		`{"path":"/","domain":"evil.example; Secure"}`,
		`{"path":"/\r\nSet-Cookie: x=1"}`,
	} {
		id := "injected" + string(rune('a'+i))
		h.store.Create(context.Background(), backend.Record{ID: id, Data: []byte(`{"cookie":` + c + `,"views":3}`), Expires: time.Now().Add(time.Hour)})
		w := h.do(h.cookieFor(id))
		sc, newID := h.sessionCookie(w)
		if newID == id || strings.Contains(sc, "evil") || strings.Contains(sc, "x=1") {
			t.Errorf("%s: Set-Cookie %q: the stored cookie reached the header", c, sc)
		}
	}
	if errs := h.errs.all(); len(errs) != 3 || !errors.Is(errs[0], session.ErrCorrupt) {
		t.Errorf("OnError got %v, want three corrupt sessions reported", errs)
	}
}

func TestRememberMeOnASignedInSession(t *testing.T) {
	// The user ticks "remember me" on a session that changes nothing else:
	// the new lifetime reaches the browser and the store.
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).SetMaxAge(30 * 24 * time.Hour); err != nil {
			t.Error(err)
		}
	})
	h.seed("s", false, `,"user":"ada"`)
	w := h.do(h.cookieFor("s"))
	sc, id := h.sessionCookie(w)
	if id != "s" || !strings.Contains(sc, "Expires=") {
		t.Fatalf("Set-Cookie %q, want the session's cookie sent with its new Expires", sc)
	}
	rec, _, _ := h.store.Get(context.Background(), "s")
	if d := time.Until(rec.Expires); d < 29*24*time.Hour {
		t.Errorf("stored expiry in %v, want 30 days", d)
	}
	if !strings.Contains(h.stored("s"), `"originalMaxAge":2592000000`) {
		t.Errorf("stored %s, want the new max age in the session's cookie", h.stored("s"))
	}
	// And back to a browser-session cookie.
	h.handler = h.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).SetMaxAge(0)
	}))
	sc, _ = h.sessionCookie(h.do(h.cookieFor("s")))
	if sc == "" || strings.Contains(sc, "Expires=") {
		t.Errorf("Set-Cookie %q, want the cookie sent again without Expires", sc)
	}
}

func TestEscapedCookieKeyIsTheCookie(t *testing.T) {
	// A stored session whose cookie key is written with an escape, as any
	// JSON writer may: it is the cookie, not a value named "cookie" that
	// the next save could not encode.
	h := newHarness(t, middleware.Options{}, setViews)
	h.store.Create(context.Background(), backend.Record{
		ID:      "escaped",
		Data:    []byte(`{"\u0063ookie":{"originalMaxAge":null,"expires":null,"\u0068ttpOnly":true,"path":"/"},"views":1}`),
		Expires: time.Now().Add(time.Hour),
	})
	for i := range 3 {
		if w := h.do(h.cookieFor("escaped")); w.Code != http.StatusOK {
			t.Fatalf("request %d: status %d, errors %v", i, w.Code, h.errs.all())
		}
	}
	if got := h.stored("escaped"); !strings.HasSuffix(got, `"path":"/"},"views":4}`) {
		t.Errorf("stored %s, want the views counted on the same session", got)
	}
}
