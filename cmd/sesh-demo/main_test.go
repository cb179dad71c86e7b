package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/sessiontest"
)

// newTour returns the tour behind a test middleware with the tour's options
// (memory backend).
func newTour(t *testing.T) (*sessiontest.Harness, http.Handler) {
	h := sessiontest.New(t, options())
	return h, routes(h.Middleware)
}

// form returns a POST of values as a browser sends a form.
func form(path string, values url.Values) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(values.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36")
	return r
}

// value returns the value stored under key in session id, decoded.
func value[T any](t *testing.T, h *sessiontest.Harness, id, key string) T {
	t.Helper()
	var v T
	s, found := h.Lookup(id)
	if !found {
		t.Fatalf("session %s is not stored", id)
	}
	if _, err := s.Decode(key, &v); err != nil {
		t.Fatalf("session %s, %s: %v", id, key, err)
	}
	return v
}

// approx reports whether d is within a minute of want.
func approx(d, want time.Duration) bool { return d > want-time.Minute && d < want+time.Minute }

func TestEveryFormNeedsTheSessionsCSRFToken(t *testing.T) {
	h, tour := newTour(t)
	h.Seed(sessiontest.Session{Values: map[string]any{"csrf": "token-of-another-session"}})
	for _, tc := range []struct {
		name   string
		stored string // the session's token, "" for none
		sent   url.Values
	}{
		{"no token sent", "token-1", url.Values{}},
		{"a wrong token", "token-1", url.Values{"csrf": {"token-2"}}},
		{"another session's token", "token-1", url.Values{"csrf": {"token-of-another-session"}}},
		{"a prefix of the token", "token-1", url.Values{"csrf": {"token-"}}},
		{"no token in the session, none sent", "", url.Values{"csrf": {""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/login", "/logout", "/logout/others"} {
				values := map[string]any{"user": "ada"}
				if tc.stored != "" {
					values["csrf"] = tc.stored
				}
				id := h.Seed(sessiontest.Session{Values: values, Owner: "ada"})
				sent := url.Values{"name": {"mallory"}}
				for k, v := range tc.sent {
					sent[k] = v
				}
				w := h.Serve(tour, form(path, sent), id)
				if w.Code != http.StatusForbidden {
					t.Errorf("POST %s: status %d, want 403", path, w.Code)
				}
				if user := value[string](t, h, id, "user"); user != "ada" {
					t.Errorf("POST %s: the refused request changed the session: user %q", path, user)
				}
			}
		})
	}
	t.Run("the right token", func(t *testing.T) {
		id := h.Seed(sessiontest.Session{Values: map[string]any{"user": "ada", "csrf": "token-1"}, Owner: "ada"})
		w := h.Serve(tour, form("/logout", url.Values{"csrf": {"token-1"}}), id)
		if w.Code != http.StatusSeeOther {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if _, found := h.Lookup(id); found {
			t.Error("the sign-out with the right token did not end the session")
		}
	})
	t.Run("a JSON request to a page", func(t *testing.T) {
		id := h.Seed(sessiontest.Session{Values: map[string]any{"user": "ada", "csrf": "token-1"}, Owner: "ada"})
		r := httptest.NewRequest("POST", "/logout", strings.NewReader("{}"))
		r.Header.Set("Content-Type", "application/json")
		if w := h.Serve(tour, r, id); w.Code != http.StatusForbidden {
			t.Errorf("status %d: only /api/ takes JSON without a token", w.Code)
		}
	})
	t.Run("a form posted to the API", func(t *testing.T) {
		r := form("/api/login", url.Values{"name": {"mallory"}})
		if w := h.Serve(tour, r, ""); w.Code != http.StatusForbidden {
			t.Errorf("status %d: a form, which any site can post, got past the API's JSON-only door", w.Code)
		}
	})
}

func TestPagesCarryTheToken(t *testing.T) {
	h, tour := newTour(t)
	w := h.Serve(tour, httptest.NewRequest("GET", "/", nil), "")
	id := h.ID(w.Result())
	token := value[string](t, h, id, "csrf")
	if len(token) < 20 {
		t.Fatalf("the session's token %q is short", token)
	}
	if !strings.Contains(w.Body.String(), `name="csrf" value="`+token+`"`) {
		t.Fatalf("the sign-in form does not carry the session's token:\n%s", w.Body)
	}
	w = h.Serve(tour, form("/login", url.Values{"name": {"ada"}, "csrf": {token}}), id)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("signing in with the page's token: status %d", w.Code)
	}
	next := h.ID(w.Result())
	w = h.Serve(tour, httptest.NewRequest("GET", "/", nil), next)
	fresh := value[string](t, h, next, "csrf")
	if fresh == token || !strings.Contains(w.Body.String(), `value="`+fresh+`"`) {
		t.Errorf("after sign-in the token is %q (before: %q): it must be new", fresh, token)
	}
}

