package middleware_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

func setViews(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	n, _ := session.Get[int](s, "views")
	s.Set("views", n+1)
}

func TestCookieIsByteIdenticalToExpress(t *testing.T) {
	opts := middleware.Options{
		GenerateID: func() (string, error) { return "abc", nil },
		Cookie:     middleware.Cookie{SameSite: middleware.SameSiteOmit, Secure: middleware.SecureNever},
	}
	h := newHarness(t, opts, setViews)
	got, _ := h.sessionCookie(h.do(""))
	// express-session 1.19, secret "keyboard cat", genid () => "abc".
	const want = "connect.sid=s%3Aabc.BpxCrWRpvZMh%2Fwk%2Fdjl34N%2Bm%2BVQEU7K%2F5WenLwJCgFU; Path=/; HttpOnly"
	if got != want {
		t.Errorf("Set-Cookie\n got %s\nwant %s", got, want)
	}
}

func TestStoredSessionIsExpressJSON(t *testing.T) {
	// express-session writes "secure" when its secure option is given
	// ('auto' and true: SecureAuto, SecureAlways) and leaves it out when
	// unset (SecureNever).
	for mode, secure := range map[middleware.Secure]string{
		middleware.SecureAuto:  `"secure":false,`, // plain HTTP
		middleware.SecureNever: ``,
	} {
		h := newHarness(t, middleware.Options{Cookie: middleware.Cookie{MaxAge: time.Minute, Secure: mode}}, func(w http.ResponseWriter, r *http.Request) {
			s := session.FromContext(r.Context())
			s.Set("views", 1)
			s.Set("user", map[string]any{"name": "ada <admin>"})
		})
		_, id := h.sessionCookie(h.do(""))
		got := h.stored(id)
		re := regexp.MustCompile(`^\{"cookie":\{"originalMaxAge":60000,"expires":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",` + secure + `"httpOnly":true,"path":"/","sameSite":"lax"\},"views":1,"user":\{"name":"ada <admin>"\}\}$`)
		if !re.MatchString(got) {
			t.Errorf("secure mode %d: stored %s\nwant express-session's JSON shape", mode, got)
		}
	}
}

func TestDefaultIDs(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	seen := map[string]bool{}
	for range 50 {
		_, id := h.sessionCookie(h.do(""))
		raw, err := base64.RawURLEncoding.DecodeString(id)
		if len(id) != 32 || err != nil || len(raw) != 24 {
			t.Fatalf("id %q: want 32 characters of base64url carrying 24 random bytes (192 bits)", id)
		}
		if seen[id] {
			t.Fatalf("id %q generated twice", id)
		}
		seen[id] = true
	}
}

func TestBadCookiesGiveFreshSessionWithoutBackendRead(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	h.seed("victim", false, `,"views":41`)
	good := h.cookieFor("victim")
	for _, header := range []string{
		good[:len(good)-2],                           // truncated signature
		strings.Replace(good, "victim", "victin", 1), // tampered id
		"connect.sid=victim",                         // unsigned
		"connect.sid=s%3Avictim",                     // no signature
		"connect.sid=" + strings.Repeat("A", 5000),   // oversized
		"connect.sid=s%3Avictim.%ZZ%",                // malformed escape
		"connect.sid=s%3A%00%24where.x",              // NUL and $ in the id
	} {
		w := h.do(header)
		calls := h.rec.Calls()
		for _, c := range calls {
			if strings.HasPrefix(c, "get") {
				t.Errorf("cookie %.60q cost a backend read: %v", header, calls)
			}
		}
		_, id := h.sessionCookie(w)
		if id == "" || id == "victim" {
			t.Errorf("cookie %.60q: new session id %q, want a fresh one", header, id)
		}
		if w.Code != 200 {
			t.Errorf("cookie %.60q: status %d, want 200", header, w.Code)
		}
	}
	if got := h.stored("victim"); !strings.Contains(got, `"views":41`) {
		t.Errorf("the victim's session changed: %s", got)
	}
	errs := h.errs.all()
	if len(errs) == 0 || !errors.Is(errs[0], session.ErrInvalidCookie) {
		t.Errorf("OnError got %v, want ErrInvalidCookie reports", errs)
	}
}

func TestUnknownIDIsNeverAdopted(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	w := h.do(h.cookieFor("chosen-by-attacker"))
	if _, id := h.sessionCookie(w); id == "chosen-by-attacker" || id == "" {
		t.Fatalf("session id %q: a validly signed but unknown id must be replaced", id)
	}
	if h.stored("chosen-by-attacker") != "" {
		t.Fatal("a session was stored under the id the client chose")
	}
}

