package middleware_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

func TestBearerTokens(t *testing.T) {
	var h *harness
	h = newHarness(t, middleware.Options{Token: middleware.Token{Header: "Authorization"}}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		switch r.URL.Path {
		case "/signout":
			s.Destroy(r.Context())
			return
		case "/login":
			s.Set("calls", 0)
			w.Write([]byte(h.mw.Token(s))) // the first token, in the body
			return
		}
		n, _ := session.Get[int](s, "calls")
		s.Set("calls", n+1)
		w.Write([]byte{byte('0' + n + 1)})
	})
	call := func(path, auth string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "http://api.example.com"+path, nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return h.doRequest(r, "")
	}
	w := call("/login", "")
	token := w.Body.String()
	if len(token) < 40 || token[:2] != "s:" || !slices.Equal(w.Header().Values("Vary"), []string{"Cookie", "Authorization"}) {
		t.Fatalf("sign-in: token %q, Vary %q", token, w.Header().Values("Vary"))
	}
	if _, sent := w.Header()["X-Session-Token"]; sent {
		t.Error("a request without a token got one in a response header, which a page's scripts could read")
	}
	if got := call("/", "Bearer "+token).Body.String(); got != "1" {
		t.Errorf("with the bearer token the client saw call %s, want 1", got)
	}
	if got := call("/", "bearer  "+token).Body.String(); got != "2" {
		t.Errorf("the scheme is case-insensitive: call %s, want 2", got)
	}
	// Tampered: a fresh session, reported as an invalid cookie.
	if got := call("/", "Bearer "+token[:len(token)-1]+"x").Body.String(); got != "1" {
		t.Errorf("a tampered token gave call %s, want a fresh session", got)
	}
	if errs := h.errs.all(); len(errs) != 1 || !errors.Is(errs[0], session.ErrInvalidCookie) {
		t.Errorf("OnError got %v, want the tampered token reported", errs)
	}
	// Another scheme is not ours.
	if got := call("/", "Basic YWRhOnB3").Body.String(); got != "1" {
		t.Errorf("Basic credentials gave call %s, want a fresh session", got)
	}
	if n := len(h.errs.all()); n != 1 {
		t.Errorf("Basic credentials were reported as a bad token")
	}
	// Signing out tells the client to forget its token.
	w = call("/signout", "Bearer "+token)
	if v, ok := w.Header()["X-Session-Token"]; !ok || len(v) != 1 || v[0] != "" {
		t.Errorf("after sign-out X-Session-Token is %q, want present and empty", v)
	}
	if got := call("/", "Bearer "+token).Body.String(); got != "1" {
		t.Errorf("the signed-out token still works: call %s", got)
	}
}

func TestHeaderOnlySessions(t *testing.T) {
	h := newHarness(t, middleware.Options{Token: middleware.Token{Header: "X-Session", ResponseHeader: "X-Session", DisableCookie: true}}, setViews)
	w := h.do("")
	token := w.Header().Get("X-Session")
	if token == "" || w.Header().Get("Set-Cookie") != "" {
		t.Fatalf("token %q, Set-Cookie %q; want a token and no cookie", token, w.Header().Get("Set-Cookie"))
	}
	if _, ok := h.signer.Unsign(token[2:]); !ok {
		t.Fatalf("token %q is not signed with the secret", token)
	}
	// A cookie is ignored when cookies are off.
	r := httptest.NewRequest("GET", "/", nil)
	w = h.doRequest(r, h.cookieFor("whatever"))
	if w.Header().Get("X-Session") == token || len(h.errs.all()) != 0 {
		t.Errorf("the cookie was read although cookies are off")
	}
	r = httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Session", token)
	if w := h.doRequest(r, ""); w.Header().Get("X-Session") != "" || w.Code != 200 {
		t.Errorf("a loaded, browser-session token was sent again (%q)", w.Header().Get("X-Session"))
	}
}

func TestInvalidTokenOptions(t *testing.T) {
	for name, tok := range map[string]middleware.Token{
		"cookie off without a header": {DisableCookie: true},
		"bad header name":             {Header: "X Session"},
		"bad response header":         {Header: "X-Session", ResponseHeader: "a:b"},
	} {
		if _, err := middleware.New(middleware.Options{Backend: &nopBackend{}, Secrets: []string{secret}, Token: tok}); !errors.Is(err, middleware.ErrInvalidOptions) {
			t.Errorf("%s: %v, want ErrInvalidOptions", name, err)
		}
	}
}
