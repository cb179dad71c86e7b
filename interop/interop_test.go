package interop

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cryptoSecret is CRYPTO_SECRET in the encrypted modes.
const cryptoSecret = "interop crypto secret"

// maxAge is the cookie lifetime of the shared-session tests (MAX_AGE_MS).
const maxAge = time.Hour

// mode is a way a store holds sessions.
type mode struct {
	name    string
	env     map[string]string
	session string // docShape.Session of the stored sessions
}

// modesOf returns the ways store k holds sessions that both sides share:
// with connect-mongo, the session as a JSON string, as an embedded
// document, or encrypted by either of its crypto adapters; connect-redis
// and connect-pg-simple store the JSON text and have no options for it.
func modesOf(k storeKind) []mode {
	if k != mongoStore {
		return []mode{{"json", map[string]string{}, "JSON text"}}
	}
	return []mode{
		{"stringify", map[string]string{}, "JSON string"},
		{"stringify-off", map[string]string{"STRINGIFY": "false"}, "embedded document"},
		{"webcrypto", map[string]string{"CRYPTO_SECRET": cryptoSecret}, "webcrypto ciphertext"},
		{"kruptein", map[string]string{"CRYPTO_SECRET": cryptoSecret, "CRYPTO_FORMAT": "kruptein"}, "kruptein ciphertext"},
	}
}