func TestDuplicateCookiesFirstWins(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	h.seed("first", false, `,"views":1`)
	h.seed("second", false, `,"views":100`)
	h.do(h.cookieFor("first") + "; " + h.cookieFor("second"))
	if !strings.Contains(h.stored("first"), `"views":2`) || !strings.Contains(h.stored("second"), `"views":100`) {
		t.Errorf("first=%s second=%s; want the first cookie used, as express-session does", h.stored("first"), h.stored("second"))
	}
}

func TestSecretRotation(t *testing.T) {
	old := newHarness(t, middleware.Options{}, setViews)
	h := newHarness(t, middleware.Options{Secrets: []string{"new secret", secret}, Backend: old.rec}, setViews)
	old.seed("rotated", true, `,"views":1`)
	w := h.do(old.cookieFor("rotated")) // signed with the old secret
	if !strings.Contains(old.stored("rotated"), `"views":2`) {
		t.Fatalf("a cookie signed with the second secret was not accepted: %s", old.stored("rotated"))
	}
	sc, _ := h.sessionCookie(w)
	if _, id := old.sessionCookie(w); id == "rotated" {
		t.Fatalf("re-sent cookie %s is signed with the old secret; want the first", sc)
	}
}

func TestSecurityHeadersWhenSettingCookie(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	w := h.do("")
	if got := w.Header().Values("Cache-Control"); len(got) != 1 || got[0] != `no-cache="Set-Cookie"` {
		t.Errorf("Cache-Control %q", got)
	}
	if got := w.Header().Get("Vary"); got != "Cookie" {
		t.Errorf("Vary %q", got)
	}
	sc, _ := h.sessionCookie(w)
	for _, attr := range []string{"; HttpOnly", "; SameSite=Lax", "; Path=/"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("default cookie %s lacks %s", sc, attr)
		}
	}
	if strings.Contains(sc, "Secure") {
		t.Errorf("cookie over plain HTTP marked Secure: %s", sc)
	}
}

func TestSecureModes(t *testing.T) {
	cases := []struct {
		name    string
		opts    middleware.Options
		tls     bool
		xfp     string
		secure  bool
		sent    bool
		samesit string
	}{
		{"auto over TLS", middleware.Options{}, true, "", true, true, "Lax"},
		{"auto over HTTP", middleware.Options{}, false, "", false, true, "Lax"},
		{"auto behind untrusted proxy", middleware.Options{}, false, "https", false, true, "Lax"},
		{"auto behind trusted proxy", middleware.Options{TrustProxy: true}, false, "https, http", true, true, "Lax"},
		{"trusted proxy says http", middleware.Options{TrustProxy: true}, false, "http", false, true, "Lax"},
		{"always over HTTP: not sent", middleware.Options{Cookie: middleware.Cookie{Secure: middleware.SecureAlways}}, false, "", true, false, ""},
		{"always over TLS", middleware.Options{Cookie: middleware.Cookie{Secure: middleware.SecureAlways}}, true, "", true, true, "Lax"},
		{"never over TLS", middleware.Options{Cookie: middleware.Cookie{Secure: middleware.SecureNever}}, true, "", false, true, "Lax"},
		{"samesite auto over TLS", middleware.Options{Cookie: middleware.Cookie{SameSite: middleware.SameSiteAuto}}, true, "", true, true, "None"},
		{"samesite auto over HTTP", middleware.Options{Cookie: middleware.Cookie{SameSite: middleware.SameSiteAuto}}, false, "", false, true, "Lax"},
		{"samesite strict", middleware.Options{Cookie: middleware.Cookie{SameSite: middleware.SameSiteStrict}}, false, "", false, true, "Strict"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.opts, setViews)
			r := httptest.NewRequest("GET", "http://example.com/", nil)
			if c.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if c.xfp != "" {
				r.Header.Set("X-Forwarded-Proto", c.xfp)
			}
			w := h.doRequest(r, "")
			sc, id := h.sessionCookie(w)
			if (sc != "") != c.sent {
				t.Fatalf("Set-Cookie %q, want sent: %v", sc, c.sent)
			}
			if !c.sent {
				// Not sent, but saved, as express-session does.
				if got := h.rec.Methods(); got != "create" {
					t.Errorf("backend calls %q, want the session saved anyway", got)
				}
				return
			}
			if strings.Contains(sc, "; Secure") != c.secure {
				t.Errorf("Set-Cookie %s, want Secure %v", sc, c.secure)
			}
			if !strings.Contains(sc, "SameSite="+c.samesit) {
				t.Errorf("Set-Cookie %s, want SameSite=%s", sc, c.samesit)
			}
			if stored := h.stored(id); strings.Contains(stored, `"secure":true`) != c.secure {
				t.Errorf("stored cookie %s, want secure %v", stored, c.secure)
			}
		})
	}
}

