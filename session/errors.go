package session

import (
	"strings"

	"github.com/seshgo/sesh/internal/core"
)

// Error is the error of a session operation, for errors.As: what was being
// done, the class of the failure (one of the Err variables, for errors.Is),
// and its cause (a backend's error, a codec's, a cipher's). Every error the
// middleware reports to OnError and ErrorHandler is one, and so are the
// errors of Session's methods.
type Error struct {
	// Op is the operation: load, save, touch, destroy, reload, regenerate,
	// renew, set, delete, clear, owner, cookie (the request's cookie), or
	// unset.
	Op string
	// Kind is the class, one of the Err variables of this package.
	Kind error
	// Err is the cause, or nil.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sesh: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Kind.Error(), "sesh: "))
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the class and the cause, so that errors.Is matches both.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func init() {
	core.NewError = func(op string, kind, cause error) error {
		return &Error{Op: op, Kind: kind, Err: cause}
	}
	core.NewHandle = func(st *core.State) any { return &Session{st: st} }
}

// The classes of errors, for errors.Is. They call for different responses:
//
//   - bad client input (ErrInvalidCookie): expected from the open
//     internet; the request gets a fresh session, never an error page;
//   - stored data that cannot be read (ErrCorrupt): reported, and the
//     request gets a fresh session;
//   - the session ended elsewhere (ErrDestroyed): the changes of a request
//     that raced a sign-out are not saved, and the browser's cookie is
//     cleared (409);
//   - failures (ErrBackend, and ErrContended in the optimistic mode): the
//     session could not be loaded or saved; the middleware's ErrorHandler
//     answers 503 (or 409), so that a change is never acknowledged without
//     being stored;
//   - a session the backend cannot store (ErrTooLarge, ErrInvalidData): 500;
//   - misuse by the handler (ErrReservedKey, ErrCommitted, ErrUnset),
//     returned by the method called.
//
// Misuse of the middleware's options is reported when it is constructed
// (middleware.ErrInvalidOptions). Where a class means what a backend's
// error means, it is that error: ErrCorrupt is backend.ErrCorrupt,
// ErrTooLarge backend.ErrTooLarge, ErrInvalidData backend.ErrInvalidData.
var (
	// ErrInvalidCookie reports a session cookie that is unsigned, wrongly
	// signed, tampered with or malformed.
	ErrInvalidCookie = core.ErrInvalidCookie

	// ErrCorrupt reports a stored session that cannot be read: the backend
	// says it is corrupt, or it cannot be decrypted or decoded
	// (codec.ErrMalformed, cipher.ErrDecrypt), or its cookie is invalid.
	ErrCorrupt = core.ErrCorrupt

	// ErrBackend reports a backend failure: unreachable, timed out,
	// closed, or declining an operation (errors.ErrUnsupported).
	ErrBackend = core.ErrBackend

	// ErrTooLarge reports a session whose encoding exceeds the
	// middleware's MaxSize or what the backend can store.
	ErrTooLarge = core.ErrTooLarge

	// ErrInvalidData reports a session that cannot be encoded, encrypted
	// or stored in the backend's native form.
	ErrInvalidData = core.ErrInvalidData

	// ErrReservedKey reports a key that express-session's session object
	// already has (cookie, id, req, regenerate, save, reload, destroy,
	// touch, resetMaxAge, and those of Object.prototype such as
	// constructor, toString or __proto__) or that connect-mongo uses
	// (lastModified): Express would silently drop a value stored there.
	ErrReservedKey = core.ErrReservedKey

	// ErrCommitted reports a change attempted after the response headers
	// were sent, when the session has already been saved.
	ErrCommitted = core.ErrCommitted

	// ErrUnset reports a change to a session after Unset.
	ErrUnset = core.ErrUnset

	// ErrDestroyed reports a session destroyed (a sign-out in another
	// request) or expired after this request loaded it: its changes are
	// not saved, since a signed-out session is never written back; Reload
	// returns it too.
	ErrDestroyed = core.ErrDestroyed

	// ErrContended reports, in the optimistic concurrency mode, a save
	// that kept conflicting with concurrent writes until the retries ran
	// out.
	ErrContended = core.ErrContended
)
