package core

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
)

// savedState mirrors express-session's savedHash.
type savedState uint8

const (
	savedNone     savedState = iota // nothing saved: savedHash undefined
	savedOriginal                   // the data as loaded counts as saved (resave false)
	savedValues                     // State.savedSnap was saved explicitly
)

// State is one request's session. All methods are safe for concurrent use.
type State struct {
	m   *Manager
	req Request
	mu  sync.Mutex

	id         string
	originalID string // express-session's originalId
	cookie     codec.Cookie
	values     []codec.Value
	index      map[string]int // built once values grow past a few keys

	// original holds the values as loaded or generated, captured just
	// before the first change (until then values are the original).
	original      []codec.Value
	originalTaken bool

	saved     savedState
	savedSnap []codec.Value

	// Changes that express-session does not count as modifications but
	// that must reach the store and the browser: an explicit cookie
	// lifetime, an owner.
	cookieChanged bool
	ownerChanged  bool

	loaded bool          // read from the backend (not generated)
	stored bool          // a record exists under id (loaded or saved)
	tok    backend.Token // from the last read or write of the record
	// The record as read or last written: for TouchAfter, owners and
	// listings.
	recExpires  time.Time
	recModified time.Time
	owner       string
	created     time.Time

	journal []op // this request's changes, kept in the optimistic mode

	unset     bool
	destroyed bool // the session ended during this request: clear the cookie unless replaced
	committed bool

	// Public is the package session handle for this state, created once
	// by Handle.
	Public atomic.Value

	ctxKey *Key   // the middleware's context key
	outer  *State // the session of an enclosing middleware, if any
}

// reset turns s into a new, empty session under a new id. The caller holds
// s.mu (or owns s).
func (s *State) reset() error {
	id, err := s.m.newID()
	if err != nil {
		return err
	}
	s.id, s.originalID = id, id
	s.cookie = s.m.freshCookie(&s.req)
	s.values, s.index = nil, nil
	s.original, s.originalTaken = nil, false
	s.saved, s.savedSnap = savedNone, nil
	s.cookieChanged, s.ownerChanged = false, false
	s.loaded, s.stored = false, false
	s.tok = backend.Token{}
	s.recExpires, s.recModified = time.Time{}, time.Time{}
	s.owner, s.created = "", time.Time{}
	s.journal = nil
	return nil
}

// adopt makes s the session got, read under id.
func (s *State) adopt(id string, got stored) {
	s.id, s.originalID = id, id
	s.loaded = true
	s.take(got)
}

// take replaces the session's data and record with what a read returned:
// for Load, Reload and the optimistic retry alike.
func (s *State) take(got stored) {
	s.cookie = got.payload.Cookie
	s.values = got.payload.Values
	s.reindex()
	s.stored = true
	s.tok = got.rec.Token
	s.recExpires, s.recModified = got.rec.Expires, got.rec.Modified
	s.owner, s.created = got.rec.Owner, got.rec.Created
}

// ID returns the session id.
func (s *State) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// IsNew reports whether the session was created during this request rather
// than loaded from the backend.
func (s *State) IsNew() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.loaded
}

// Has reports whether a value is stored under key.
func (s *State) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.find(key)
	return ok
}

// Value returns a copy of the JSON text stored under key.
func (s *State) Value(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.find(key)
	if !ok {
		return nil, false
	}
	return bytes.Clone(s.values[i].JSON), true
}

// Keys returns the keys in storage order.
func (s *State) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, len(s.values))
	for i, v := range s.values {
		keys[i] = v.Key
	}
	return keys
}

// Len returns the number of values.
func (s *State) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.values)
}

func (s *State) find(key string) (int, bool) {
	if s.index != nil {
		i, ok := s.index[key]
		return i, ok
	}
	for i := range s.values {
		if s.values[i].Key == key {
			return i, true
		}
	}
	return 0, false
}