func TestInvalidOptions(t *testing.T) {
	b := &nopBackend{}
	for name, opts := range map[string]middleware.Options{
		"no backend":                  {Secrets: []string{"s"}},
		"no secret":                   {Backend: b},
		"empty secret":                {Backend: b, Secrets: []string{"s", ""}},
		"bad name":                    {Backend: b, Secrets: []string{"s"}, Name: "a b"},
		"none without secure":         {Backend: b, Secrets: []string{"s"}, Cookie: middleware.Cookie{SameSite: middleware.SameSiteNone, Secure: middleware.SecureNever}},
		"optimistic without UpdateIf": {Backend: b, Secrets: []string{"s"}, Concurrency: middleware.Optimistic},
		"bad priority":                {Backend: b, Secrets: []string{"s"}, Cookie: middleware.Cookie{Priority: "urgent"}},
		"path injecting a domain":     {Backend: b, Secrets: []string{"s"}, Cookie: middleware.Cookie{Path: "/; Domain=evil.example"}},
		"path with a newline":         {Backend: b, Secrets: []string{"s"}, Cookie: middleware.Cookie{Path: "/\r\nSet-Cookie: x=1"}},
		"domain injecting Secure":     {Backend: b, Secrets: []string{"s"}, Cookie: middleware.Cookie{Domain: "example.com; Secure"}},
		"domain with a space":         {Backend: b, Secrets: []string{"s"}, Cookie: middleware.Cookie{Domain: "exa mple.com"}},
		"binding without a cipher":    {Backend: b, Secrets: []string{"s"}, Encryption: middleware.Encryption{BindID: true}},
	} {
		if _, err := middleware.New(opts); !errors.Is(err, middleware.ErrInvalidOptions) {
			t.Errorf("%s: New returned %v, want ErrInvalidOptions", name, err)
		}
	}
}

type nopBackend struct{}

func (nopBackend) Get(context.Context, string) (backend.Record, bool, error) {
	return backend.Record{}, false, nil
}
func (nopBackend) Create(context.Context, backend.Record) (backend.Token, error) {
	return backend.Token{}, nil
}
func (nopBackend) Update(context.Context, backend.Record) (backend.Token, error) {
	return backend.Token{}, nil
}
func (nopBackend) Touch(context.Context, string, time.Time, time.Time, backend.Token) error {
	return nil
}
func (nopBackend) Destroy(context.Context, string) error { return nil }

func TestBackendDownOnLoad(t *testing.T) {
	called := false
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) { called = true })
	h.seed("s", false, ``)
	h.rec.Fail = map[string]error{"get": errors.New("connection refused")}
	w := h.do(h.cookieFor("s"))
	if w.Code != http.StatusServiceUnavailable || called {
		t.Errorf("status %d, handler called %v; want 503 without running the handler", w.Code, called)
	}
	if errs := h.errs.all(); len(errs) != 1 || !errors.Is(errs[0], session.ErrBackend) {
		t.Errorf("OnError got %v, want one ErrBackend", errs)
	}
}

func TestFailedSaveBecomesAnErrorResponse(t *testing.T) {
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		setViews(w, r)
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte("created, supposedly"))
	})
	h.rec.Fail = map[string]error{"create": errors.New("disk full"), "update": errors.New("disk full")}
	h.seed("s", false, `,"views":1`)
	for _, cookie := range []string{"", h.cookieFor("s")} { // create, then update
		w := h.do(cookie)
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503: a change must not be acknowledged when it was not stored", w.Code)
		}
		if strings.Contains(w.Body.String(), "supposedly") || w.Header().Get("Set-Cookie") != "" {
			t.Errorf("the handler's response leaked out: %q %q", w.Body.String(), w.Header().Get("Set-Cookie"))
		}
	}
	var saveErr *session.Error
	if errs := h.errs.all(); len(errs) != 2 || !errors.As(errs[1], &saveErr) || saveErr.Op != "save" || saveErr.Kind != session.ErrBackend {
		t.Errorf("OnError got %v, want two *session.Error{Op: save, Kind: ErrBackend}", errs)
	}
}

