package session

import "github.com/seshgo/sesh/internal/core"

// Errors reported by sessions and by the middleware, for errors.Is. They
// fall in three classes, which call for different responses:
//
//   - bad client input (ErrInvalidCookie): expected from the open
//     internet; the request gets a fresh session, never an error page;
//   - stored data that cannot be read (ErrCorrupt): reported, and the
//     request gets a fresh session;
//   - failures of the backend or of the application (ErrBackend,
//     ErrTooLarge, ErrConflict, ErrDestroyed): the session could not be
//     loaded or saved; the middleware's ErrorHandler answers 5xx (or 409),
//     so that a change is never acknowledged without being stored.
//
// Misuse, such as a middleware without secrets, is reported when the
// middleware is constructed (middleware.ErrInvalidOptions).
var (
	// ErrInvalidCookie reports a session cookie that is unsigned, wrongly
	// signed, tampered with or malformed.
	ErrInvalidCookie = core.ErrInvalidCookie

	// ErrCorrupt reports a stored session that cannot be decoded or
	// decrypted (see backend.ErrCorrupt and codec.ErrMalformed, which it
	// wraps).
	ErrCorrupt = core.ErrCorrupt

	// ErrBackend wraps every error a backend returned.
	ErrBackend = core.ErrBackend

	// ErrTooLarge reports a session whose encoding exceeds the
	// middleware's MaxSize.
	ErrTooLarge = core.ErrTooLarge

	// ErrReservedKey reports a key that express-session's session object
	// already has (cookie, id, req, regenerate, save, reload, destroy,
	// touch, resetMaxAge, and those of Object.prototype such as constructor,
	// toString or __proto__) or that connect-mongo uses (lastModified).
	// Express would silently drop a value stored under one of them.
	ErrReservedKey = core.ErrReservedKey

	// ErrCommitted reports a change attempted after the response headers
	// were sent, when the session has already been saved.
	ErrCommitted = core.ErrCommitted

	// ErrNotFound reports, from Reload, a session no longer stored.
	ErrNotFound = core.ErrNotFound

	// ErrUnset reports a change to a session after Unset.
	ErrUnset = core.ErrUnset

	// ErrDestroyed reports, in the optimistic concurrency mode, a save
	// abandoned because another request destroyed the session meanwhile
	// (for example a sign-out): it is never written back.
	ErrDestroyed = core.ErrDestroyed

	// ErrConflict reports, in the optimistic concurrency mode, a save that
	// kept conflicting with concurrent writes until the retries ran out.
	ErrConflict = core.ErrConflict
)
