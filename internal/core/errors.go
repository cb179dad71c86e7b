package core

import "errors"

// The error vocabulary shared by package session (which re-exports these
// values) and the middleware. They live here so both can use them without
// an import cycle.
var (
	ErrInvalidCookie = errors.New("sesh: invalid session cookie")
	ErrCorrupt       = errors.New("sesh: stored session cannot be decoded")
	ErrBackend       = errors.New("sesh: session backend failed")
	ErrTooLarge      = errors.New("sesh: session too large")
	ErrReservedKey   = errors.New("sesh: reserved session key")
	ErrCommitted     = errors.New("sesh: session changed after the response headers were sent")
	ErrNotFound      = errors.New("sesh: session not found in the backend")
	ErrUnset         = errors.New("sesh: session was unset")
	ErrDestroyed     = errors.New("sesh: session was destroyed by another request")
	ErrConflict      = errors.New("sesh: session kept changing under concurrent requests")
)