func TestUnstorableSessionIsAServerError(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	h.rec.Fail = map[string]error{"create": fmt.Errorf("%w: key a.b", backend.ErrInvalidData)}
	if w := h.do(""); w.Code != http.StatusInternalServerError {
		t.Errorf("status %d for data the backend cannot store, want 500: the backend is up", w.Code)
	}
}

func TestCustomErrorHandler(t *testing.T) {
	var got error
	h := newHarness(t, middleware.Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		http.Error(w, "try later", http.StatusTeapot)
	}}, setViews)
	h.rec.Fail = map[string]error{"create": errors.New("boom")}
	if w := h.do(""); w.Code != http.StatusTeapot || !errors.Is(got, session.ErrBackend) {
		t.Errorf("status %d, error %v", w.Code, got)
	}
}

func TestTooLargeLeavesStoredSessionUnchanged(t *testing.T) {
	h := newHarness(t, middleware.Options{MaxSize: 1024}, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("blob", strings.Repeat("x", 2048))
	})
	h.seed("s", false, `,"views":1`)
	w := h.do(h.cookieFor("s"))
	if w.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", w.Code)
	}
	if errs := h.errs.all(); len(errs) == 0 || !errors.Is(errs[len(errs)-1], session.ErrTooLarge) {
		t.Errorf("errors %v, want ErrTooLarge", errs)
	}
	if got := h.stored("s"); !strings.HasSuffix(got, `"views":1}`) {
		t.Errorf("stored session changed: %.80s", got)
	}
}

func TestCorruptStoredSessionGivesFreshSession(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	for i, data := range []string{`not json`, `{"views":1}`, `{"cookie":{"expires":true}}`, `[]`} {
		id := "corrupt" + string(rune('a'+i))
		h.store.Create(context.Background(), backend.Record{ID: id, Data: []byte(data), Expires: time.Now().Add(time.Hour)})
		w := h.do(h.cookieFor(id))
		_, newID := h.sessionCookie(w)
		if w.Code != 200 || newID == "" || newID == id {
			t.Errorf("%s: status %d, new id %q; want 200 and a fresh session", data, w.Code, newID)
		}
		if h.stored(id) != data {
			t.Errorf("%s: the corrupt record was changed", data)
		}
	}
	errs := h.errs.all()
	if len(errs) != 4 || !errors.Is(errs[0], session.ErrCorrupt) || !errors.Is(errs[0], codec.ErrMalformed) {
		t.Errorf("OnError got %v, want four ErrCorrupt reports", errs)
	}
}

func TestBackendCorruptErrorGivesFreshSession(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	h.seed("s", false, ``)
	h.rec.Fail = map[string]error{"get": errors.Join(backend.ErrCorrupt, errors.New("wrong key"))}
	w := h.do(h.cookieFor("s"))
	if _, id := h.sessionCookie(w); w.Code != 200 || id == "s" || id == "" {
		t.Errorf("status %d id %q; an undecryptable session must give a fresh one, not a 500 loop", w.Code, id)
	}
}

func TestExpiredRecordIsNotTrusted(t *testing.T) {
	// A backend that returns an expired record (as a careless store would)
	// must not revive it.
	h := newHarness(t, middleware.Options{}, setViews)
	lying := &expiredBackend{h.rec}
	mw, _ := middleware.New(middleware.Options{Backend: lying, Secrets: []string{secret}})
	h.handler = mw.Handler(http.HandlerFunc(setViews))
	w := h.do(h.cookieFor("stale"))
	if _, id := h.sessionCookie(w); id == "stale" || id == "" {
		t.Fatalf("session id %q: an expired record returned by the backend must give a fresh session", id)
	}
}

type expiredBackend struct{ backend.Backend }

func (b *expiredBackend) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	return backend.Record{ID: id, Data: []byte(`{"cookie":{},"views":9}`), Expires: time.Now().Add(-time.Minute)}, true, nil
}

