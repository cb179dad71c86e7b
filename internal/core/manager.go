// Package core holds sesh's session engine: loading, modification
// tracking, the save / touch / Set-Cookie decisions of express-session, and
// persistence. Package session is its public face and package middleware
// drives it over HTTP.
package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
)

// Config configures a Manager. The middleware fills it from its Options.
type Config struct {
	Backend backend.Backend
	Codec   codec.Codec
	// Seal and Open encrypt and decrypt an encoded session stored under
	// id; both nil means no encryption. Open's errors make the stored
	// session unreadable (a fresh session and a report).
	Seal func(id string, data []byte) ([]byte, error)
	Open func(id string, data []byte) ([]byte, error)
	// CheckCookie validates a stored session's cookie; an error makes the
	// session unreadable. Nil accepts every cookie.
	CheckCookie func(*codec.Cookie) error
	// NewID returns a new session id.
	NewID func() (string, error)
	// Cookie is the template for a new session's cookie; Secure and
	// SameSite are resolved per request by the caller of New.
	Cookie codec.Cookie
	// MaxAge is the lifetime of a new session's cookie; 0 makes
	// browser-session cookies.
	MaxAge            time.Duration
	Resave            bool
	SaveUninitialized bool
	Rolling           bool
	UnsetDestroy      bool
	TouchAfter        time.Duration
	// MaxSize is the largest encoded session accepted, in bytes; 0 means
	// no limit.
	MaxSize int
	// Optimistic turns on conditional writes; the backend must implement
	// backend.ConditionalUpdater.
	Optimistic bool
	MaxRetries int
	Logger     *slog.Logger
	Now        func() time.Time
	// Observe, when set, is called after each backend operation with the
	// operation's context, its name (get, create, update, touch, destroy),
	// what came of it, how long it took and its error.
	Observe func(ctx context.Context, op, outcome string, d time.Duration, err error)
	// Unsupported is called when the backend declines an operation at run
	// time (errors.ErrUnsupported).
	Unsupported func(op string, err error)
}

// Manager creates, loads and commits sessions. It is safe for concurrent
// use.
type Manager struct {
	cfg  Config
	cond backend.ConditionalUpdater
}

// NewManager returns a Manager for cfg, which must have a Backend, a Codec,
// a NewID and a Logger.
func NewManager(cfg Config) (*Manager, error) {
	m := &Manager{cfg: cfg}
	if cfg.Optimistic {
		c, ok := cfg.Backend.(backend.ConditionalUpdater)
		if !ok {
			return nil, fmt.Errorf("optimistic concurrency needs a backend that implements backend.ConditionalUpdater; %T does not", cfg.Backend)
		}
		m.cond = c
	}
	if m.cfg.Now == nil {
		m.cfg.Now = time.Now
	}
	if m.cfg.MaxRetries <= 0 {
		m.cfg.MaxRetries = 100
	}
	return m, nil
}

// NewID returns 24 random bytes as unpadded base64url: 32 characters and
// 192 bits of entropy, the format of express-session's uid-safe ids.
func NewID() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func (m *Manager) now() time.Time { return m.cfg.Now() }

func (m *Manager) newID() (string, error) {
	id, err := m.cfg.NewID()
	if err != nil {
		return "", fmt.Errorf("sesh: generating a session id: %w", err)
	}
	if id == "" {
		return "", errors.New("sesh: the id generator returned an empty id")
	}
	return id, nil
}

// Request is what a session needs to know of the request it serves.
type Request struct {
	// CookieID is the verified id the request's cookie carried, "" if none.
	CookieID string
	// Secure and SameSite resolve the "auto" cookie modes for this request.
	Secure   bool
	SameSite string
	// Reporter receives the errors the session recovers from or that do
	// not stop the response.
	Reporter Reporter
}

// Reporter receives the errors a session recovers from. (An interface
// rather than a func, so that the middleware's per-request writer can be
// one without allocating a closure.)
type Reporter interface{ Report(error) }

// New returns a new session, not yet stored.
func (m *Manager) New(req Request) (*State, error) {
	st := &State{m: m, req: req}
	if err := st.reset(); err != nil {
		return nil, err
	}
	return st, nil
}