func TestSignInRegenerates(t *testing.T) {
	h, tour := newTour(t)
	before := h.Seed(sessiontest.Session{Values: map[string]any{"csrf": "t", "visits": 4, "returnTo": "/sessions"}})
	start := time.Now()
	w := h.Serve(tour, form("/login", url.Values{"name": {" ada "}, "csrf": {"t"}}), before)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/sessions" {
		t.Fatalf("status %d to %q, want 303 to the returnTo address", w.Code, w.Header().Get("Location"))
	}
	after := h.ID(w.Result())
	if after == "" || after == before {
		t.Fatalf("the session id did not change at sign-in (%q, then %q): session fixation", before, after)
	}
	if _, found := h.Lookup(before); found {
		t.Error("the session from before sign-in is still stored")
	}
	s, _ := h.Lookup(after)
	if s.Owner != "ada" {
		t.Errorf("owner %q", s.Owner)
	}
	if got := value[string](t, h, after, "user"); got != "ada" {
		t.Errorf("user %q", got)
	}
	if got := value[int](t, h, after, "visits"); got != 4 {
		t.Errorf("the visit count did not survive the sign-in: %d", got)
	}
	if got := value[string](t, h, after, "device"); got != "Chrome on Linux" {
		t.Errorf("device %q", got)
	}
	if got := value[time.Time](t, h, after, "signedInAt"); got.Before(start.Add(-time.Second)) || got.After(time.Now()) {
		t.Errorf("signedInAt %v", got)
	}
	if keys := s.Keys(); strings.Contains(strings.Join(keys, ","), "returnTo") || strings.Contains(strings.Join(keys, ","), "csrf") {
		t.Errorf("the new session inherited %v: Regenerate must start empty", keys)
	}
}

func TestRememberMe(t *testing.T) {
	h, tour := newTour(t)
	for _, tc := range []struct {
		remember string
		want     time.Duration
	}{{"on", rememberFor}, {"", 24 * time.Hour}} {
		id := h.Seed(sessiontest.Session{Values: map[string]any{"csrf": "t"}})
		w := h.Serve(tour, form("/login", url.Values{"name": {"ada"}, "csrf": {"t"}, "remember": {tc.remember}}), id)
		var cookie *http.Cookie
		for _, c := range w.Result().Cookies() {
			if c.Name == "connect.sid" {
				cookie = c
			}
		}
		if cookie == nil {
			t.Fatalf("remember %q: no session cookie", tc.remember)
		}
		if left := time.Until(cookie.Expires); !approx(left, tc.want) {
			t.Errorf("remember %q: the cookie expires in %v, want %v", tc.remember, left, tc.want)
		}
		if cookie.SameSite != http.SameSiteLaxMode || !cookie.HttpOnly {
			t.Errorf("the cookie is not HttpOnly and SameSite=Lax: %v", cookie)
		}
		s, _ := h.Lookup(h.ID(w.Result()))
		if left := time.Until(s.Expires); !approx(left, tc.want) {
			t.Errorf("remember %q: the stored session expires in %v, want %v", tc.remember, left, tc.want)
		}
	}
}

