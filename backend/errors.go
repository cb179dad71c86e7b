package backend

import "errors"

// Errors that backends return, wrapped with the operation and the cause,
// and that callers match with errors.Is. A backend's other errors are
// failures (a server down, a timeout); the middleware reports them all
// alike.
var (
	// ErrNotFound reports that Update, UpdateIf or Touch found no live
	// record to change: it was destroyed or it expired.
	ErrNotFound = errors.New("backend: session not found")

	// ErrExists reports that Create found a live record under the id.
	ErrExists = errors.New("backend: session id already in use")

	// ErrConflict reports that UpdateIf found the record changed since it
	// was read.
	ErrConflict = errors.New("backend: session changed since it was read")

	// ErrClosed reports a call on a backend that has been closed.
	ErrClosed = errors.New("backend: closed")

	// ErrTooLarge reports a record larger than the backend can store.
	ErrTooLarge = errors.New("backend: session too large")

	// ErrCorrupt reports a stored record that exists but cannot be read (a
	// field of the wrong type, an undecodable document). The middleware
	// treats such a session as absent: it starts a fresh one, reports the
	// error, and leaves the record alone.
	ErrCorrupt = errors.New("backend: stored session is corrupt")

	// ErrInvalidData reports session data that the backend cannot store in
	// its native form (for example a key that MongoDB forbids).
	ErrInvalidData = errors.New("backend: session data cannot be stored")
)
