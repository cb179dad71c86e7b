// Package middleware is sesh's net/http middleware: express-session for Go.
//
// It reads and verifies the signed session cookie, loads the session from a
// backend, attaches it to the request's context (read it with
// session.FromContext), and at the end saves, touches or destroys it and
// sends the cookie, following express-session 1.19's rules exactly: the
// resave, saveUninitialized, rolling and unset options mean what they mean
// there, the cookie value is byte-identical (s:<id>.<HMAC-SHA256>), and the
// stored session is express-session's JSON. An Express application and a Go
// service configured alike can therefore share sessions.
//
// One deliberate difference: express-session sends the response headers
// first and writes the store while the body goes out, so a failed write is
// reported after the client saw success. sesh saves before the first byte
// of the response (the first WriteHeader, Write, ReadFrom, Flush or Hijack,
// or the end of the handler), so the Set-Cookie header is always included
// and a failed save becomes an error response. Handlers must therefore make
// their session changes before writing the response.
package middleware

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/internal/core"
)

// New returns the session middleware configured by opts. It fails with an
// error matching ErrInvalidOptions when opts cannot work: no Backend, no
// secret or an empty one, an invalid cookie name, SameSiteNone with
// SecureNever, or Optimistic concurrency on a backend without conditional
// writes.
func New(opts Options) (func(http.Handler) http.Handler, error) {
	m, err := newMiddleware(opts)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.serve(w, r, next)
		})
	}, nil
}

type middleware struct {
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
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOptions}, args...)...)
}

func newMiddleware(opts Options) (*middleware, error) {
	if opts.Backend == nil {
		return nil, invalid("no Backend")
	}
	if len(opts.Secrets) == 0 {
		return nil, invalid("no secret: Secrets must hold at least one")
	}
	for i, s := range opts.Secrets {
		if s == "" {
			return nil, invalid("secret %d is empty", i)
		}
	}
	m := &middleware{
		trustProxy: opts.TrustProxy,
		name:       opts.Name,
		path:       opts.Cookie.Path,
		signer:     cookie.NewSigner(opts.Secrets),
		logger:     opts.Logger,
		onError:    opts.OnError,
		onFail:     opts.ErrorHandler,
		sameSite:   opts.Cookie.SameSite,
		secure:     opts.Cookie.Secure,
	}
	if m.name == "" {
		m.name = "connect.sid"
	}
	if !validCookieName(m.name) {
		return nil, invalid("cookie name %q is not an HTTP token", m.name)
	}
	if m.path == "" {
		m.path = "/"
	}
	if m.secure == SecureNever && m.sameSite == SameSiteNone {
		return nil, invalid("SameSite=None needs a Secure cookie; browsers reject it otherwise (use SameSiteAuto)")
	}
	if opts.Cookie.MaxAge < 0 {
		return nil, invalid("negative Cookie.MaxAge")
	}
	switch opts.Cookie.Priority {
	case "", PriorityLow, PriorityMedium, PriorityHigh:
	default:
		return nil, invalid("unknown Cookie.Priority %q", opts.Cookie.Priority)
	}
	if m.logger == nil {
		m.logger = slog.Default()
	}
	if m.onError == nil {
		m.onError = m.logError
	}
	if m.onFail == nil {
		m.onFail = defaultErrorHandler
	}
	maxSize := opts.MaxSize
	switch {
	case maxSize == 0:
		maxSize = DefaultMaxSize
	case maxSize < 0:
		maxSize = 0
	}
	cfg := core.Config{
		Backend: opts.Backend,
		Codec:   opts.Codec,
		NewID:   opts.GenerateID,
		Cookie: codec.Cookie{
			HTTPOnly:    !opts.Cookie.DisableHTTPOnly,
			Domain:      opts.Cookie.Domain,
			Path:        m.path,
			Partitioned: opts.Cookie.Partitioned,
			Priority:    string(opts.Cookie.Priority),
		},
		MaxAge:            opts.Cookie.MaxAge,
		Resave:            opts.Resave,
		SaveUninitialized: opts.SaveUninitialized,
		Rolling:           opts.Rolling,
		UnsetDestroy:      opts.Unset == UnsetDestroy,
		TouchAfter:        opts.TouchAfter,
		MaxSize:           maxSize,
		Optimistic:        opts.Concurrency == Optimistic,
		MaxRetries:        opts.MaxRetries,
		Logger:            m.logger,
	}
	if cfg.Codec == nil {
		cfg.Codec = codec.JSON
	}
	if cfg.NewID == nil {
		cfg.NewID = core.NewID
	}
	mgr, err := core.NewManager(cfg)
	if err != nil {
		return nil, invalid("%v", err)
	}
	m.manager = mgr
	return m, nil
}

