package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// noIndex is a memory store whose owner index is off: the middleware must
// fall back to a scan.
type noIndex struct{ *memory.Store }

func (noIndex) Owned(context.Context, string) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		yield(backend.Record{}, fmt.Errorf("test: owner index off: %w", errors.ErrUnsupported))
	}
}

func TestSignOutEverywhereElse(t *testing.T) {
	for _, indexed := range []bool{true, false} {
		t.Run(fmt.Sprintf("indexed=%v", indexed), func(t *testing.T) {
			store := memory.New(memory.Options{})
			defer store.Close()
			var b backend.Backend = store
			if !indexed {
				b = noIndex{store}
			}
			var h *harness
			h = newHarness(t, middleware.Options{Backend: b, Cookie: middleware.Cookie{MaxAge: time.Hour}}, func(w http.ResponseWriter, r *http.Request) {
				s := session.FromContext(r.Context())
				switch r.URL.Path {
				case "/signin":
					if err := s.Regenerate(r.Context()); err != nil {
						t.Error(err)
					}
					s.Set("user", r.URL.Query().Get("u"))
					s.SetOwner(r.URL.Query().Get("u"))
				case "/everywhere-else":
					n, err := h.mw.DestroySessions(r.Context(), s.Owner(), s.ID())
					if err != nil || n != 2 {
						t.Errorf("DestroySessions = %d, %v; want the 2 other sessions of ada", n, err)
					}
				}
			})
			signIn := func(user string) string {
				r, _ := http.NewRequest("GET", "http://example.com/signin?u="+user, nil)
				_, id := h.sessionCookie(h.doRequest(r, ""))
				return id
			}
			laptop, phone, tablet := signIn("ada"), signIn("ada"), signIn("ada")
			other := signIn("bob")
			// A session of ada's that cannot be read any more.
			rec, _, _ := store.Get(context.Background(), tablet)
			rec.Data = []byte("garbage")
			store.Update(context.Background(), rec)

			got, err := h.mw.Sessions(context.Background(), "ada")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, si := range got {
				ids = append(ids, si.ID)
				if si.Owner != "ada" || si.Expires.Before(time.Now()) || time.Since(si.LastSeen) > time.Minute {
					t.Errorf("session info %+v", si)
				}
				var user string
				if found, err := si.Decode("user", &user); !found || err != nil || user != "ada" {
					t.Errorf("Decode(user) = %q, %v, %v", user, found, err)
				}
			}
			slices.Sort(ids)
			want := []string{laptop, phone}
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("Sessions(ada) = %v, want the laptop and phone %v (the unreadable one left out)", ids, want)
			}

			r, _ := http.NewRequest("GET", "http://example.com/everywhere-else", nil)
			h.doRequest(r, h.cookieFor(laptop))
			for id, alive := range map[string]bool{laptop: true, phone: false, tablet: false, other: true} {
				if _, found, _ := store.Get(context.Background(), id); found != alive {
					t.Errorf("session %s: stored %v, want %v", id, found, alive)
				}
			}
		})
	}
}

func TestAllGoesPastUnreadableSessions(t *testing.T) {
	h := newHarness(t, middleware.Options{}, nil)
	h.seed("a", false, `,"n":1`)
	h.store.Create(context.Background(), backend.Record{ID: "bad", Data: []byte("{"), Expires: time.Now().Add(time.Hour)})
	h.seed("c", false, `,"n":3`)
	var good, bad []string
	for si, err := range h.mw.All(context.Background()) {
		switch {
		case errors.Is(err, session.ErrCorrupt):
			bad = append(bad, si.ID)
		case err != nil:
			t.Fatal(err)
		default:
			good = append(good, si.ID)
		}
	}
	slices.Sort(good)
	if !slices.Equal(good, []string{"a", "c"}) || !slices.Equal(bad, []string{"bad"}) {
		t.Errorf("All yielded %v and reported %v, want a, c and the unreadable one reported", good, bad)
	}
}