func TestRegenerateStartsEmptyAndDestroysOld(t *testing.T) {
	// As express-session's regenerate: the data planted before sign-in is
	// not carried into the signed-in session.
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if err := s.Regenerate(r.Context()); err != nil {
			t.Fatal(err)
		}
		if s.Len() != 0 {
			t.Errorf("after Regenerate the session holds %v, want it empty", s.Keys())
		}
		s.Set("user", "ada")
	})
	h.seed("before-login", false, `,"returnTo":"/evil"`)
	w := h.do(h.cookieFor("before-login"))
	_, id := h.sessionCookie(w)
	if id == "" || id == "before-login" {
		t.Fatalf("new id %q", id)
	}
	if h.stored("before-login") != "" {
		t.Error("the pre-login record survived: session fixation")
	}
	if got := h.stored(id); strings.Contains(got, "returnTo") || !strings.Contains(got, `"user":"ada"`) {
		t.Errorf("regenerated session holds %s, want only the user", got)
	}
}

func TestRenewIDKeepsDataAndDestroysOld(t *testing.T) {
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if err := s.RenewID(r.Context()); err != nil {
			t.Fatal(err)
		}
		s.Set("user", "ada")
	})
	h.seed("before", false, `,"cart":[1,2]`)
	_, id := h.sessionCookie(h.do(h.cookieFor("before")))
	if id == "" || id == "before" || h.stored("before") != "" {
		t.Fatalf("new id %q, old record %q", id, h.stored("before"))
	}
	if got := h.stored(id); !strings.Contains(got, `"cart":[1,2],"user":"ada"`) {
		t.Errorf("renewed session holds %s, want the cart kept and the user added", got)
	}
}

func TestDestroyWithSaveUninitializedCreatesNothing(t *testing.T) {
	// express-session creates the replacement session on the next request
	// only; sesh neither stores it nor sends its cookie.
	h := newHarness(t, middleware.Options{SaveUninitialized: true}, func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).Destroy(r.Context()); err != nil {
			t.Fatal(err)
		}
	})
	h.seed("s", false, `,"user":"ada"`)
	w := h.do(h.cookieFor("s"))
	if n, _ := h.store.Len(context.Background()); n != 0 {
		t.Errorf("%d sessions stored after Destroy with SaveUninitialized, want none", n)
	}
	if sc, id := h.sessionCookie(w); id != "" || !strings.Contains(sc, "Expires=Thu, 01 Jan 1970") {
		t.Errorf("Set-Cookie %q, want the cookie cleared and no new session's cookie", sc)
	}
}

func TestDestroyClearsCookie(t *testing.T) {
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).Destroy(r.Context()); err != nil {
			t.Fatal(err)
		}
	})
	h.seed("s", true, `,"user":"ada"`)
	w := h.do(h.cookieFor("s"))
	if h.stored("s") != "" {
		t.Error("the session survived Destroy")
	}
	sc, _ := h.sessionCookie(w)
	if !strings.HasPrefix(sc, "connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
		t.Errorf("Set-Cookie %q, want the cookie cleared", sc)
	}
	if n, _ := h.store.Len(context.Background()); n != 0 {
		t.Errorf("%d sessions stored after Destroy; an empty replacement must not be saved", n)
	}
}

func TestDestroyThenWriteStartsNewSession(t *testing.T) {
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Destroy(r.Context())
		s.Set("flash", "signed out")
	})
	h.seed("s", false, `,"user":"ada"`)
	_, id := h.sessionCookie(h.do(h.cookieFor("s")))
	if id == "" || id == "s" || h.stored(id) == "" || strings.Contains(h.stored(id), "ada") {
		t.Errorf("id %q holds %q; want a new session with only the flash", id, h.stored(id))
	}
}

func TestSaveBeforeRedirect(t *testing.T) {
	var storedDuringHandler string
	var h *harness
	h = newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("user", "ada")
		if err := s.Save(r.Context()); err != nil {
			t.Fatal(err)
		}
		storedDuringHandler = h.stored(s.ID())
		http.Redirect(w, r, "/home", http.StatusSeeOther)
	})
	w := h.do("")
	if !strings.Contains(storedDuringHandler, `"user":"ada"`) {
		t.Errorf("Save did not store: %q", storedDuringHandler)
	}
	if _, id := h.sessionCookie(w); id == "" {
		t.Error("no cookie on the redirect")
	}
	if got := h.rec.Methods(); got != "create" {
		t.Errorf("calls %q: an explicitly saved, unchanged session must not be saved twice", got)
	}
}