func (m *Manager) freshCookie(req *Request) codec.Cookie {
	c := m.cfg.Cookie
	c.Secure = req.Secure
	c.SameSite = req.SameSite
	if m.cfg.MaxAge > 0 {
		c.OriginalMaxAge = m.cfg.MaxAge
		c.Expires = m.now().Add(m.cfg.MaxAge).Truncate(time.Millisecond)
	}
	return c
}

// Load returns the session stored under req.CookieID, or a new session
// when the cookie carries none, none is stored, it has expired, or it
// cannot be read. The error is non-nil only when the backend failed.
func (m *Manager) Load(ctx context.Context, req Request) (*State, error) {
	if req.CookieID == "" {
		return m.New(req)
	}
	got, status, err := m.read(ctx, "load", req.CookieID, req.Reporter)
	if err != nil {
		return nil, err
	}
	if status != readFound {
		return m.New(req)
	}
	st := &State{m: m, req: req}
	st.adopt(req.CookieID, got)
	if !m.cfg.Resave {
		st.saved = savedOriginal
	}
	return st, nil
}

// stored is a session as read from the backend.
type stored struct {
	payload *codec.Payload
	rec     backend.Record
}

// readStatus is what read found.
type readStatus uint8

const (
	readFound readStatus = iota
	readMissing
	readCorrupt
)

// read is the one way sessions are read: by Load, Reload and the retries
// of the optimistic mode. A record that cannot be read (the backend says
// it is corrupt, or it cannot be decrypted or decoded, or its cookie is
// invalid) is reported and is readCorrupt; the callers then go on with a
// fresh session. The error is non-nil only when the backend failed.
func (m *Manager) read(ctx context.Context, op, id string, report Reporter) (stored, readStatus, error) {
	start := m.start()
	rec, found, err := m.cfg.Backend.Get(ctx, id)
	if err != nil {
		if !errors.Is(err, backend.ErrCorrupt) {
			m.observe(ctx, "get", "failed", start, err)
			return stored{}, readMissing, backendError(op, err)
		}
		m.observe(ctx, "get", "corrupt", start, err)
		report.Report(fail(op, ErrCorrupt, fmt.Errorf("session %s: %w", redact(id), err)))
		return stored{}, readCorrupt, nil
	}
	if !found || backend.Expired(rec.Expires, m.now()) {
		m.observe(ctx, "get", "missing", start, nil)
		return stored{}, readMissing, nil
	}
	p, err := m.decode(id, rec.Data)
	if err != nil {
		m.observe(ctx, "get", "corrupt", start, err)
		report.Report(fail(op, ErrCorrupt, fmt.Errorf("session %s: %w", redact(id), err)))
		return stored{}, readCorrupt, nil
	}
	m.observe(ctx, "get", "found", start, nil)
	rec.Data = nil
	return stored{payload: p, rec: rec}, readFound, nil
}

// decode decrypts and decodes stored data, and checks its cookie.
func (m *Manager) decode(id string, data []byte) (*codec.Payload, error) {
	if m.cfg.Open != nil {
		var err error
		if data, err = m.cfg.Open(id, data); err != nil {
			return nil, err
		}
	}
	p, err := m.cfg.Codec.Decode(data)
	if err != nil {
		return nil, err
	}
	if m.cfg.CheckCookie != nil {
		if err := m.cfg.CheckCookie(&p.Cookie); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// start returns the time an observed operation starts: zero, which costs
// nothing, when nobody observes.
func (m *Manager) start() time.Time {
	if m.cfg.Observe == nil {
		return time.Time{}
	}
	return time.Now()
}

func (m *Manager) observe(ctx context.Context, op, outcome string, start time.Time, err error) {
	if m.cfg.Observe != nil {
		m.cfg.Observe(ctx, op, outcome, time.Since(start), err)
	}
}

// redact shortens a session id for logs: enough to correlate, too little
// to hijack.
func redact(id string) string {
	if len(id) <= 6 {
		return "…"
	}
	return id[:6] + "…"
}
