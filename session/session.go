// Package session is the API handlers use to read and change the session
// that the sesh middleware attaches to each request.
//
//	func handler(w http.ResponseWriter, r *http.Request) {
//		s := session.FromContext(r.Context())
//		views, _ := session.Get[int](s, "views")
//		s.Set("views", views+1)
//		fmt.Fprintf(w, "%d views", views+1)
//	}
//
// Values are stored as JSON, exactly as express-session stores them, so any
// value that encoding/json can encode can be stored and read back into a
// value of the same type without registration (no gob). A session shared
// with an Express application sees the same keys and values.
//
// The middleware saves the session before the response headers leave, so
// all changes must be made before the handler writes its response. A change
// made afterwards cannot be saved: the method returns ErrCommitted and the
// middleware logs a warning.
package session

import (
	"context"
	"encoding/json"
	"time"

	"github.com/seshgo/sesh/internal/core"
)

// Session is one visitor's session for the duration of a request. Its
// methods are safe for concurrent use by the goroutines serving the
// request. A Session must not be used after the request has finished.
type Session struct {
	st *core.State
}

// FromContext returns the session the middleware attached to ctx, or nil
// when the request did not pass through the middleware (or its cookie path
// does not cover the request).
func FromContext(ctx context.Context) *Session {
	st := core.FromContext(ctx)
	if st == nil {
		return nil
	}
	if s, ok := st.Public.Load().(*Session); ok {
		return s
	}
	st.Public.CompareAndSwap(nil, &Session{st: st})
	return st.Public.Load().(*Session)
}

// ID returns the session id: the value the session cookie carries,
// signed. It changes when the session is regenerated or destroyed.
func (s *Session) ID() string { return s.st.ID() }

// IsNew reports whether the session was created during this request rather
// than loaded from the backend.
func (s *Session) IsNew() bool { return s.st.IsNew() }

// Set stores the JSON encoding of value under key. It fails when value
// cannot be encoded, when key is reserved (see ErrReservedKey), and after
// the response headers were sent (ErrCommitted).
func (s *Session) Set(key string, value any) error { return s.st.Set(key, value) }

// Delete removes key. Deleting a missing key does nothing.
func (s *Session) Delete(key string) error { return s.st.Delete(key) }

// Clear removes every value; the session itself remains.
func (s *Session) Clear() error { return s.st.Clear() }

// Has reports whether a value is stored under key.
func (s *Session) Has(key string) bool { return s.st.Has(key) }

// Keys returns the keys in the order they were first set.
func (s *Session) Keys() []string { return s.st.Keys() }

// Len returns the number of stored values.
func (s *Session) Len() int { return s.st.Len() }

// JSON returns a copy of the JSON text stored under key.
func (s *Session) JSON(key string) (json.RawMessage, bool) { return s.st.Value(key) }

// MarshalJSON returns the session as express-session stores it and as
// JSON.stringify(req.session) shows it: the cookie object, then the values.
func (s *Session) MarshalJSON() ([]byte, error) { return s.st.ExpressJSON() }

// Decode decodes the value stored under key into dst, as json.Unmarshal.
// found is false, and dst untouched, when no value is stored under key.
func (s *Session) Decode(key string, dst any) (found bool, err error) {
	raw, ok := s.st.Value(key)
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(raw, dst)
}

// Get returns the value stored under key decoded into a T. ok is false
// when no value is stored under key or it does not decode into a T; use
// Session.Decode to see the error.
func Get[T any](s *Session, key string) (value T, ok bool) {
	found, err := s.Decode(key, &value)
	if !found || err != nil {
		var zero T
		return zero, false
	}
	return value, true
}

// Pop returns the value stored under key, as Get, and deletes it: the
// pattern of one-time "flash" messages.
func Pop[T any](s *Session, key string) (value T, ok bool) {
	value, ok = Get[T](s, key)
	_ = s.Delete(key) // deleting a missing key does nothing
	return value, ok
}

// Save persists the session now rather than when the response starts, as
// req.session.save() in Express. Handlers rarely need it: the middleware
// saves before the response headers leave, so even a redirect finds the
// session saved. It is useful before a long operation, or to get the
// error.
func (s *Session) Save(ctx context.Context) error { return s.st.Save(ctx) }

// Reload replaces the session's data with what the backend holds now,
// dropping unsaved changes. It returns ErrNotFound when the session is no
// longer stored.
func (s *Session) Reload(ctx context.Context) error { return s.st.Reload(ctx) }

// Regenerate gives the session a new id and destroys the record stored
// under the old one, keeping the data. Call it when a user signs in and
// whenever their privileges change, so that an id planted or seen before
// cannot be used to ride on the new privileges (session fixation). Unlike
// express-session's regenerate, the data is kept; call Clear as well to
// start empty.
func (s *Session) Regenerate(ctx context.Context) error { return s.st.Regenerate(ctx) }

// Destroy deletes the stored session now. The Session then behaves as a new,
// empty session under a new id: if the handler stores values in it (or the
// middleware's SaveUninitialized is set) it is saved and its cookie sent;
// otherwise the middleware clears the browser's cookie.
func (s *Session) Destroy(ctx context.Context) error {
	return s.st.Destroy(ctx)
}

// Unset detaches the session from the request, as assigning null to
// req.session does in Express: the middleware neither saves nor touches it
// nor sends a cookie, and with the middleware's Unset option set to
// destroy, the stored session is destroyed at the end of the request.
func (s *Session) Unset() { s.st.Unset() }

// Touch resets the cookie's expiry to now plus its max age. The middleware
// does this at the end of every request; handlers rarely need to.
func (s *Session) Touch() { s.st.Touch() }

// MaxAge returns the lifetime of the session cookie, 0 for a cookie that
// lasts until the browser closes.
func (s *Session) MaxAge() time.Duration { return s.st.MaxAge() }

// SetMaxAge sets this session's cookie lifetime to d from now: the
// "remember me" choice. d <= 0 makes a cookie that lasts until the browser
// closes. As in express-session, a cookie change alone does not count as a
// modification: the new cookie is sent when the session's data also
// changes (as at sign-in) or when the middleware's Rolling option is set.
func (s *Session) SetMaxAge(d time.Duration) { s.st.SetMaxAge(d) }

// Expires returns when the session cookie expires, or the zero time for a
// cookie that lasts until the browser closes.
func (s *Session) Expires() time.Time { return s.st.Expires() }

// Modified reports whether the session's data differs from what was loaded
// at the start of the request (its cookie aside), which is what decides
// whether it is saved.
func (s *Session) Modified() bool { return s.st.Modified() }