func TestReload(t *testing.T) {
	var h *harness
	h = newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("local", "unsaved")
		h.overwrite("s", `,"views":5,"other":"request"`) // another request's write
		if err := s.Reload(r.Context()); err != nil {
			t.Fatal(err)
		}
		if n, _ := session.Get[int](s, "views"); n != 5 || s.Has("local") {
			t.Errorf("after Reload views=%d local=%v", n, s.Has("local"))
		}
		s.Destroy(r.Context())
		if err := s.Reload(r.Context()); !errors.Is(err, session.ErrDestroyed) {
			t.Errorf("Reload of a destroyed session: %v", err)
		}
	})
	h.seed("s", false, `,"views":1`)
	h.do(h.cookieFor("s"))
}

func TestUnset(t *testing.T) {
	for _, mode := range []middleware.Unset{middleware.UnsetKeep, middleware.UnsetDestroy} {
		h := newHarness(t, middleware.Options{Unset: mode, Rolling: true}, func(w http.ResponseWriter, r *http.Request) {
			s := session.FromContext(r.Context())
			s.Set("k", "v")
			s.Unset()
			if err := s.Set("k", "w"); !errors.Is(err, session.ErrUnset) {
				t.Errorf("Set after Unset: %v", err)
			}
		})
		h.seed("s", false, `,"k":"orig"`)
		w := h.do(h.cookieFor("s"))
		calls := h.rec.Methods()
		sc, _ := h.sessionCookie(w)
		switch mode {
		case middleware.UnsetKeep:
			if calls != "get" || h.stored("s") == "" || sc != "" {
				t.Errorf("keep: calls %q, cookie %q, stored %q; want only the read", calls, sc, h.stored("s"))
			}
		case middleware.UnsetDestroy:
			if calls != "get destroy" || h.stored("s") != "" || sc != "" {
				t.Errorf("destroy: calls %q, cookie %q, stored %q", calls, sc, h.stored("s"))
			}
		}
	}
}

func TestTouchAfter(t *testing.T) {
	h := newHarness(t, middleware.Options{TouchAfter: time.Hour, Cookie: middleware.Cookie{MaxAge: 24 * time.Hour}}, func(http.ResponseWriter, *http.Request) {})
	ctx := context.Background()
	h.store.Create(ctx, backend.Record{ID: "fresh", Data: []byte(`{"cookie":{"originalMaxAge":86400000,"expires":"2099-01-01T00:00:00.000Z"}}`), Expires: time.Now().Add(time.Hour), Modified: time.Now().Add(-time.Minute)})
	h.store.Create(ctx, backend.Record{ID: "stale", Data: []byte(`{"cookie":{"originalMaxAge":86400000,"expires":"2099-01-01T00:00:00.000Z"}}`), Expires: time.Now().Add(time.Hour), Modified: time.Now().Add(-2 * time.Hour)})
	h.do(h.cookieFor("fresh"))
	if got := h.rec.Methods(); got != "get" {
		t.Errorf("touched within TouchAfter: calls %q, want only the read", got)
	}
	h.do(h.cookieFor("stale"))
	if got := h.rec.Methods(); got != "get touch" {
		t.Errorf("after TouchAfter: calls %q, want a touch", got)
	}
	rec, _, _ := h.store.Get(ctx, "stale")
	if time.Since(rec.Modified) > time.Minute || rec.Expires.Before(time.Now().Add(23*time.Hour)) {
		t.Errorf("touch stored Modified %v Expires %v", rec.Modified, rec.Expires)
	}
	h.do(h.cookieFor("stale"))
	if got := h.rec.Methods(); got != "get" {
		t.Errorf("second request within TouchAfter: calls %q", got)
	}
}

func TestTouchExtendsExpiry(t *testing.T) {
	h := newHarness(t, middleware.Options{Cookie: middleware.Cookie{MaxAge: 24 * time.Hour}}, func(http.ResponseWriter, *http.Request) {})
	h.seed("s", true, ``) // expires in one hour
	h.do(h.cookieFor("s"))
	rec, _, _ := h.store.Get(context.Background(), "s")
	// The stored cookie's originalMaxAge is one hour: the touch resets
	// expiry to now + 1 h, like express-session's resetMaxAge.
	if d := time.Until(rec.Expires); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("expiry after touch in %v, want about an hour", d)
	}
}

