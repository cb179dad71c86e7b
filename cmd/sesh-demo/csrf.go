package main

import (
	"crypto/rand"
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"

	"github.com/seshgo/sesh/session"
)

// csrfKey is the session key of the CSRF token, and the name of the hidden
// form field that carries it.
const csrfKey = "csrf"

// csrfToken returns the session's CSRF token, creating it on first use: a
// random value that only this session's pages know. Every form carries it
// in a hidden field; another site can make a browser post a form here, with
// the cookie, but cannot read the token to put in it. Regenerate and
// Destroy drop it with the rest of the session, so a token seen before
// signing in is worthless after.
func csrfToken(s *session.Session) (string, error) {
	if token, ok := session.Get[string](s, csrfKey); ok {
		return token, nil
	}
	token := rand.Text() // 128 random bits
	return token, s.Set(csrfKey, token)
}

// checkCSRF refuses every request that may change something (any method
// but GET, HEAD and OPTIONS, which must therefore change nothing that
// matters) unless its form carries the session's CSRF token. The
// comparison takes the same time wherever the first difference is, so
// that timing does not reveal the token byte by byte.
//
// JSON requests to /api/ need no token: a page of another site cannot send
// Content-Type: application/json here without the browser first asking
// (a CORS preflight), which this server never approves. Go's
// http.CrossOriginProtection is a token-free alternative that relies on
// browsers sending Sec-Fetch-Site or Origin.
func checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions:
		case strings.HasPrefix(r.URL.Path, "/api/") && isJSON(r):
		default:
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			want, _ := session.Get[string](session.FromContext(r.Context()), csrfKey)
			got := r.PostFormValue(csrfKey)
			if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				http.Error(w, "This form has expired or comes from another site: go back, reload the page and try again.", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func isJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}
