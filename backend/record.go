package backend

import "time"

// Record is one stored session.
type Record struct {
	// ID is the session id, exactly as it appears in the cookie.
	ID string

	// Data is the session as the middleware encoded it: express-session's
	// JSON text by default, ciphertext when the middleware encrypts, or
	// another codec's bytes. Backends store it verbatim, must not keep the
	// slice after a write returns, and must not hand out a slice they
	// still use.
	Data []byte

	// Expires is when the record stops being valid. The zero time means
	// the session has no expiry of its own (a browser-session cookie): the
	// backend then applies its own lifetime, and Get reports the expiry it
	// applied.
	Expires time.Time

	// Modified is when the record was last written or touched, set by the
	// middleware when it needs it (TouchAfter, owners). Backends store it
	// where they can and return it from Get; one that cannot returns the
	// zero time, and the middleware then derives the time of the last
	// write from Expires and the session's cookie.
	Modified time.Time

	// Owner identifies the user the session belongs to ("" for none), as
	// the application set it. Created is when the session was first
	// stored. Backends that implement Owners store both and return them;
	// others may ignore them.
	Owner   string
	Created time.Time

	// Token is the backend's own note about the record, returned with it
	// by Get and All and by every write; see Token.
	Token Token
}

// Token is what a backend hands out with a record and gets back, unchanged,
// with the next write of that session: an entity tag, in HTTP's terms. The
// middleware never looks inside. A backend puts there whatever it needs to
// write the record again as it wants: the version a conditional write
// compares with (a counter, a hash of the stored bytes, a row's system
// version), or the native form of what it read (MongoDB keeps the BSON
// types of values a request left unchanged).
//
// The zero Token means the session was not read in this process: every
// write must accept it, doing what it would do without the note.
type Token struct{ sys any }

// NewToken returns a Token holding sys. A nil sys gives the zero Token.
func NewToken(sys any) Token { return Token{sys: sys} }

// Sys returns what the backend put in the Token, as fs.FileInfo.Sys does:
// nil for the zero Token. A backend type-asserts it to its own type and
// treats any other value as the zero Token.
func (t Token) Sys() any { return t.sys }

// IsZero reports whether t is the zero Token.
func (t Token) IsZero() bool { return t.sys == nil }
