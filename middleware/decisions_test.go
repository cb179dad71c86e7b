package middleware_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// TestDecisionMatrix checks the save, touch and Set-Cookie decisions for
// every combination of resave × saveUninitialized × rolling × new/loaded ×
// modified/unmodified × persistent/browser-session cookie, against
// express-session 1.19's documented behaviour (research notes §1.6, "in
// plain terms"):
//
//   - a new session is stored (created), and its cookie sent, only if it
//     was modified or saveUninitialized is on;
//   - a loaded session is rewritten (updated) when modified, or always
//     with resave; otherwise it is touched;
//   - a loaded session's cookie is sent again only with rolling, or when it
//     was modified and the cookie is persistent.
func TestDecisionMatrix(t *testing.T) {
	for _, resave := range []bool{false, true} {
		for _, saveUninit := range []bool{false, true} {
			for _, rolling := range []bool{false, true} {
				for _, loaded := range []bool{false, true} {
					for _, modified := range []bool{false, true} {
						for _, persistent := range []bool{false, true} {
							name := fmt.Sprintf("resave=%v/saveUninitialized=%v/rolling=%v/loaded=%v/modified=%v/persistent=%v",
								resave, saveUninit, rolling, loaded, modified, persistent)
							t.Run(name, func(t *testing.T) {
								checkDecision(t, resave, saveUninit, rolling, loaded, modified, persistent)
							})
						}
					}
				}
			}
		}
	}
}

func checkDecision(t *testing.T, resave, saveUninit, rolling, loaded, modified, persistent bool) {
	opts := middleware.Options{Resave: resave, SaveUninitialized: saveUninit, Rolling: rolling}
	if persistent {
		opts.Cookie.MaxAge = time.Hour
	}
	h := newHarness(t, opts, func(w http.ResponseWriter, r *http.Request) {
		if modified {
			session.FromContext(r.Context()).Set("k", "changed")
		}
		w.Write([]byte("ok"))
	})
	const id = "existing-session"
	header := ""
	if loaded {
		h.seed(id, persistent, `,"k":"original"`)
		header = h.cookieFor(id)
	}
	w := h.do(header)

	var wantCalls []string
	var wantCookie bool
	if !loaded {
		store := modified || saveUninit
		if store {
			wantCalls = []string{"create"}
		}
		wantCookie = store
	} else {
		wantCalls = []string{"get", "touch"}
		if modified || resave {
			wantCalls = []string{"get", "update"}
		}
		wantCookie = rolling || (persistent && modified)
	}
	if got, want := h.rec.Methods(), strings.Join(wantCalls, " "); got != want {
		t.Errorf("backend calls %q, want %q", got, want)
	}
	setCookie, cookieID := h.sessionCookie(w)
	if (setCookie != "") != wantCookie {
		t.Errorf("Set-Cookie %q, want one: %v", setCookie, wantCookie)
	}
	if loaded && setCookie != "" && cookieID != id {
		t.Errorf("the cookie carries id %q, want the loaded %q", cookieID, id)
	}
	if setCookie != "" && strings.Contains(setCookie, "Expires=") != persistent {
		t.Errorf("Set-Cookie %q: Expires present must match a persistent cookie (%v)", setCookie, persistent)
	}
	if loaded && modified {
		if got := h.stored(id); !strings.Contains(got, `"k":"changed"`) {
			t.Errorf("stored %s, want the change saved", got)
		}
	}
}

// TestExpressTrace replays the end-to-end trace observed through the real
// express-session 1.19 + connect-mongo 6 (research notes §3.11) with
// resave false, saveUninitialized false and maxAge 60 s.
func TestExpressTrace(t *testing.T) {
	step := ""
	h := newHarness(t, middleware.Options{Cookie: middleware.Cookie{MaxAge: time.Minute}}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		switch step {
		case "views":
			n, _ := session.Get[int](s, "views")
			s.Set("views", n+1)
		case "regenerate":
			if err := s.Regenerate(r.Context()); err != nil {
				t.Fatal(err)
			}
			s.Set("user", "ada")
		case "destroy":
			if err := s.Destroy(r.Context()); err != nil {
				t.Fatal(err)
			}
		}
	})
	type want struct {
		step, calls string
		cookie      bool
	}
	var id, header string
	for _, c := range []want{
		{"", "", false},                                // first hit, no writes: nothing
		{"views", "create", true},                      // first hit, views=1: upsert (sesh: create), cookie
		{"", "get touch", false},                       // cookie, no writes: touch only
		{"views", "get update", true},                  // cookie, views++: rewrite (sesh: update), cookie
		{"regenerate", "get destroy create", true},     // regenerate + write: delete old, store new
		{"destroy", "get destroy", true /* cleared */}, // destroy: delete; sesh clears the cookie
	} {
		step = c.step
		w := h.do(header)
		if got := h.rec.Methods(); got != c.calls {
			t.Errorf("step %q: backend calls %q, want %q", c.step, got, c.calls)
		}
		sc, newID := h.sessionCookie(w)
		if (sc != "") != c.cookie {
			t.Errorf("step %q: Set-Cookie %q, want one: %v", c.step, sc, c.cookie)
		}
		if newID != "" {
			if c.step == "regenerate" && newID == id {
				t.Errorf("regenerate kept the id")
			}
			id, header = newID, h.cookieFor(newID)
		}
	}
}
