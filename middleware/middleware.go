// Package middleware is sesh's net/http middleware: express-session for Go.
//
// It reads and verifies the signed session cookie, loads the session from a
// backend, attaches it to the request's context (read it with
// session.FromContext, or Middleware.FromContext when a request passes
// through several session middlewares), and at the end saves, touches or
// destroys it and sends the cookie, following express-session 1.19's rules:
// the resave, saveUninitialized, rolling and unset options mean what they
// mean there, the cookie value is byte-identical (s:<id>.<HMAC-SHA256>),
// and the stored session is express-session's JSON. An Express application
// and a Go service configured alike can therefore share sessions.
//
// Where sesh deliberately differs, it is safer: express-session sends the
// response headers first and writes the store while the body goes out, so
// a failed write is reported after the client saw success; sesh saves
// before the first byte of the response (the first WriteHeader, Write,
// ReadFrom, Flush or Hijack, or the end of the handler), so the Set-Cookie
// header is always included and a failed save becomes an error response.
// Handlers must therefore make their session changes before writing the
// response. And a session destroyed by one request (a sign-out) is never
// written back by another that loaded it earlier.
package middleware

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/internal/core"
	"github.com/seshgo/sesh/session"
)

// Middleware is a configured session middleware. Its Handler wraps the
// handlers that use sessions. It is safe for concurrent use.
type Middleware struct {
	key        *core.Key // this instance's context key
	trustProxy bool
	name       string
	path       string
	signer     *cookie.Signer
	manager    *core.Manager
	logger     *slog.Logger
	onError    func(*http.Request, error)
	onFail     func(http.ResponseWriter, *http.Request, error)
	sameSite   SameSite
	secure     Secure
	token      token // sessions in a header, when configured

	proxyWarning sync.Once // an untrusted X-Forwarded-Proto: https
}

// Handler returns next wrapped by the session middleware; it has the type
// routers' Use methods take (chi's r.Use(m.Handler)). Requests whose path
// is outside Cookie.Path get no session.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(w, r, next)
	})
}

// FromContext returns the session this middleware attached to ctx, or nil:
// what session.FromContext returns when a request passes through only one
// session middleware.
func (m *Middleware) FromContext(ctx context.Context) *session.Session {
	st := core.FromContext(ctx, m.key)
	if st == nil {
		return nil
	}
	return st.Handle().(*session.Session)
}

// isSecure is express-session's issecure: a TLS connection, or with
// TrustProxy an X-Forwarded-Proto whose first value is https.
func (m *Middleware) isSecure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	// The map, not Get: the key is canonical already, and this runs on
	// every request.
	values := r.Header["X-Forwarded-Proto"]
	if len(values) == 0 || values[0] == "" {
		return false
	}
	proto := values[0]
	if i := strings.IndexByte(proto, ','); i >= 0 {
		proto = proto[:i]
	}
	https := strings.EqualFold(strings.TrimSpace(proto), "https")
	if !m.trustProxy {
		if https {
			m.proxyWarning.Do(func() {
				m.logger.Warn("sesh: a request says it came over HTTPS (X-Forwarded-Proto: https), but Options.TrustProxy is off, so session cookies are not marked Secure and SameSite=None is not used; set TrustProxy if a proxy you control terminates TLS and sets the header")
			})
		}
		return false
	}
	return https
}

// resolve returns the Secure flag and SameSite value a new session's cookie
// gets on this request.
func (m *Middleware) resolve(secureRequest bool) (bool, string) {
	var secure bool
	switch m.secure {
	case SecureAuto:
		secure = secureRequest
	case SecureAlways:
		secure = true
	}
	switch m.sameSite {
	case SameSiteStrict:
		return secure, "strict"
	case SameSiteNone:
		return secure, "none"
	case SameSiteAuto:
		if secureRequest {
			return secure, "none"
		}
		return secure, "lax"
	case SameSiteOmit:
		return secure, ""
	}
	return secure, "lax"
}

// sessionID returns the verified session id the request's token header or
// cookie carries, "" when it carries none. One that is present but not
// validly signed is reported as ErrInvalidCookie and yields "".
// viaToken reports that the request carried the token header, which
// marks an API client: only those get tokens in responses.
func (m *Middleware) sessionID(r *http.Request) (id string, viaToken bool) {
	raw, found := m.token.find(r)
	viaToken = found
	if !found && !m.token.disableCookie {
		raw, found = cookie.Find(r.Header, m.name)
	}
	if !found {
		return "", viaToken
	}
	signed, ok := strings.CutPrefix(raw, "s:")
	if ok {
		if id, valid := m.signer.Unsign(signed); valid && id != "" {
			return id, viaToken
		}
	}
	m.onError(r, core.NewError("cookie", core.ErrInvalidCookie, errCookie(m.name)))
	return "", viaToken
}

func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if !strings.HasPrefix(r.URL.Path, m.path) || core.FromContext(r.Context(), m.key) != nil {
		// Outside the cookie's path, or this middleware twice in a chain.
		next.ServeHTTP(w, r)
		return
	}
	rw := &responseWriter{ResponseWriter: w, m: m, r: r, secure: m.isSecure(r)}
	id, viaToken := m.sessionID(r)
	rw.tokenClient = viaToken || m.token.disableCookie
	req := core.Request{CookieID: id, Reporter: rw}
	req.Secure, req.SameSite = m.resolve(rw.secure)
	st, err := m.manager.Load(r.Context(), req)
	if err != nil {
		m.onError(r, err)
		m.onFail(w, r, err)
		return
	}
	rw.st = st
	next.ServeHTTP(rw, r.WithContext(core.NewContext(r.Context(), m.key, st)))
	rw.commit()
}

// commit saves the session and sets the cookie headers, once, just before
// the response headers are written. It reports whether the response may
// proceed.
func (m *Middleware) commit(w http.ResponseWriter, r *http.Request, st *core.State, secureRequest, tokenClient bool) bool {
	out, err := st.Commit(r.Context(), secureRequest)
	h := w.Header()
	// Canonical keys, used directly: no canonicalization per request.
	if !headerHas(h, "Vary", "Cookie") {
		h["Vary"] = append(h["Vary"], "Cookie")
	}
	if m.token.header != "" {
		m.token.vary(h)
	}
	switch {
	case out.SetCookie && err == nil:
		value := "s:" + m.signer.Sign(out.ID)
		if !m.token.disableCookie {
			h["Set-Cookie"] = append(h["Set-Cookie"], cookie.Serialize(m.name, value, attributes(&out.Cookie)))
			h["Cache-Control"] = append(h["Cache-Control"], `no-cache="Set-Cookie"`)
		}
		if tokenClient {
			m.token.send(h, value)
		}
	case out.ClearCookie:
		if !m.token.disableCookie {
			a := attributes(&out.Cookie)
			a.Expires = unixEpoch
			h.Add("Set-Cookie", cookie.Serialize(m.name, "", a))
			h.Add("Cache-Control", `no-cache="Set-Cookie"`)
		}
		if tokenClient {
			m.token.send(h, "")
		}
	}
	if err != nil {
		m.onError(r, err)
		m.onFail(w, r, err)
		return false
	}
	return true
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h[name] {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}