func TestReturnToStaysOnThisSite(t *testing.T) {
	for p, want := range map[string]string{
		"/sessions": "/sessions", "/a?b=c": "/a?b=c", "": "/",
		"//evil.example/": "/", `/\evil.example`: "/", "https://evil.example/": "/",
		"javascript:alert(1)": "/", "sessions": "/",
	} {
		if got := localPath(p); got != want {
			t.Errorf("localPath(%q) = %q, want %q", p, got, want)
		}
	}
}

var flashRE = regexp.MustCompile(`id="flash"[^>]*>([^<]*)<`)

func TestFlashShownOnce(t *testing.T) {
	h, tour := newTour(t)
	id := h.Seed(sessiontest.Session{Values: map[string]any{"flash": "Welcome, ada!"}})
	var shown []string
	for range 2 {
		w := h.Serve(tour, httptest.NewRequest("GET", "/", nil), id)
		if m := flashRE.FindStringSubmatch(w.Body.String()); m != nil {
			shown = append(shown, m[1])
		}
	}
	if len(shown) != 1 || shown[0] != "Welcome, ada!" {
		t.Fatalf("the flash was shown %q over two pages, want once", shown)
	}
}

func TestSignOut(t *testing.T) {
	h, tour := newTour(t)
	id := h.Seed(sessiontest.Session{Values: map[string]any{"user": "ada", "csrf": "t"}, Owner: "ada"})
	w := h.Serve(tour, form("/logout", url.Values{"csrf": {"t"}}), id)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d", w.Code)
	}
	if _, found := h.Lookup(id); found {
		t.Error("the session is still stored after sign-out")
	}
	next := h.ID(w.Result())
	if next == "" || next == id {
		t.Fatalf("after sign-out the cookie holds %q (was %q): want a new session for the message", next, id)
	}
	w = h.Serve(tour, httptest.NewRequest("GET", "/", nil), next)
	if body := w.Body.String(); !strings.Contains(body, "Signed out.") || !strings.Contains(body, `id="login"`) {
		t.Errorf("the page after sign-out:\n%s", body)
	}
}

func TestSessionsPage(t *testing.T) {
	h, tour := newTour(t)
	seed := func(owner, device string) string {
		return h.Seed(sessiontest.Session{Owner: owner, Values: map[string]any{"user": owner, "device": device}})
	}
	mine := seed("ada", "Chrome on Linux")
	seed("ada", "Firefox on Windows")
	seed("bob", "Safari on macOS")
	w := h.Serve(tour, httptest.NewRequest("GET", "/sessions", nil), mine)
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	rows := regexp.MustCompile(`(?s)<tr( class="this-device")?><td>(.*?)</td>`).FindAllStringSubmatch(body, -1)
	if len(rows) != 2 {
		t.Fatalf("%d rows, want ada's 2 sessions:\n%s", len(rows), body)
	}
	if rows[0][1] == "" || rows[0][2] != "Chrome on Linux <strong>(this device)</strong>" || rows[1][1] != "" || rows[1][2] != "Firefox on Windows" {
		t.Errorf("rows %q: want this device first, marked, then the other", rows)
	}

	// Signed out: back home, and here again after signing in.
	w = h.Serve(tour, httptest.NewRequest("GET", "/sessions", nil), "")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
		t.Fatalf("signed out: status %d to %q", w.Code, w.Header().Get("Location"))
	}
	if got := value[string](t, h, h.ID(w.Result()), "returnTo"); got != "/sessions" {
		t.Errorf("returnTo %q", got)
	}
}

