// Package backend defines how sesh persists sessions.
//
// A Backend stores Records: a session id, the session encoded by the
// middleware's codec (express-session's JSON by default), and the time the
// record stops being valid. The required core is four context-aware methods:
// Get, Set, Touch and Destroy. Everything else is optional and discovered by
// type assertion, in the style of database/sql/driver:
//
//   - Lister: iterate over every live record (express-session's store.all);
//   - Counter: count stored records (store.length);
//   - Clearer: remove every record (store.clear);
//   - ConditionalSetter: write only if the record is unchanged since it was
//     read, which enables the middleware's optimistic concurrency mode;
//   - io.Closer: release connections and background goroutines; Close is
//     idempotent, and afterwards every method returns an error matching
//     ErrClosed.
//
// Implementations should pass the suite in package
// github.com/seshgo/sesh/conformance.
package backend

import (
	"context"
	"errors"
	"iter"
	"time"
)

// DefaultTTL is the lifetime that backends in this module give a record
// whose Expires is zero (a session with a browser-session cookie). It is
// connect-mongo's ttl default: 14 days.
const DefaultTTL = 14 * 24 * time.Hour

// Record is one stored session.
type Record struct {
	// ID is the session id, exactly as it appears in the cookie.
	ID string

	// Data is the session encoded by the middleware's codec. Backends store
	// it verbatim and must not keep a reference to the slice after Set
	// returns, nor hand out a slice they still use.
	Data []byte

	// Expires is when the record stops being valid. The zero time means the
	// session has no expiry of its own (a browser-session cookie): the
	// backend then applies its own lifetime, DefaultTTL unless configured,
	// and Get reports the expiry it applied.
	Expires time.Time

	// Modified is when the middleware last wrote or touched the record. It
	// is zero unless the middleware's TouchAfter is set. Backends store it
	// when it is non-zero and return it from Get; the middleware uses it to
	// skip touches that would change almost nothing.
	Modified time.Time

	// Native is private to the backend: what Get returned here (the
	// document as stored, for instance) is passed back unchanged by the
	// middleware in the Set, SetIf and Touch of the same session, so a
	// backend can keep what its own format holds and the session's JSON
	// does not (MongoDB keeps the BSON types of values the request left
	// unchanged). It is nil for a session that was not read, and backends
	// must work without it.
	Native any

	// Version counts conditional writes (see ConditionalSetter). Get returns
	// the stored version, 0 for a record never written conditionally.
	// Backends without ConditionalSetter leave it 0.
	Version uint64
}

// Backend is the interface every session store implements.
//
// Every method must honour ctx: when ctx is cancelled or its deadline
// passes, the method returns promptly with an error that wraps ctx.Err().
// Methods must be safe for concurrent use.
type Backend interface {
	// Get returns the record stored under id. A missing record, and a
	// record whose Expires has passed, is reported as found == false with
	// a nil error, never as an error: the error return is for system
	// failures only. Get must not return an expired record even if the
	// backend has not removed it yet.
	Get(ctx context.Context, id string) (rec Record, found bool, err error)

	// Set stores rec under rec.ID, replacing any previous record.
	Set(ctx context.Context, rec Record) error

	// Touch updates the expiry (rec.Expires, or the backend lifetime when it
	// is zero) and rec.Modified of the record stored under rec.ID without
	// changing its data. It never creates a record: when none is stored it
	// returns an error that matches ErrNotFound.
	Touch(ctx context.Context, rec Record) error

	// Destroy removes the record stored under id. Destroying a record that
	// does not exist is not an error.
	Destroy(ctx context.Context, id string) error
}

// Lister is implemented by backends that can enumerate their records.
type Lister interface {
	// All yields every live (unexpired) record. Iteration stops at the
	// first error, which is yielded with a zero Record.
	All(ctx context.Context) iter.Seq2[Record, error]
}

// Counter is implemented by backends that can count their records.
type Counter interface {
	// Len returns the number of stored records. Like connect-mongo's
	// length, it may include expired records that have not been removed
	// yet.
	Len(ctx context.Context) (int, error)
}

// Clearer is implemented by backends that can remove every record.
type Clearer interface {
	// Clear removes every record. Indexes and other set-up survive.
	Clear(ctx context.Context) error
}

// ConditionalSetter is implemented by backends that support optimistic
// concurrency.
type ConditionalSetter interface {
	// SetIf stores rec only if the record stored under rec.ID still has
	// version want: 0 means "no record is stored" when created is true,
	// and "a record stored without a version" otherwise. On success the
	// stored version becomes want+1. When the stored record has another
	// version, or is missing (unless created), or exists although created
	// is true, SetIf stores nothing and returns an error matching
	// ErrConflict.
	SetIf(ctx context.Context, rec Record, want uint64, created bool) error
}

// Errors that backends return, wrapped, and that callers match with
// errors.Is.
var (
	// ErrNotFound reports that Touch found no record to update.
	ErrNotFound = errors.New("backend: session not found")

	// ErrConflict reports that a conditional write lost a race.
	ErrConflict = errors.New("backend: session changed since it was read")

	// ErrClosed reports a call on a backend that has been closed.
	ErrClosed = errors.New("backend: closed")

	// ErrTooLarge reports a record larger than the backend can store.
	ErrTooLarge = errors.New("backend: session too large")

	// ErrCorrupt reports a stored record that exists but cannot be decoded
	// or decrypted (wrong key, tampered ciphertext, a field of the wrong
	// type). The middleware treats the session as absent: it starts a fresh
	// one and reports the error, and it leaves the record alone.
	ErrCorrupt = errors.New("backend: stored session is corrupt")

	// ErrInvalidData reports session data that the backend cannot store in
	// its native form (for example a key that MongoDB forbids).
	ErrInvalidData = errors.New("backend: session data cannot be stored")
)

// Expired reports whether a record with expiry expires has expired at now.
// A zero expiry never expires.
func Expired(expires, now time.Time) bool {
	return !expires.IsZero() && !now.Before(expires)
}
