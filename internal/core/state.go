package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

type opKind uint8

const (
	opSet opKind = iota
	opDelete
	opClear
)

// op is one change a request made, kept to re-apply it to a fresher record
// when an optimistic write conflicts.
type op struct {
	kind opKind
	key  string
	json []byte
}

// State is one request's session. All methods are safe for concurrent use.
type State struct {
	m  *Manager
	mu sync.Mutex

	id         string
	originalID string // express-session's originalId
	cookieID   string // the verified id the request's cookie carried
	cookie     codec.Cookie
	values     []codec.Value
	index      map[string]int // built once values grow past a few keys

	// original holds the values as loaded or generated, captured just
	// before the first change (until then values are the original).
	original      []codec.Value
	originalTaken bool

	saved     savedState
	savedSnap []codec.Value

	loaded  bool           // read from the backend (not generated)
	stored  bool           // a record exists under id (loaded or saved)
	rec     backend.Record // Modified and Version as loaded
	journal []op

	// secure and sameSite resolve the "auto" cookie modes for this
	// request, for the cookie of a session that replaces a destroyed one.
	secure   bool
	sameSite string

	unset     bool
	destroyed bool // Destroy ran: clear the browser's cookie unless replaced
	committed bool

	// Public is the package session handle for this state, created once.
	Public atomic.Value
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

// reserved are the keys express-session's Session object already has, as
// its own or inherited properties: a value stored under one of them is
// silently dropped when Express loads the session (and lost at its next
// save), so sesh refuses them. lastModified is connect-mongo's.
var reserved = map[string]bool{
	"cookie": true, "id": true, "req": true, "regenerate": true, "save": true,
	"reload": true, "destroy": true, "touch": true, "resetMaxAge": true,
	"lastModified": true,
	// Object.prototype
	"constructor": true, "hasOwnProperty": true, "isPrototypeOf": true,
	"propertyIsEnumerable": true, "toLocaleString": true, "toString": true,
	"valueOf": true, "__proto__": true, "__defineGetter__": true,
	"__defineSetter__": true, "__lookupGetter__": true, "__lookupSetter__": true,
}

// marshal encodes v as JSON the way JSON.stringify would: no HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Set stores the JSON encoding of v under key.
func (s *State) Set(key string, v any) error {
	if reserved[key] {
		return fmt.Errorf("%w: %q belongs to express-session's session object", ErrReservedKey, key)
	}
	data, err := marshal(v)
	if err != nil {
		return fmt.Errorf("sesh: encoding session value %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable(); err != nil {
		return err
	}
	s.change(op{kind: opSet, key: key, json: data})
	return nil
}

// Delete removes key.
func (s *State) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable(); err != nil {
		return err
	}
	if _, ok := s.find(key); !ok {
		return nil
	}
	s.change(op{kind: opDelete, key: key})
	return nil
}

// Clear removes every value.
func (s *State) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable(); err != nil {
		return err
	}
	if len(s.values) == 0 {
		return nil
	}
	s.change(op{kind: opClear})
	return nil
}

// mutable reports why the session cannot change now, logging changes made
// after the response headers left so that they are never lost silently.
func (s *State) mutable() error {
	if s.unset {
		return ErrUnset
	}
	if s.committed {
		s.m.cfg.Logger.Warn("sesh: a session change was made after the response headers were sent and is not saved; save before writing the response", "session", redact(s.id))
		return ErrCommitted
	}
	return nil
}

// change records and applies o. The caller holds s.mu.
func (s *State) change(o op) {
	if !s.originalTaken {
		s.original = slices.Clone(s.values)
		s.originalTaken = true
	}
	if s.m.cfg.Optimistic {
		s.journal = append(s.journal, o)
	}
	if o.kind == opSet {
		if i, ok := s.find(o.key); ok {
			s.values[i].JSON = o.json
			return
		}
		s.values = append(s.values, codec.Value{Key: o.key, JSON: o.json})
		if s.index != nil {
			s.index[o.key] = len(s.values) - 1
			return
		}
	} else {
		s.values = apply(s.values, o)
	}
	s.reindex()
}

