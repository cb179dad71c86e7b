package interop

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestSignOutWins overlaps a slow request that changes a session (it
// loaded the session, then waits before changing it) with a sign-out of
// the same session (/destroy with the same cookie), on each store.
//
// sesh never writes back a session signed out after a request loaded it:
// the slow request fails with 409 and clears its cookie, nothing is
// stored, and the old cookie gets a fresh, empty session. Express brings
// the session back: its store's save is an upsert (connect-mongo's
// updateOne with upsert, connect-redis's SET, connect-pg-simple's INSERT
// ... ON CONFLICT DO UPDATE), so the signed-out user is signed in again,
// with the slow request's change. This is a deliberate difference; the
// test checks both sides.
func TestSignOutWins(t *testing.T) {
	requireNode(t)
	forEachStore(t, func(t *testing.T, k storeKind) {
		p := openSpace(t, k).place(t, "sessions")
		env := merge(p.env(), map[string]string{"MAX_AGE_MS": hourMS})
		exp := launch(t, Express, "express", env)
		ses := launch(t, Sesh, "sesh", env)
		exp.await(t)
		ses.await(t)
		slow := "/set?k=late&v=1&delay_ms=" + strconv.FormatInt(slowWrite.Milliseconds(), 10)
		for _, s := range []*server{ses, exp} {
			t.Run(string(s.side), func(t *testing.T) {
				id, header, r, pending := overlap(t, s, s, slow, s, "/destroy")
				if r.str("id") != id {
					t.Fatalf("%s destroyed session %q, not %s: %s", s.name, r.str("id"), id, r)
				}
				if rec := p.get(t, id); rec != nil {
					t.Fatalf("%s destroyed session %s but it is still stored: %s", s.name, id, rec.text)
				}
				late := awaitResult(t, pending)
				after := fetch(t, s, "/get", header)
				switch s.side {
				case Sesh:
					if late.status != http.StatusConflict || !strings.Contains(late.text, "destroyed") {
						t.Errorf("the slow request should fail with 409, its session destroyed meanwhile; it answered %d %s", late.status, late.text)
					}
					if len(late.setCookies) != 1 || !strings.HasPrefix(late.setCookies[0], cookieName+"=;") {
						t.Errorf("the slow request's response should clear the session cookie; it sent %q", late.setCookies)
					}
					wantFresh(t, after, id, "sesh given the cookie of the session signed out during a slow request")
					if rec := p.get(t, id); rec != nil {
						t.Errorf("the slow request wrote back session %s after the sign-out: %s", id, rec.text)
					}
					for other, rec := range p.all(t) {
						if strings.Contains(rec.shape(t, nil, "").Values, "late") {
							t.Errorf("the slow request's change was stored in session %s: %s", other, rec.text)
						}
					}
				case Express:
					// The documented difference: Express resurrects it.
					if late.status != http.StatusOK {
						t.Errorf("express answered the slow request with %d %s; want 200 (it saves without checking)", late.status, late.text)
					}
					wantData(t, after, id, map[string]any{"a": "1", "late": "1"},
						"express given the cookie of the session signed out during a slow request: it is expected to have written the session back")
					if p.get(t, id) == nil {
						t.Errorf("express was expected to write back session %s after the sign-out, but it is not stored", id)
					}
				}
			})
		}
	})
}
