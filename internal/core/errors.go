package core

import (
	"errors"
	"fmt"

	"github.com/seshgo/sesh/backend"
)

// The error classes of package session, which re-exports them. They live
// here so that the engine and the middleware can use them without an
// import cycle. Where a class means what a backend error means, it is that
// error, under the same name.
var (
	ErrInvalidCookie = errors.New("sesh: invalid session cookie")
	ErrCorrupt       = backend.ErrCorrupt
	ErrBackend       = errors.New("sesh: session backend failed")
	ErrTooLarge      = backend.ErrTooLarge
	ErrInvalidData   = backend.ErrInvalidData
	ErrReservedKey   = errors.New("sesh: reserved session key")
	ErrCommitted     = errors.New("sesh: session changed after the response headers were sent")
	ErrUnset         = errors.New("sesh: session was unset")
	ErrDestroyed     = errors.New("sesh: session was destroyed or expired meanwhile")
	ErrContended     = errors.New("sesh: session kept changing under concurrent requests")
)

// NewError builds the error of operation op, of class kind (one of the
// Err variables), caused by cause (which may be nil). Package session sets
// it to build its Error type; the default is for the engine's own tests.
var NewError = func(op string, kind, cause error) error {
	if cause == nil {
		return fmt.Errorf("sesh: %s: %w", op, kind)
	}
	return fmt.Errorf("sesh: %s: %w: %w", op, kind, cause)
}

func fail(op string, kind, cause error) error { return NewError(op, kind, cause) }

// backendError classifies a backend's error for op: the backend refused
// the data itself (too large, invalid) or it failed.
func backendError(op string, err error) error {
	switch {
	case errors.Is(err, backend.ErrTooLarge):
		return fail(op, ErrTooLarge, err)
	case errors.Is(err, backend.ErrInvalidData):
		return fail(op, ErrInvalidData, err)
	case errors.Is(err, backend.ErrCorrupt):
		return fail(op, ErrCorrupt, err)
	}
	return fail(op, ErrBackend, err)
}
