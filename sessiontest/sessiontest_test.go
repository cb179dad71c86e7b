package sessiontest_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seshgo/sesh/cipher"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
	"github.com/seshgo/sesh/sessiontest"
)

func TestHarnessWithEncryptionOwnerAndMaxAge(t *testing.T) {
	c, err := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{"k"}, Iterations: cipher.MinWebCryptoIterations})
	if err != nil {
		t.Fatal(err)
	}
	h := sessiontest.New(t, middleware.Options{Name: "sid", Encryption: middleware.Encryption{Cipher: c}})
	id := h.Seed(sessiontest.Session{Values: map[string]any{"n": 41}, Owner: "ada", MaxAge: time.Hour})
	got, found := h.Lookup(id)
	if !found || got.Owner != "ada" || time.Until(got.Expires) < 59*time.Minute {
		t.Fatalf("seeded session: %+v, found %v", got, found)
	}
	var n int
	w := h.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		n, _ = session.Get[int](s, "n")
		s.Destroy(r.Context())
	}), httptest.NewRequest("GET", "/", nil), id)
	if n != 41 {
		t.Errorf("the handler saw n = %d, want 41", n)
	}
	if id := h.ID(w.Result()); id != "" {
		t.Errorf("ID of a response that clears the cookie = %q, want \"\"", id)
	}
	if _, found := h.Lookup(id); found {
		t.Error("the destroyed session is still stored")
	}
}

func TestHarnessKeepsErrors(t *testing.T) {
	h := sessiontest.New(t, middleware.Options{})
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(sessiontest.Cookie("connect.sid", "another secret", "abc"))
	h.Serve(http.NotFoundHandler(), r, "")
	if errs := h.Errors(); len(errs) != 1 || !errors.Is(errs[0], session.ErrInvalidCookie) {
		t.Errorf("Errors() = %v, want the badly signed cookie", errs)
	}
}

func TestIDRejectsForgedCookies(t *testing.T) {
	w := httptest.NewRecorder()
	http.SetCookie(w, sessiontest.Cookie("connect.sid", "forger", "abc"))
	if id := sessiontest.ID(w.Result(), "connect.sid", "the real secret"); id != "" {
		t.Errorf("ID accepted a cookie signed with another secret: %q", id)
	}
	if id := sessiontest.ID(w.Result(), "connect.sid", "the real secret", "forger"); id != "abc" {
		t.Errorf("ID with the signing secret among several = %q, want abc", id)
	}
}
