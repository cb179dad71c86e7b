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
// made afterwards cannot be saved: the method returns ErrCommitted, which
// the middleware also reports to its OnError.
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
// does not cover the request). When the request passed through several
// session middlewares (several cookies), it returns the innermost's; use
// each middleware's FromContext to choose.
//
// Every method of a nil *Session panics with a message saying why there is
// no session; check for nil where a handler can run without one.
func FromContext(ctx context.Context) *Session {
	st := core.FromContext(ctx, nil)
	if st == nil {
		return nil
	}
	return st.Handle().(*Session)
}

// noSession is the panic of a method called on a nil *Session.
const noSession = "sesh: no session in this request's context: session.FromContext returned nil because the handler is not wrapped by the session middleware (middleware.New(...).Handler), or the request's path is outside the middleware's Cookie.Path"

// state returns the session's state, or panics with a message that says
// how to fix a nil session.
func (s *Session) state() *core.State {
	if s == nil {
		panic(noSession)
	}
	return s.st
}

// ID returns the session id: the value the session cookie carries,
// signed. It changes when the session is regenerated or destroyed.
func (s *Session) ID() string { return s.state().ID() }

// IsNew reports whether the session was created during this request rather
// than loaded from the backend.
func (s *Session) IsNew() bool { return s.state().IsNew() }

// Set stores the JSON encoding of value under key. It fails when value
// cannot be encoded, when key is reserved (see ErrReservedKey), and after
// the response headers were sent (ErrCommitted).
func (s *Session) Set(key string, value any) error { return s.state().Set(key, value) }

// Delete removes key. Deleting a missing key does nothing.
func (s *Session) Delete(key string) error { return s.state().Delete(key) }

// Clear removes every value; the session itself remains.
func (s *Session) Clear() error { return s.state().Clear() }

// Has reports whether a value is stored under key.
func (s *Session) Has(key string) bool { return s.state().Has(key) }

// Keys returns the keys in the order they were first set.
func (s *Session) Keys() []string { return s.state().Keys() }

// Len returns the number of stored values.
func (s *Session) Len() int { return s.state().Len() }

// JSON returns a copy of the JSON text stored under key.
func (s *Session) JSON(key string) (json.RawMessage, bool) { return s.state().Value(key) }

// MarshalJSON returns the session as express-session stores it and as
// JSON.stringify(req.session) shows it: the cookie object, then the values.
func (s *Session) MarshalJSON() ([]byte, error) { return s.state().ExpressJSON() }

// Decode decodes the value stored under key into dst, as json.Unmarshal.
// found is false, and dst untouched, when no value is stored under key.
func (s *Session) Decode(key string, dst any) (found bool, err error) {
	raw, ok := s.state().Value(key)
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
func (s *Session) Save(ctx context.Context) error { return s.state().Save(ctx) }

// Reload replaces the session's data with what the backend holds now,
// dropping unsaved changes. When the session is no longer stored (signed
// out elsewhere, or expired) it returns ErrDestroyed, and the request goes
// on with an empty session under a new id; a stored session that cannot be
// read is reported and replaced the same way, without an error.
func (s *Session) Reload(ctx context.Context) error { return s.state().Reload(ctx) }

// Regenerate destroys the stored session and replaces it with a new, empty
// session under a new id, as express-session's regenerate does. Call it
// when a user signs in, so that an id planted or seen before cannot ride on
// the new privileges (session fixation); to carry a value across (a
// "return to" URL), read it first and set it again. RenewID keeps the data
// instead.
func (s *Session) Regenerate(ctx context.Context) error { return s.state().Regenerate(ctx) }

// RenewID moves the session, with its data and cookie, to a new id and
// destroys the record stored under the old one: for a change of privilege
// that keeps what the session holds (scs's RenewToken).
func (s *Session) RenewID(ctx context.Context) error { return s.state().RenewID(ctx) }

// Owner returns the owner attached to the session with SetOwner, "" if
// none.
func (s *Session) Owner() string { return s.state().Owner() }

// SetOwner attaches the session to an owner, the id of the signed-in user,
// so that the user's sessions can be listed and signed out everywhere
// (middleware.Middleware.Sessions, DestroyOwned). Call it at sign-in, after
// Regenerate. The owner is stored beside the session, not in its data:
// Express applications sharing the store do not see it. "" detaches it.
func (s *Session) SetOwner(owner string) error { return s.state().SetOwner(owner) }

// Destroy deletes the stored session now. The Session then behaves as a
// new, empty session under a new id: if the handler stores values in it,
// it is saved and its cookie sent; otherwise the middleware clears the
// browser's cookie (even with SaveUninitialized, the new session is created
// on the next request, as in Express).
func (s *Session) Destroy(ctx context.Context) error {
	return s.state().Destroy(ctx)
}

// Unset detaches the session from the request, as assigning null to
// req.session does in Express: the middleware neither saves nor touches it
// nor sends a cookie, and with the middleware's Unset option set to
// destroy, the stored session is destroyed at the end of the request.
func (s *Session) Unset() { s.state().Unset() }

// Touch resets the cookie's expiry to now plus its max age. The middleware
// does this at the end of every request; handlers rarely need to.
func (s *Session) Touch() { s.state().Touch() }

// MaxAge returns the lifetime of the session cookie, 0 for a cookie that
// lasts until the browser closes.
func (s *Session) MaxAge() time.Duration { return s.state().MaxAge() }

// SetMaxAge sets this session's cookie lifetime to d from now: the
// "remember me" choice. d <= 0 makes a cookie that lasts until the browser
// closes. Unlike a cookie change in express-session, it always takes
// effect: the session is saved and the new cookie sent at the end of the
// request, even if nothing else changed.
func (s *Session) SetMaxAge(d time.Duration) error { return s.state().SetMaxAge(d) }

// Expires returns when the session cookie expires, or the zero time for a
// cookie that lasts until the browser closes.
func (s *Session) Expires() time.Time { return s.state().Expires() }

// Modified reports whether the session's data differs from what was loaded
// at the start of the request (its cookie aside), which is what decides
// whether it is saved.
func (s *Session) Modified() bool { return s.state().Modified() }