func TestSignOutEverywhereElse(t *testing.T) {
	h, tour := newTour(t)
	seed := func(owner string) string {
		return h.Seed(sessiontest.Session{Owner: owner, Values: map[string]any{"user": owner, "csrf": "t"}})
	}
	mine, other1, other2, bobs := seed("ada"), seed("ada"), seed("ada"), seed("bob")
	w := h.Serve(tour, form("/logout/others", url.Values{"csrf": {"t"}}), mine)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/sessions" {
		t.Fatalf("status %d to %q", w.Code, w.Header().Get("Location"))
	}
	for id, want := range map[string]bool{mine: true, other1: false, other2: false, bobs: true} {
		if _, found := h.Lookup(id); found != want {
			t.Errorf("session %s stored: %v, want %v", id, found, want)
		}
	}
	if got := value[string](t, h, mine, "flash"); got != "Signed out 2 other sessions." {
		t.Errorf("flash %q", got)
	}
	// The other device's next request is signed out.
	w = h.Serve(tour, httptest.NewRequest("GET", "/", nil), other1)
	if body := w.Body.String(); !strings.Contains(body, `id="login"`) || strings.Contains(body, "Signed in as") {
		t.Errorf("the other device still looks signed in:\n%s", body)
	}
}

func TestAPIWithBearerToken(t *testing.T) {
	h, tour := newTour(t)
	login := httptest.NewRequest("POST", "/api/login", strings.NewReader(`{"name":"ada","remember":true}`))
	login.Header.Set("Content-Type", "application/json")
	login.Header.Set("User-Agent", "curl/8.5.0")
	w := h.Serve(tour, login, "")
	var answer struct{ Token string }
	json.Unmarshal(w.Body.Bytes(), &answer)
	token := answer.Token
	if _, inHeader := w.Header()["X-Session-Token"]; inHeader {
		t.Error("the token was sent in a response header")
	}
	if w.Code != http.StatusOK || token == "" {
		t.Fatalf("login: status %d, token %q: %s", w.Code, token, w.Body)
	}
	me := func(authorization string) (int, map[string]any) {
		r := httptest.NewRequest("GET", "/api/me", nil)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		w := h.Serve(tour, r, "") // no cookie
		var body map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("not JSON: %s", w.Body)
		}
		return w.Code, body
	}
	code, body := me("Bearer " + token)
	if code != http.StatusOK || body["user"] != "ada" || body["device"] != "curl" {
		t.Fatalf("with the token: %d %v", code, body)
	}
	if exp, _ := time.Parse(time.RFC3339, body["expires"].(string)); !approx(time.Until(exp), rememberFor) {
		t.Errorf("remember over the API: expires %v", body["expires"])
	}
	for _, auth := range []string{"", "Bearer " + token[:len(token)-2] + "xx", "Basic YWRhOg=="} {
		if code, body := me(auth); code != http.StatusUnauthorized || body["error"] == nil {
			t.Errorf("Authorization %q: %d %v, want 401", auth, code, body)
		}
	}
	for _, bad := range []string{`{"name":""}`, `name=ada`, `{"name":"` + strings.Repeat("x", 41) + `"}`} {
		r := httptest.NewRequest("POST", "/api/login", strings.NewReader(bad))
		r.Header.Set("Content-Type", "application/json")
		if w := h.Serve(tour, r, ""); w.Code != http.StatusBadRequest {
			t.Errorf("login with %s: status %d, want 400", bad, w.Code)
		}
	}
}

func TestDevice(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36":                           "Headless Chrome on Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0":           "Edge on Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1": "Safari on iOS",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36":                            "Chrome on Android",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:131.0) Gecko/20100101 Firefox/131.0":                                                     "Firefox on macOS",
		"curl/8.5.0": "curl",
		"":           "Unknown browser",
	} {
		if got := device(ua); got != want {
			t.Errorf("device(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestBackendFromEnvironment(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	t.Setenv("DATABASE_URL", "")
	t.Setenv("MONGODB_URI", "")
	store, describe, err := openBackend()
	if err != nil || describe != "memory backend" {
		t.Fatalf("without MONGODB_URI: %q, %v", describe, err)
	}
	closeBackend(store)
	t.Setenv("MONGODB_URI", "not a mongo uri")
	if _, _, err := openBackend(); err == nil {
		t.Error("a MONGODB_URI that is not a connection string was not tried")
	}
}
