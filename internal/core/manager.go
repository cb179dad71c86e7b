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
	// backend.ConditionalSetter.
	Optimistic bool
	MaxRetries int
	Logger     *slog.Logger
	Now        func() time.Time
}

// Manager creates, loads and commits sessions. It is safe for concurrent
// use.
type Manager struct {
	cfg  Config
	cond backend.ConditionalSetter
}

// NewManager returns a Manager for cfg, which must have a Backend, a Codec,
// a NewID and a Logger.
func NewManager(cfg Config) (*Manager, error) {
	m := &Manager{cfg: cfg}
	if cfg.Optimistic {
		c, ok := cfg.Backend.(backend.ConditionalSetter)
		if !ok {
			return nil, fmt.Errorf("optimistic concurrency needs a backend that implements backend.ConditionalSetter; %T does not", cfg.Backend)
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

// New returns a new session, not yet stored. cookieID is the verified id
// the request's cookie carried ("" if none); secure and sameSite resolve
// the "auto" modes for this request.
func (m *Manager) New(cookieID string, secure bool, sameSite string) (*State, error) {
	id, err := m.newID()
	if err != nil {
		return nil, err
	}
	st := &State{m: m, id: id, originalID: id, cookieID: cookieID, secure: secure, sameSite: sameSite}
	st.cookie = m.freshCookie(secure, sameSite)
	return st, nil
}

func (m *Manager) freshCookie(secure bool, sameSite string) codec.Cookie {
	c := m.cfg.Cookie
	c.Secure = secure
	c.SameSite = sameSite
	if m.cfg.MaxAge > 0 {
		c.OriginalMaxAge = m.cfg.MaxAge
		c.Expires = m.now().Add(m.cfg.MaxAge).Truncate(time.Millisecond)
	}
	return c
}

// Load returns the session stored under the verified id, or a new session
// when none is stored, it has expired, or it cannot be decoded. The error
// is non-nil only when the backend failed (it then matches ErrBackend);
// report receives the errors Load recovered from.
func (m *Manager) Load(ctx context.Context, id string, secure bool, sameSite string, report func(error)) (*State, error) {
	if id == "" {
		return m.New("", secure, sameSite)
	}
	rec, found, err := m.cfg.Backend.Get(ctx, id)
	if err != nil {
		if !errors.Is(err, backend.ErrCorrupt) && !errors.Is(err, codec.ErrMalformed) {
			return nil, fmt.Errorf("%w: get: %w", ErrBackend, err)
		}
		report(fmt.Errorf("%w: session %s: %w", ErrCorrupt, redact(id), err))
		found = false
	}
	if found && backend.Expired(rec.Expires, m.now()) {
		found = false
	}
	if !found {
		return m.New(id, secure, sameSite)
	}
	p, err := m.cfg.Codec.Decode(rec.Data)
	if err != nil {
		report(fmt.Errorf("%w: session %s: %w", ErrCorrupt, redact(id), err))
		return m.New(id, secure, sameSite)
	}
	st := &State{
		m:          m,
		id:         id,
		originalID: id,
		cookieID:   id,
		cookie:     p.Cookie,
		values:     p.Values,
		loaded:     true,
		stored:     true,
		rec:        backend.Record{Modified: rec.Modified, Version: rec.Version, Native: rec.Native},
		secure:     secure,
		sameSite:   sameSite,
	}
	if !m.cfg.Resave {
		st.saved = savedOriginal
	}
	return st, nil
}

// redact shortens a session id for logs: enough to correlate, too little
// to hijack.
func redact(id string) string {
	if len(id) <= 6 {
		return "…"
	}
	return id[:6] + "…"
}