func TestRememberMe(t *testing.T) {
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.SetMaxAge(30 * 24 * time.Hour)
		s.Set("user", "ada")
	})
	w := h.do("")
	sc, id := h.sessionCookie(w)
	if !strings.Contains(sc, "Expires=") {
		t.Errorf("remember-me cookie %s has no Expires", sc)
	}
	rec, _, _ := h.store.Get(context.Background(), id)
	if d := time.Until(rec.Expires); d < 29*24*time.Hour {
		t.Errorf("stored expiry in %v, want 30 days", d)
	}
}

func TestChangeAfterHeadersIsReported(t *testing.T) {
	var setErr error
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
		setErr = session.FromContext(r.Context()).Set("late", true)
	})
	h.do("")
	if !errors.Is(setErr, session.ErrCommitted) {
		t.Errorf("Set after the body started returned %v, want ErrCommitted", setErr)
	}
	if errs := h.errs.all(); len(errs) != 1 || !errors.Is(errs[0], session.ErrCommitted) {
		t.Errorf("OnError got %v, want the ErrCommitted reported too", errs)
	}
}

func TestReservedKeys(t *testing.T) {
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		for _, k := range []string{"cookie", "id", "req", "save", "lastModified", "constructor", "__proto__", "toString"} {
			if err := s.Set(k, 1); !errors.Is(err, session.ErrReservedKey) {
				t.Errorf("Set(%q) = %v, want ErrReservedKey", k, err)
			}
		}
		if err := s.Set("fn", func() {}); err == nil {
			t.Error("Set of a function succeeded")
		}
	})
	h.do("")
}

func TestPathScope(t *testing.T) {
	h := newHarness(t, middleware.Options{Cookie: middleware.Cookie{Path: "/app"}}, func(w http.ResponseWriter, r *http.Request) {
		if s := session.FromContext(r.Context()); s != nil {
			s.Set("in", r.URL.Path)
		}
	})
	if w := h.doRequest(httptest.NewRequest("GET", "/other", nil), ""); w.Header().Get("Set-Cookie") != "" {
		t.Error("a request outside the cookie path got a session")
	}
	sc, _ := h.sessionCookie(h.doRequest(httptest.NewRequest("GET", "/app/x", nil), ""))
	if !strings.Contains(sc, "Path=/app") {
		t.Errorf("Set-Cookie %q", sc)
	}
}

func TestReentrant(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	h.handler = h.mw.Handler(h.handler) // the same middleware twice
	w := h.do("")
	if n := len(w.Header().Values("Set-Cookie")); n != 1 {
		t.Errorf("%d Set-Cookie headers from nested middleware, want 1", n)
	}
}

func TestHandlerPanicSavesNothing(t *testing.T) {
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("half", "done")
		panic(http.ErrAbortHandler)
	})
	func() {
		defer func() { recover() }()
		h.do("")
	}()
	if got := h.rec.Methods(); got != "" {
		t.Errorf("calls %q after a panicking handler, want none", got)
	}
}

func TestTypedAccess(t *testing.T) {
	type user struct {
		Name  string    `json:"name"`
		Since time.Time `json:"since"`
	}
	since := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if s.IsNew() {
			s.Set("user", user{"ada", since})
			s.Set("flash", "welcome")
			return
		}
		u, ok := session.Get[user](s, "user")
		if !ok || u.Name != "ada" || !u.Since.Equal(since) {
			t.Errorf("Get[user] = %+v, %v", u, ok)
		}
		if _, ok := session.Get[int](s, "user"); ok {
			t.Error("Get[int] of an object succeeded")
		}
		if msg, ok := session.Pop[string](s, "flash"); !ok || msg != "welcome" || s.Has("flash") {
			t.Errorf("Pop = %q, %v; still there: %v", msg, ok, s.Has("flash"))
		}
		if raw, _ := s.JSON("user"); !bytes.Contains(raw, []byte(`"since":"2020-01-02T03:04:05Z"`)) {
			t.Errorf("JSON = %s", raw)
		}
	})
	_, id := h.sessionCookie(h.do(""))
	h.do(h.cookieFor(id))
}

// tokenBackend hands out its own tokens and records the tokens it gets
// back with each write.
type tokenBackend struct {
	backend.Backend
	got []any
}

func (b *tokenBackend) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	rec, found, err := b.Backend.Get(ctx, id)
	rec.Token = backend.NewToken("read " + id)
	return rec, found, err
}

func (b *tokenBackend) Update(ctx context.Context, rec backend.Record) (backend.Token, error) {
	b.got = append(b.got, rec.Token.Sys())
	if _, err := b.Backend.Update(ctx, rec); err != nil {
		return backend.Token{}, err
	}
	return backend.NewToken("written " + rec.ID), nil
}