func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// isSecure is express-session's issecure: a TLS connection, or with
// TrustProxy an X-Forwarded-Proto whose first value is https.
func (m *middleware) isSecure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !m.trustProxy {
		return false
	}
	proto := r.Header.Get("X-Forwarded-Proto")
	if i := strings.IndexByte(proto, ','); i >= 0 {
		proto = proto[:i]
	}
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// resolve returns the Secure flag and SameSite value a new session's cookie
// gets on this request.
func (m *middleware) resolve(secureRequest bool) (bool, string) {
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

// sessionID returns the verified session id the request's cookie carries,
// "" when it carries none. A cookie that is present but not validly signed
// is reported as ErrInvalidCookie and yields "".
func (m *middleware) sessionID(r *http.Request) string {
	raw, found := cookie.Find(r.Header, m.name)
	if !found {
		return ""
	}
	signed, ok := strings.CutPrefix(raw, "s:")
	if ok {
		if id, valid := m.signer.Unsign(signed); valid && id != "" {
			return id
		}
	}
	m.onError(r, fmt.Errorf("%w: cookie %q", core.ErrInvalidCookie, m.name))
	return ""
}

func (m *middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if core.FromContext(r.Context()) != nil || !strings.HasPrefix(r.URL.Path, m.path) {
		next.ServeHTTP(w, r)
		return
	}
	secureRequest := m.isSecure(r)
	secure, sameSite := m.resolve(secureRequest)
	report := func(err error) { m.onError(r, err) }
	st, err := m.manager.Load(r.Context(), m.sessionID(r), secure, sameSite, report)
	if err != nil {
		m.onError(r, err)
		m.onFail(w, r, err)
		return
	}
	rw := &responseWriter{ResponseWriter: w, m: m, r: r, st: st, secure: secureRequest}
	next.ServeHTTP(rw, r.WithContext(core.NewContext(r.Context(), st)))
	rw.commit()
}

// commit saves the session and sets the cookie headers, once, just before
// the response headers are written. It reports whether the response may
// proceed.
func (m *middleware) commit(w http.ResponseWriter, r *http.Request, st *core.State, secureRequest bool) bool {
	out, err := st.Commit(r.Context(), secureRequest, func(err error) { m.onError(r, err) })
	if err != nil {
		m.onError(r, err)
		m.onFail(w, r, err)
		return false
	}
	h := w.Header()
	if !headerHas(h, "Vary", "Cookie") {
		h.Add("Vary", "Cookie")
	}
	switch {
	case out.SetCookie:
		h.Add("Set-Cookie", cookie.Serialize(m.name, "s:"+m.signer.Sign(out.ID), attributes(&out.Cookie)))
		h.Add("Cache-Control", `no-cache="Set-Cookie"`)
	case out.ClearCookie:
		a := attributes(&out.Cookie)
		a.Expires = unixEpoch
		h.Add("Set-Cookie", cookie.Serialize(m.name, "", a))
		h.Add("Cache-Control", `no-cache="Set-Cookie"`)
	}
	return true
}

func attributes(c *codec.Cookie) cookie.Attributes {
	return cookie.Attributes{
		Domain:      c.Domain,
		Path:        c.Path,
		Expires:     c.Expires,
		HTTPOnly:    c.HTTPOnly,
		Secure:      c.Secure,
		Partitioned: c.Partitioned,
		Priority:    c.Priority,
		SameSite:    c.SameSite,
	}
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

func defaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, backend.ErrInvalidData), errors.Is(err, backend.ErrTooLarge):
		// The backend is up; the session itself cannot be stored.
	case errors.Is(err, core.ErrBackend):
		status = http.StatusServiceUnavailable
	case errors.Is(err, core.ErrDestroyed), errors.Is(err, core.ErrConflict):
		status = http.StatusConflict
	}
	http.Error(w, http.StatusText(status), status)
}

func (m *middleware) logError(r *http.Request, err error) {
	level := slog.LevelError
	switch {
	case errors.Is(err, core.ErrInvalidCookie):
		level = slog.LevelDebug
	case errors.Is(err, core.ErrCorrupt), errors.Is(err, backend.ErrNotFound):
		level = slog.LevelWarn
	}
	m.logger.Log(r.Context(), level, "sesh: "+err.Error(), "method", r.Method, "path", r.URL.Path)
}