// apply returns values with o applied, in place: snapshots (original,
// savedSnap) are copies, and the JSON slices are never modified.
func apply(values []codec.Value, o op) []codec.Value {
	switch o.kind {
	case opClear:
		return nil
	case opDelete:
		return slices.DeleteFunc(values, func(v codec.Value) bool { return v.Key == o.key })
	}
	for i := range values {
		if values[i].Key == o.key {
			values[i].JSON = o.json
			return values
		}
	}
	return append(values, codec.Value{Key: o.key, JSON: o.json})
}

// originalValues returns the values as loaded or generated.
func (s *State) originalValues() []codec.Value {
	if s.originalTaken {
		return s.original
	}
	return s.values
}

func equalValues(a, b []codec.Value) bool {
	return slices.EqualFunc(a, b, func(x, y codec.Value) bool {
		return x.Key == y.Key && bytes.Equal(x.JSON, y.JSON)
	})
}

// modified is express-session's isModified: the id changed, or the data
// (everything but the cookie) differs from what was loaded.
func (s *State) modified() bool {
	if s.id != s.originalID {
		return true
	}
	return s.originalTaken && !equalValues(s.original, s.values)
}

// isSaved is express-session's isSaved.
func (s *State) isSaved() bool {
	if s.id != s.originalID {
		return false
	}
	switch s.saved {
	case savedOriginal:
		return equalValues(s.originalValues(), s.values)
	case savedValues:
		return equalValues(s.savedSnap, s.values)
	}
	return false
}

// decision is what the end of a request does with a session.
type decision struct {
	Save, Touch, SetCookie bool
}

// decide applies express-session 1.19's predicates (index.js shouldSave,
// shouldTouch, shouldSetCookie). The caller holds s.mu.
func (s *State) decide() decision {
	var d decision
	cfg := &s.m.cfg
	if !cfg.SaveUninitialized && s.saved == savedNone && s.cookieID != s.id {
		d.Save = s.modified()
	} else {
		d.Save = !s.isSaved()
	}
	d.Touch = s.cookieID == s.id && !d.Save
	if s.cookieID != s.id {
		d.SetCookie = cfg.SaveUninitialized || s.modified()
	} else {
		d.SetCookie = cfg.Rolling || (s.cookie.Persistent() && s.modified())
	}
	return d
}

// Outcome is what the middleware must put on the response.
type Outcome struct {
	// SetCookie asks for a Set-Cookie carrying ID with Cookie's
	// attributes.
	SetCookie bool
	// ClearCookie asks for a Set-Cookie that removes the browser's cookie
	// (the session was destroyed and not replaced).
	ClearCookie bool
	ID          string
	Cookie      codec.Cookie
}

// Commit ends the request: it saves, touches or destroys the stored
// session as express-session would and says which cookie to send. secure
// tells whether the request arrived over TLS (a Secure cookie is not sent
// otherwise, though the session is still saved). A non-nil error means the
// session could not be persisted; report receives errors that do not stop
// the response. After Commit, changes are refused and logged.
func (s *State) Commit(ctx context.Context, secure bool, report func(error)) (Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed {
		return Outcome{}, nil
	}
	s.committed = true
	cfg := &s.m.cfg
	// The writes run even if the client has gone: the handler's work is
	// done and its session changes must not be lost with the connection.
	// (context.WithoutCancel is applied only where I/O happens, as it
	// allocates.)
	if s.unset {
		if cfg.UnsetDestroy {
			if err := cfg.Backend.Destroy(context.WithoutCancel(ctx), s.id); err != nil {
				return Outcome{}, fmt.Errorf("%w: destroy: %w", ErrBackend, err)
			}
		}
		return Outcome{}, nil
	}
	d := s.decide()
	now := s.m.now()
	s.cookie.Reset(now)
	switch {
	case d.Save:
		if err := s.persist(context.WithoutCancel(ctx), now); err != nil {
			return Outcome{}, err
		}
	case d.Touch:
		s.touch(ctx, now, report)
	}
	out := Outcome{ID: s.id, Cookie: s.cookie}
	if d.SetCookie {
		if s.cookie.Secure && !secure {
			cfg.Logger.Debug("sesh: not sending a Secure session cookie over an insecure connection", "session", redact(s.id))
		} else {
			out.SetCookie = true
		}
	}
	if !out.SetCookie && s.destroyed && s.cookieID != "" && s.cookieID != s.id {
		out.ClearCookie = true
	}
	return out, nil
}

