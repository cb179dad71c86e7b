package backend

import (
	"context"
	"iter"
)

// ConditionalUpdater is implemented by backends that can write a record
// only if it is unchanged since it was read, which the middleware's
// optimistic concurrency mode needs.
type ConditionalUpdater interface {
	// UpdateIf is Update, except that it also fails with an error matching
	// ErrConflict, and stores nothing, when the record stored under rec.ID
	// changed since the read or write that returned rec.Token: changed by
	// any writer, including applications that share the store without
	// knowing sesh (an Express application). A zero rec.Token conflicts
	// with any stored record. A record that is gone is ErrNotFound.
	UpdateIf(ctx context.Context, rec Record) (Token, error)
}

// Lister is implemented by backends that can enumerate their records
// (express-session's store.all).
type Lister interface {
	// All yields every live record, with its Token. A record that cannot
	// be read is yielded with an error matching ErrCorrupt (and its ID,
	// when known), and the iteration goes on; any other error ends it.
	// The caller may stop early. A backend should stream, in memory that
	// does not grow with the number of records; one whose database's own
	// iteration may return an item twice (Redis's SCAN, while it resizes
	// its table) may then yield a record twice, and says so.
	All(ctx context.Context) iter.Seq2[Record, error]
}

// Counter is implemented by backends that can count their records
// (store.length).
type Counter interface {
	// Len returns the number of stored records. It may include expired
	// records the backend has not removed yet.
	Len(ctx context.Context) (int, error)
}

// Clearer is implemented by backends that can remove every record
// (store.clear).
type Clearer interface {
	// Clear removes every record. Indexes and other set-up survive.
	Clear(ctx context.Context) error
}

// Owners is implemented by backends that index records by Record.Owner,
// so that the middleware can list a user's sessions, and sign them out
// everywhere, without scanning every record.
type Owners interface {
	// Owned yields the live records whose Owner is owner, as All does.
	Owned(ctx context.Context, owner string) iter.Seq2[Record, error]
}

// UsageChecker is implemented by backends that cannot serve every use the
// middleware can make of them. The middleware calls CheckUsage once, when
// it is built, and refuses to start if it returns an error, which should
// say what cannot work and what to change. A backend that cannot tell
// without I/O may try with ctx, and must return nil when it cannot tell.
type UsageChecker interface {
	CheckUsage(ctx context.Context, u Usage) error
}

// Usage is how a middleware will use a backend.
type Usage struct {
	// Data is what Record.Data will hold.
	Data DataKind
	// Conditional reports that the middleware will call UpdateIf
	// (optimistic concurrency).
	Conditional bool
}

// DataKind says what Record.Data holds.
type DataKind int

const (
	// DataJSON is express-session's JSON text of the session (the
	// middleware's default codec, no encryption).
	DataJSON DataKind = iota
	// DataEncrypted is the text of a cipher: printable ASCII.
	DataEncrypted
	// DataOther is the output of another codec.
	DataOther
)

func (k DataKind) String() string {
	switch k {
	case DataJSON:
		return "express-session JSON"
	case DataEncrypted:
		return "ciphertext"
	}
	return "the output of a custom codec"
}
