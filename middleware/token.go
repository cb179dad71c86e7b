package middleware

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/session"
)

// token is the resolved Token option.
type token struct {
	header         string // canonical; "" when tokens are off
	scheme         string // with its trailing space, or ""
	responseHeader string // canonical
	disableCookie  bool
}

func (m *Middleware) setToken(t Token) error {
	if t.Header == "" {
		if t.DisableCookie || t.Scheme != "" || t.ResponseHeader != "" {
			return invalid("Token: DisableCookie, Scheme and ResponseHeader need a Token.Header")
		}
		return nil
	}
	for _, h := range []string{t.Header, t.ResponseHeader} {
		if h != "" && !validCookieName(h) {
			return invalid("Token: %q is not a header name", h)
		}
	}
	m.token.header = textproto.CanonicalMIMEHeaderKey(t.Header)
	scheme := t.Scheme
	if scheme == "" && m.token.header == "Authorization" {
		scheme = "Bearer"
	}
	if scheme != "" {
		m.token.scheme = scheme + " "
	}
	m.token.responseHeader = textproto.CanonicalMIMEHeaderKey(t.ResponseHeader)
	if m.token.responseHeader == "" {
		m.token.responseHeader = "X-Session-Token"
	}
	m.token.disableCookie = t.DisableCookie
	return nil
}

// find returns the token the request carries in the header, if any: the
// cookie's value, unencoded (a percent-encoded one is accepted too).
func (t *token) find(r *http.Request) (string, bool) {
	if t.header == "" {
		return "", false
	}
	v := r.Header.Get(t.header)
	if v == "" {
		return "", false
	}
	if t.scheme != "" {
		if len(v) < len(t.scheme) || !strings.EqualFold(v[:len(t.scheme)], t.scheme) {
			return "", false // another scheme (Basic, say): not ours
		}
		v = v[len(t.scheme):]
	}
	v = strings.TrimSpace(v)
	if strings.IndexByte(v, '%') >= 0 {
		if dec, ok := cookie.DecodeURIComponent(v); ok {
			v = dec
		}
	}
	return v, true
}

// Token returns the token that carries session s in a request header: what
// a sign-in handler hands an API client in its response body. The
// middleware itself sends a token, in Token.ResponseHeader, only to
// requests that carried one (or when cookies are off): never to a browser
// page, whose scripts could read a response header but not an HttpOnly
// cookie.
func (m *Middleware) Token(s *session.Session) string {
	return "s:" + m.signer.Sign(s.ID())
}

// send puts value, a new token or "" to forget it, on the response.
func (t *token) send(h http.Header, value string) {
	h.Set(t.responseHeader, value)
	h.Add("Cache-Control", `no-cache="`+t.responseHeader+`"`)
}

// vary says that the response depends on the token header.
func (t *token) vary(h http.Header) {
	if !headerHas(h, "Vary", t.header) {
		h.Add("Vary", t.header)
	}
}
