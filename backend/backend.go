package backend

import (
	"context"
	"time"
)

// DefaultTTL is the lifetime that the memory backend gives a record whose
// Expires is zero (a session with a browser-session cookie). It is
// connect-mongo's ttl default: 14 days. The database backends default to
// the lifetime of the Express store they share sessions with.
const DefaultTTL = 14 * 24 * time.Hour

// Backend is the interface every session store implements. The package
// documentation lists the rules each method keeps.
type Backend interface {
	// Get returns the live record stored under id. A missing or expired
	// record is found == false with a nil error.
	Get(ctx context.Context, id string) (rec Record, found bool, err error)

	// Create stores rec as a new record. It fails with an error matching
	// ErrExists, and stores nothing, when a live record has rec.ID.
	// rec.Token is ignored.
	Create(ctx context.Context, rec Record) (Token, error)

	// Update replaces the live record stored under rec.ID. It fails with an
	// error matching ErrNotFound, and stores nothing, when there is none.
	// rec.Token is what Get, All, Create or a previous Update returned for
	// this record, or the zero Token.
	Update(ctx context.Context, rec Record) (Token, error)

	// Touch sets the expiry of the live record stored under id to expires
	// (the backend's lifetime when zero) and, when modified is not zero,
	// its modification time, leaving its data as it is. It fails with an
	// error matching ErrNotFound, and creates nothing, when there is no live
	// record. tok is the record's Token, as for Update.
	Touch(ctx context.Context, id string, expires, modified time.Time, tok Token) error

	// Destroy removes the record stored under id, if any.
	Destroy(ctx context.Context, id string) error
}

// Expired reports whether a record with expiry expires has expired at now.
// A zero expiry never expires.
func Expired(expires, now time.Time) bool {
	return !expires.IsZero() && !now.Before(expires)
}