// touch extends the stored expiry without rewriting the data, unless the
// last write or touch is more recent than TouchAfter. Failures do not fail
// the request: the data is intact and the next request touches again.
func (s *State) touch(ctx context.Context, now time.Time, report func(error)) {
	cfg := &s.m.cfg
	rec := backend.Record{ID: s.id, Expires: s.cookie.Expires, Native: s.rec.Native}
	if cfg.TouchAfter > 0 {
		if !s.rec.Modified.IsZero() && now.Sub(s.rec.Modified) < cfg.TouchAfter {
			return
		}
		rec.Modified = now
	}
	err := cfg.Backend.Touch(context.WithoutCancel(ctx), rec)
	switch {
	case err == nil:
		s.rec.Modified = rec.Modified
	case errors.Is(err, backend.ErrNotFound):
		// Destroyed or expired since it was loaded: never resurrect it.
		cfg.Logger.Debug("sesh: session vanished before it could be touched", "session", redact(s.id))
	default:
		report(fmt.Errorf("%w: touch: %w", ErrBackend, err))
	}
}

// Save persists the session now, as express-session's req.session.save().
func (s *State) Save(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unset {
		return ErrUnset
	}
	return s.persist(ctx, s.m.now())
}

// persist writes the session. The caller holds s.mu.
func (s *State) persist(ctx context.Context, now time.Time) error {
	cfg := &s.m.cfg
	rec := backend.Record{ID: s.id, Expires: s.cookie.Expires, Native: s.rec.Native}
	if cfg.TouchAfter > 0 {
		rec.Modified = now
	}
	var err error
	if cfg.Optimistic {
		err = s.persistIf(ctx, &rec)
	} else {
		if rec.Data, err = s.encode(); err == nil {
			if err = cfg.Backend.Set(ctx, rec); err != nil {
				err = fmt.Errorf("%w: set: %w", ErrBackend, err)
			}
		}
	}
	if err != nil {
		return err
	}
	s.stored = true
	s.saved = savedValues
	s.savedSnap = slices.Clone(s.values)
	s.rec.Modified = rec.Modified
	s.journal = nil
	return nil
}

func (s *State) encode() ([]byte, error) {
	data, err := s.m.cfg.Codec.Encode(&codec.Payload{Cookie: s.cookie, Values: s.values})
	if err != nil {
		return nil, fmt.Errorf("sesh: encoding session: %w", err)
	}
	if max := s.m.cfg.MaxSize; max > 0 && len(data) > max {
		return nil, fmt.Errorf("%w: %d bytes encoded, the limit is %d", ErrTooLarge, len(data), max)
	}
	return data, nil
}