func (b *tokenBackend) Touch(ctx context.Context, id string, expires, modified time.Time, tok backend.Token) error {
	b.got = append(b.got, tok.Sys())
	return b.Backend.Touch(ctx, id, expires, modified, tok)
}

func TestTokenGoesBackToTheBackend(t *testing.T) {
	h := newHarness(t, middleware.Options{}, nil)
	tb := &tokenBackend{Backend: h.store}
	mw, _ := middleware.New(middleware.Options{Backend: tb, Secrets: []string{secret}})
	h.handler = mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("write") {
			s := session.FromContext(r.Context())
			s.Set("a", 1)
			if err := s.Save(r.Context()); err != nil {
				t.Error(err)
			}
			s.Set("b", 2) // saved again at the end, with the first write's token
		}
	}))
	h.seed("s", false, `,"views":1`)
	h.doRequest(httptest.NewRequest("GET", "/?write", nil), h.cookieFor("s"))
	h.doRequest(httptest.NewRequest("GET", "/", nil), h.cookieFor("s"))
	want := []any{"read s", "written s", "read s"}
	if fmt.Sprint(tb.got) != fmt.Sprint(want) {
		t.Fatalf("the backend got tokens %q with its writes, want %q", tb.got, want)
	}
}

func TestSaveSurvivesClientDisconnect(t *testing.T) {
	ctx, disconnect := context.WithCancel(context.Background())
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		setViews(w, r)
		disconnect() // the client goes away while the handler works
	})
	w := h.doRequest(httptest.NewRequest("GET", "/", nil).WithContext(ctx), "")
	if _, id := h.sessionCookie(w); id == "" || !strings.Contains(h.stored(id), `"views":1`) {
		t.Fatalf("the handler's change was lost with the connection (status %d)", w.Code)
	}
}

func TestCookieAttributesFromOptions(t *testing.T) {
	h := newHarness(t, middleware.Options{
		Name: "sid",
		Cookie: middleware.Cookie{
			MaxAge: time.Hour, Domain: "example.com", Path: "/", DisableHTTPOnly: true,
			Secure: middleware.SecureAlways, SameSite: middleware.SameSiteNone,
			Partitioned: true, Priority: middleware.PriorityHigh,
		},
	}, setViews)
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.TLS = &tls.ConnectionState{}
	w := h.doRequest(r, "")
	sc := w.Header().Get("Set-Cookie")
	re := regexp.MustCompile(`^sid=s%3A[A-Za-z0-9_-]{32}\.[A-Za-z0-9%]+; Domain=example\.com; Path=/; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT; Secure; Partitioned; Priority=High; SameSite=None$`)
	if !re.MatchString(sc) {
		t.Fatalf("Set-Cookie %s\nwant the configured attributes, in express-session's order, without HttpOnly", sc)
	}
	id, _ := url.PathUnescape(strings.SplitN(strings.TrimPrefix(sc, "sid=s%3A"), ".", 2)[0])
	stored := h.stored(id)
	for _, part := range []string{`"partitioned":true`, `"priority":"high"`, `"secure":true`, `"httpOnly":false`, `"domain":"example.com"`, `"sameSite":"none"`} {
		if !strings.Contains(stored, part) {
			t.Errorf("stored cookie %s lacks %s", stored, part)
		}
	}
}

func TestTouchResetsExpiry(t *testing.T) {
	var before, after time.Time
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		before = s.Expires()
		time.Sleep(5 * time.Millisecond)
		s.Touch()
		after = s.Expires()
	})
	h.seed("s", true, ``)
	h.do(h.cookieFor("s"))
	if !after.After(before) {
		t.Errorf("Touch left the expiry at %v (was %v), want it moved to now + max age", after, before)
	}
}

func TestChangeAndRevertIsNotAModification(t *testing.T) {
	// express-session compares the serialized data with what was loaded:
	// a value changed and changed back is not a modification.
	h := newHarness(t, middleware.Options{}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("k", "changed")
		s.Set("extra", 1)
		s.Delete("extra")
		s.Set("k", "original")
	})
	h.seed("s", false, `,"k":"original"`)
	h.do(h.cookieFor("s"))
	if got := h.rec.Methods(); got != "get touch" {
		t.Errorf("calls %q, want the reverted session touched, not rewritten", got)
	}
}
