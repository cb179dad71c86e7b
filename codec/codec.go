// Package codec encodes sessions the way express-session stores them.
//
// A session is a Payload: express-session's cookie object plus the
// application's values, each held as JSON text in the order the keys were
// first set. JSON, the default Codec, produces exactly the text that
// express-session hands to its store:
//
//	{"cookie":{"originalMaxAge":3600000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"views":1}
//
// so that sessions written by sesh can be read by express-session and
// connect-mongo, and the reverse. Backends that store objects rather than
// text (MongoDB with its string form turned off) work from the Payload, the
// native-document form, and convert it to their own types.
package codec

import (
	"errors"
	"time"
)

// ErrMalformed reports stored session data that cannot be decoded: not JSON,
// not an object, no cookie, or a cookie field of the wrong type. The
// middleware treats such a session as absent and starts a fresh one.
var ErrMalformed = errors.New("codec: malformed session data")

// A Codec turns a Payload into bytes for a backend and back.
//
// Decode may keep references into data, which the caller must not modify
// afterwards, and must return an error
// matching ErrMalformed, never panic, for any input it cannot decode.
type Codec interface {
	Encode(p *Payload) ([]byte, error)
	Decode(data []byte) (*Payload, error)
}

// Payload is a session as stored: express-session's cookie object and the
// application's values.
type Payload struct {
	Cookie Cookie
	Values []Value
}

// Value is one application value: its key and its JSON text.
type Value struct {
	Key string
	// JSON is the value's JSON text, compact or not. Codecs write it
	// verbatim and never modify it.
	JSON []byte
}

// Cookie is express-session's session.cookie object: the attributes of the
// session cookie, stored with every session.
//
// Its JSON form lists the fields in express-session's order:
// originalMaxAge, partitioned, priority, expires, secure, httpOnly, domain,
// path, sameSite. Fields that express-session leaves undefined (a false
// Partitioned, an empty Priority, Domain or SameSite, a false Secure that
// was not set explicitly) are left out.
type Cookie struct {
	// OriginalMaxAge is the cookie lifetime the session was given, with
	// millisecond resolution. It is meaningful only when Expires is set;
	// a browser-session cookie stores null.
	OriginalMaxAge time.Duration

	// Expires is when the cookie expires. The zero time is a
	// browser-session cookie (JSON null).
	Expires time.Time

	Partitioned bool
	// Priority is "low", "medium", "high" or empty.
	Priority string
	Secure   bool
	// SecureSet writes a false Secure as "secure":false rather than
	// leaving it out: express-session sets the field whenever its secure
	// option is given, 'auto' included, and leaves it undefined otherwise.
	SecureSet bool
	HTTPOnly  bool
	Domain    string
	Path      string
	// SameSite is "lax", "strict", "none" or empty (attribute not sent).
	SameSite string
}

// Persistent reports whether the cookie has an expiry, as opposed to being a
// browser-session cookie.
func (c *Cookie) Persistent() bool { return !c.Expires.IsZero() }

// Reset sets Expires to now plus OriginalMaxAge, as express-session's
// cookie.resetMaxAge does at the end of every request. A browser-session
// cookie stays one.
func (c *Cookie) Reset(now time.Time) {
	if c.Expires.IsZero() {
		return
	}
	c.Expires = now.Add(c.OriginalMaxAge).Truncate(time.Millisecond)
}

// DateLayout is the layout of JavaScript's Date.prototype.toJSON, which
// express-session uses for cookie.expires: always three fractional digits
// and a Z. time.RFC3339Nano would drop trailing zeros.
const DateLayout = "2006-01-02T15:04:05.000Z"

// FormatDate formats t as JavaScript's Date.prototype.toJSON does.
func FormatDate(t time.Time) string { return t.UTC().Format(DateLayout) }