// persistIf writes with a version check. On a conflict it reads the
// record again, re-applies this request's own changes to it, and retries.
// A session destroyed meanwhile is never written back.
func (s *State) persistIf(ctx context.Context, rec *backend.Record) error {
	cfg := &s.m.cfg
	created := !s.stored
	for attempt := 0; ; attempt++ {
		data, err := s.encode()
		if err != nil {
			return err
		}
		rec.Data = data
		err = s.m.cond.SetIf(ctx, *rec, s.rec.Version, created)
		if err == nil {
			s.rec.Version++
			return nil
		}
		if !errors.Is(err, backend.ErrConflict) {
			return fmt.Errorf("%w: set: %w", ErrBackend, err)
		}
		if created {
			// A new id that already exists: another request claimed it.
			return fmt.Errorf("%w: session id already in use", ErrConflict)
		}
		if attempt >= cfg.MaxRetries {
			return fmt.Errorf("%w: gave up after %d attempts", ErrConflict, attempt+1)
		}
		fresh, found, err := cfg.Backend.Get(ctx, s.id)
		if err != nil {
			return fmt.Errorf("%w: get: %w", ErrBackend, err)
		}
		if !found || backend.Expired(fresh.Expires, s.m.now()) {
			return ErrDestroyed
		}
		p, err := cfg.Codec.Decode(fresh.Data)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		values := p.Values
		for _, o := range s.journal {
			values = apply(values, o)
		}
		s.values = values
		s.reindex()
		s.rec.Version = fresh.Version
		s.rec.Native = fresh.Native
		rec.Native = fresh.Native
	}
}

// Reload replaces the data with what the backend holds now, dropping
// unsaved changes, as express-session's req.session.reload().
func (s *State) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unset {
		return ErrUnset
	}
	rec, found, err := s.m.cfg.Backend.Get(ctx, s.id)
	if err != nil {
		return fmt.Errorf("%w: get: %w", ErrBackend, err)
	}
	if !found || backend.Expired(rec.Expires, s.m.now()) {
		return ErrNotFound
	}
	p, err := s.m.cfg.Codec.Decode(rec.Data)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if !s.originalTaken {
		s.original = s.values
		s.originalTaken = true
	}
	s.values = p.Values
	s.cookie = p.Cookie
	s.rec = backend.Record{Modified: rec.Modified, Version: rec.Version, Native: rec.Native}
	s.journal = nil
	s.reindex()
	return nil
}

// Regenerate moves the session to a new id and destroys the record under
// the old one, keeping the data: the defence against session fixation, to
// call at login and at every change of privilege.
func (s *State) Regenerate(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable(); err != nil {
		return err
	}
	if s.stored {
		if err := s.m.cfg.Backend.Destroy(ctx, s.id); err != nil {
			return fmt.Errorf("%w: destroy: %w", ErrBackend, err)
		}
	}
	id, err := s.m.newID()
	if err != nil {
		return err
	}
	s.id = id
	s.stored = false
	s.rec = backend.Record{}
	return nil
}

// Destroy deletes the stored session now and leaves an empty new session
// in its place: if the handler stores values in it, it is saved under a new
// id; otherwise the browser's cookie is cleared.
func (s *State) Destroy(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable(); err != nil {
		return err
	}
	if err := s.m.cfg.Backend.Destroy(ctx, s.id); err != nil {
		return fmt.Errorf("%w: destroy: %w", ErrBackend, err)
	}
	id, err := s.m.newID()
	if err != nil {
		return err
	}
	s.id, s.originalID = id, id
	s.cookie = s.m.freshCookie(s.secure, s.sameSite)
	s.values, s.index = nil, nil
	s.original, s.originalTaken = nil, false
	s.saved, s.savedSnap = savedNone, nil
	s.loaded, s.stored = false, false
	s.rec = backend.Record{}
	s.journal = nil
	s.destroyed = true
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
// makes it a browser-session cookie.
func (s *State) SetMaxAge(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		s.cookie.OriginalMaxAge = 0
		s.cookie.Expires = time.Time{}
		return
	}
	d = d.Truncate(time.Millisecond)
	s.cookie.OriginalMaxAge = d
	s.cookie.Expires = s.m.now().Add(d).Truncate(time.Millisecond)
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

type ctxKey struct{}

// NewContext returns ctx carrying st.
func NewContext(ctx context.Context, st *State) context.Context {
	return context.WithValue(ctx, ctxKey{}, st)
}

// FromContext returns the State carried by ctx, or nil.
func FromContext(ctx context.Context) *State {
	st, _ := ctx.Value(ctxKey{}).(*State)
	return st
}