func (s *State) reindex() {
	if len(s.values) <= 8 {
		s.index = nil
		return
	}
	s.index = make(map[string]int, len(s.values))
	for i, v := range s.values {
		s.index[v.Key] = i
	}
}

// Owner returns the owner the application attached to the session.
func (s *State) Owner() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owner
}

// SetOwner attaches the session to owner ("" detaches it). The session is
// saved at the end of the request.
func (s *State) SetOwner(owner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable("owner"); err != nil {
		return err
	}
	if owner != s.owner {
		s.owner = owner
		s.ownerChanged = true
	}
	return nil
}

// Unset detaches the session from the request, as assigning null to
// req.session does in Express: nothing is saved or touched, and with
// UnsetDestroy the stored session is destroyed when the request ends.
func (s *State) Unset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unset = true
}

// Touch resets the cookie expiry to now plus its original max age, as
// express-session's req.session.touch().
func (s *State) Touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cookie.Reset(s.m.now())
}

// MaxAge returns the session cookie's lifetime; 0 for a browser-session
// cookie.
func (s *State) MaxAge() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.cookie.Persistent() {
		return 0
	}
	return s.cookie.OriginalMaxAge
}

// SetMaxAge gives this session's cookie a lifetime of d from now; d <= 0
// makes it a browser-session cookie. Unlike a change of the cookie in
// express-session, it reaches the store and the browser at the end of the
// request even when nothing else changed.
func (s *State) SetMaxAge(d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable("cookie"); err != nil {
		return err
	}
	s.cookieChanged = true
	if d <= 0 {
		s.cookie.OriginalMaxAge = 0
		s.cookie.Expires = time.Time{}
		return nil
	}
	d = d.Truncate(time.Millisecond)
	s.cookie.OriginalMaxAge = d
	s.cookie.Expires = s.m.now().Add(d).Truncate(time.Millisecond)
	return nil
}

// Expires returns when the cookie expires; zero for a browser-session
// cookie.
func (s *State) Expires() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cookie.Expires
}

// Modified reports whether the data differs from what was loaded.
func (s *State) Modified() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modified()
}

// ExpressJSON returns the session as express-session's JSON, whatever
// codec the backend uses.
func (s *State) ExpressJSON() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return codec.JSON.Encode(&codec.Payload{Cookie: s.cookie, Values: s.values})
}

// equalValues reports whether two value lists hold the same keys and JSON.
func equalValues(a, b []codec.Value) bool {
	return slices.EqualFunc(a, b, func(x, y codec.Value) bool {
		return x.Key == y.Key && bytes.Equal(x.JSON, y.JSON)
	})
}

// Key is the context key of a State; each middleware has its own, told
// apart by its address. (Name, the cookie's, also keeps the type from
// being zero-sized: distinct zero-sized values may share an address.)
type Key struct{ Name string }

type sessionsKey struct{}

// NewContext returns ctx carrying st under key, after the sessions ctx
// already carries (a request can pass through several session
// middlewares, each with its own cookie).
func NewContext(ctx context.Context, key *Key, st *State) context.Context {
	st.ctxKey = key
	st.outer, _ = ctx.Value(sessionsKey{}).(*State)
	return context.WithValue(ctx, sessionsKey{}, st)
}

// FromContext returns the State ctx carries under key, or, for a nil key,
// the innermost State; nil if there is none.
func FromContext(ctx context.Context, key *Key) *State {
	for st, _ := ctx.Value(sessionsKey{}).(*State); st != nil; st = st.outer {
		if key == nil || st.ctxKey == key {
			return st
		}
	}
	return nil
}

var tokenZero backend.Token

// NewHandle makes the public handle of a State; package session sets it.
var NewHandle func(*State) any

// Handle returns the public handle of s, made once.
func (s *State) Handle() any {
	if h := s.Public.Load(); h != nil {
		return h
	}
	s.Public.CompareAndSwap(nil, NewHandle(s))
	return s.Public.Load()
}