// sessionID is the form of express-session's ids: 24 random bytes in
// unpadded base64url.
var sessionID = regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`)

// merge returns a new map with the entries of ms, later ones winning.
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// shared is one mode's servers, all on one store: four on the place
// "sessions" with the default settings and cookies signed with the secret
// "old" (expOld, seshOld) or with "new" while "old" is still accepted
// (expNew, seshNew), and, on MongoDB, two on collection "lazy" with
// TOUCH_AFTER_S=3600.
type shared struct {
	mode    mode
	place   place
	lazy    *collection // MongoDB only
	dec     decrypter
	format  string
	expOld  *server
	seshOld *server
	expNew  *server
	seshNew *server
	expLazy *server
	seshLzy *server
}

// TestShared proves, on each store and in each of its modes (for
// MongoDB: the session as a JSON string, as an embedded document,
// encrypted with connect-mongo's WebCrypto adapter, encrypted with its
// kruptein adapter), that Express and sesh running on one collection, key
// prefix or table share their sessions both ways: the data, the records
// each writes (the same but for the cookie's expiry date, and the same
// expiry), the cookie and its signature, secret rotation, touches,
// touchAfter's lastModified gate (connect-mongo's), expiry and
// destruction.
func TestShared(t *testing.T) {
	requireNode(t)
	forEachStore(t, func(t *testing.T, k storeKind) {
		for _, m := range modesOf(k) {
			t.Run(m.name, func(t *testing.T) {
				t.Parallel()
				sp := openSpace(t, k)
				f := &shared{mode: m, place: sp.place(t, "sessions")}
				base := merge(f.place.env(), m.env, map[string]string{"MAX_AGE_MS": fmt.Sprint(maxAge.Milliseconds())})
				f.dec, f.format = newDecrypter(t, m.env)
				f.expOld = launch(t, Express, "express(SECRET=old)", merge(base, map[string]string{"SECRET": "old"}))
				f.seshOld = launch(t, Sesh, "sesh(SECRET=old)", merge(base, map[string]string{"SECRET": "old"}))
				f.expNew = launch(t, Express, "express(SECRET=new,old)", merge(base, map[string]string{"SECRET": "new,old"}))
				f.seshNew = launch(t, Sesh, "sesh(SECRET=new,old)", merge(base, map[string]string{"SECRET": "new,old"}))
				servers := []*server{f.expOld, f.seshOld, f.expNew, f.seshNew}
				if db, ok := sp.(*database); ok {
					f.lazy = db.coll("lazy")
					lazy := merge(f.lazy.env(), m.env, map[string]string{"MAX_AGE_MS": fmt.Sprint(maxAge.Milliseconds()), "TOUCH_AFTER_S": "3600", "SECRET": "old"})
					f.expLazy = launch(t, Express, "express(TOUCH_AFTER_S=3600)", lazy)
					f.seshLzy = launch(t, Sesh, "sesh(TOUCH_AFTER_S=3600)", lazy)
					servers = append(servers, f.expLazy, f.seshLzy)
				}
				for _, s := range servers {
					s.await(t)
				}
				t.Run("JarSharesCookiesAcrossPorts", f.jar)
				t.Run("ExpressToSesh", func(t *testing.T) { f.roundTrip(t, f.expOld, f.seshOld) })
				t.Run("SeshToExpress", func(t *testing.T) { f.roundTrip(t, f.seshOld, f.expOld) })
				t.Run("SameRecords", f.sameRecords)
				t.Run("CookieSignature", f.signature)
				t.Run("SecretRotation", f.rotation)
				t.Run("Touch", f.touch)
				if f.lazy != nil {
					t.Run("TouchAfter", f.touchAfter)
				}
				t.Run("Expired", f.expired)
				t.Run("Destroy", f.destroy)
			})
		}
	})
}

// pairs returns both orders of a and b.
func pairs(a, b *server) [][2]*server { return [][2]*server{{a, b}, {b, a}} }

func wantStatus(t *testing.T, r *response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("want status %d: %s", want, r)
	}
}

// create stores {k: v} in a new session on s and returns its id.
func create(t *testing.T, b *browser, s *server, k, v string) string {
	t.Helper()
	r := b.get(s, "/set?k="+url.QueryEscape(k)+"&v="+url.QueryEscape(v))
	wantStatus(t, r, http.StatusOK)
	id := r.str("id")
	if !sessionID.MatchString(id) {
		t.Fatalf("the session id %q is not 32 characters of base64url, as express-session's uid-safe makes: %s", id, r)
	}
	if got := idOf(b.cookie(s)); got != id {
		t.Fatalf("the browser's cookie carries session %q, not the session %q that was just created: %s", got, id, r)
	}
	return id
}

// wantData checks that a /get response shows session id with exactly
// data.
func wantData(t *testing.T, r *response, id string, data map[string]any, why string) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if got := r.str("id"); got != id {
		t.Fatalf("%s: want session %s, got session %s: %s", why, id, got, r)
	}
	if got := r.data(); !maps.Equal(got, data) {
		t.Fatalf("%s: session %s holds %v, want %v: %s", why, id, got, data, r)
	}
}

// wantFresh checks that a /get response shows a new, empty session rather
// than session old.
func wantFresh(t *testing.T, r *response, old, why string) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if got := r.str("id"); got == old || got == "" {
		t.Fatalf("%s: want a new session, got session %q: %s", why, got, r)
	}
	if got := r.data(); len(got) != 0 {
		t.Fatalf("%s: want an empty session, got %v: %s", why, got, r)
	}
}

// jar checks the premise of the browser: a cookie set by one server is
// sent to the other, as both are on 127.0.0.1.
func (f *shared) jar(t *testing.T) {
	b := newBrowser(t)
	id := create(t, b, f.expOld, "k", "v")
	if got := idOf(b.cookie(f.seshOld)); got != id {
		t.Fatalf("the cookie jar keeps the cookie %s set for %s, but does not send it to %s (another port on the same host): it would send %q",
			id, f.expOld.url, f.seshOld.url, b.header(f.seshOld))
	}
}

// roundTrip: a session created on a is read by b, changed by b, and a sees
// the change.
func (f *shared) roundTrip(t *testing.T, a, b *server) {
	br := newBrowser(t)
	id := create(t, br, a, "color", "blue")
	rec := mustGet(t, f.place, id, a.name+" created it")
	if got := rec.shape(t, f.dec, f.format); got.Session != f.mode.session {
		t.Errorf("%s stored the session as %s, want %s: %s", a.name, got.Session, f.mode.session, rec.text)
	}
	wantData(t, br.get(b, "/get"), id, map[string]any{"color": "blue"}, b.name+" reading the session "+a.name+" created")

	r := br.get(b, "/set?k=color&v=green")
	wantStatus(t, r, http.StatusOK)
	if r.str("id") != id {
		t.Fatalf("%s changed session %s but answered for session %s: %s", b.name, id, r.str("id"), r)
	}
	wantStatus(t, br.get(b, "/set?k=by&v="+string(b.side)), http.StatusOK)
	want := map[string]any{"color": "green", "by": string(b.side)}
	wantData(t, br.get(a, "/get"), id, want, a.name+" reading the changes "+b.name+" made")
	rec = mustGet(t, f.place, id, b.name+" changed it")
	if got := rec.shape(t, f.dec, f.format); got.Session != f.mode.session || got.Values != `{"by":"`+string(b.side)+`","color":"green"}` {
		t.Errorf("after %s changed it the stored session is %s", b.name, got)
	}
}

// signature: both sign the cookie identically, and both refuse a cookie
// whose signature does not match.
func (f *shared) signature(t *testing.T) {
	var shapes []string
	for _, s := range []*server{f.expOld, f.seshOld} {
		b := newBrowser(t)
		r := b.get(s, "/set?k=k&v=v")
		wantStatus(t, r, http.StatusOK)
		c, ok := r.sessionCookie()
		if !ok {
			t.Fatalf("no session cookie for a new, modified session: %s", r)
		}
		if want := signedValue(r.str("id"), "old"); c.value != want {
			t.Errorf("%s sent the cookie value %s, want express-session's signature with the secret \"old\", %s", s.name, c.value, want)
		}
		shapes = append(shapes, c.shape())
	}
	if shapes[0] != shapes[1] {
		t.Errorf("the session cookies differ:\n%s: %s\n%s: %s", f.expOld.name, shapes[0], f.seshOld.name, shapes[1])
	}
	b := newBrowser(t)
	id := create(t, b, f.expOld, "k", "v")
	raw, err := url.PathUnescape(b.cookie(f.expOld)) // s:<id>.<mac>
	if err != nil {
		t.Fatal(err)
	}
	dot := strings.LastIndexByte(raw, '.')
	first, last := raw[dot+1], raw[len(raw)-1]
	// The MAC's 43rd base64 character carries 2 unused bits: the same MAC
	// with one of them set is a non-canonical encoding, which
	// express-session refuses (it compares strings).
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	nonCanonical := alphabet[strings.IndexByte(alphabet, last)^1]
	tampered := byte('A')
	if first == 'A' {
		tampered = 'B'
	}
	bad := map[string]string{
		"tampered signature":      encodeURIComponent(raw[:dot+1] + string(tampered) + raw[dot+2:]),
		"non-canonical signature": encodeURIComponent(raw[:len(raw)-1] + string(nonCanonical)),
		"unsigned id":             id,
		"signed with another":     signedValue(id, "other"),
		"without the s: mark":     encodeURIComponent(strings.TrimPrefix(raw, "s:")),
	}
	for what, v := range bad {
		for _, s := range []*server{f.expOld, f.seshOld} {
			wantFresh(t, fetch(t, s, "/get", cookieName+"="+v), id, s.name+" given a cookie with a "+what)
		}
	}
}

// rotation: Express signing with "old" and sesh configured "new,old"
// accept each other's cookies, the server with "new" first re-signs with
// "new", and a server that knows only "old" refuses that cookie.
func (f *shared) rotation(t *testing.T) {
	for _, p := range [][4]*server{
		{f.expOld, f.seshNew, f.expNew, f.seshOld},
		{f.seshOld, f.expNew, f.seshNew, f.expOld},
	} {
		old, rotated, rotated2, oldOnly := p[0], p[1], p[2], p[3]
		t.Run(string(old.side)+"-to-"+string(rotated.side), func(t *testing.T) {
			b := newBrowser(t)
			id := create(t, b, old, "k", "v")
			if got, want := b.cookie(old), signedValue(id, "old"); got != want {
				t.Fatalf("%s signed with %s, want %s", old.name, got, want)
			}
			wantData(t, b.get(rotated, "/get"), id, map[string]any{"k": "v"}, rotated.name+" reading a cookie signed with the old secret")
			r := b.get(rotated, "/set?k=k&v=w")
			wantStatus(t, r, http.StatusOK)
			c, ok := r.sessionCookie()
			if !ok {
				t.Fatalf("%s changed a persistent session but sent no cookie: %s", rotated.name, r)
			}
			if want := signedValue(id, "new"); c.value != want {
				t.Fatalf("%s sent the cookie %s, want session %s signed with the new secret: %s", rotated.name, c.value, id, want)
			}
			wantData(t, b.get(rotated2, "/get"), id, map[string]any{"k": "w"}, rotated2.name+" reading a cookie signed with the new secret")
			wantFresh(t, b.get(oldOnly, "/get"), id, oldOnly.name+", which does not know the new secret, given a cookie signed with it")
		})
	}
}
