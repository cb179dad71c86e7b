// Package backend defines how sesh persists sessions: the contract between
// the middleware and a store. It is written for implementers, in the manner
// of database/sql/driver; handlers never use it.
//
// A backend stores Records: a session id, the session as the middleware
// encoded it (express-session's JSON by default, or ciphertext), its
// expiry, and a few attributes the middleware manages. The required core
// is the Backend interface; everything else is an optional interface that
// the middleware discovers by type assertion, and that a backend may still
// decline at run time by returning an error matching errors.ErrUnsupported
// (a wrapper implements every method and declines what the wrapped backend
// cannot do, as io/fs.Sub does).
//
// # Implementer's checklist
//
// Each rule names the property of package
// github.com/seshgo/sesh/conformance that checks it.
//
// All methods:
//   - are safe for concurrent use (Concurrent, ConditionalRace);
//   - honour ctx: a cancelled context or a passed deadline makes the method
//     return promptly with an error wrapping ctx.Err(), and a method that
//     did not run changes nothing (ContextCancelled, ContextDeadline);
//   - never keep the caller's Data slice, nor hand out one they still use
//     (NoAliasing);
//   - after Close (io.Closer), fail with an error matching ErrClosed; Close
//     is idempotent (Close).
//
// Get:
//   - returns found == false and a nil error for an id never stored, a
//     destroyed record, and a record whose Expires has passed, even one the
//     backend has not removed yet: the error return is for failures only
//     (GetMissing, ExpiredInvisible, ExpiryHonouredOnRead);
//   - returns Data byte for byte as written, whatever it holds, under the
//     id byte for byte as written: ids may contain '.', '$', '/', spaces
//     and any Unicode (RoundTrip, Unicode, LargePayload, IDsVerbatim);
//   - returns the Expires the record was given, to the millisecond, or the
//     backend's own lifetime applied to a zero Expires (DefaultLifetime);
//   - returns Modified, Owner and Created as written, where the backend
//     stores them (Attributes);
//   - returns a Token, which comes back unchanged with the writes of that
//     session (TokenRoundTrip);
//   - reports a record that exists but cannot be read with an error matching
//     ErrCorrupt, never as missing and never with a panic.
//
// Create:
//   - stores a new record, and fails with ErrExists, changing nothing, when
//     a live record is stored under the id (CreateExisting); an expired one
//     is replaced;
//   - returns the Token of what it stored (TokenRoundTrip).
//
// Update:
//   - replaces the record stored under the id (Overwrite), and fails with
//     ErrNotFound, storing nothing, when there is no live record: a session
//     destroyed or expired since it was read is never written back
//     (UpdateMissing, UpdateAfterDestroy);
//   - works with a zero Token, which means the session was not read in
//     this process (ZeroToken), and never lets one record's Token affect
//     another record (TokenIsolation);
//   - returns the Token of what it stored.
//
// Touch:
//   - sets the expiry (or the backend's lifetime for a zero expiry) and,
//     when non-zero, the modification time of a live record, without
//     changing its data (TouchExtendsExpiry, TouchKeepsData);
//   - fails with ErrNotFound, creating nothing, when there is no live
//     record (TouchMissing).
//
// Destroy:
//   - removes the record; removing a missing record is not an error
//     (DestroyIdempotent).
//
// Optional interfaces:
//   - ConditionalUpdater: UpdateIf is Update that also fails with
//     ErrConflict, storing nothing, when the record changed since the read
//     that returned the Token, by any writer, including applications that
//     do not know sesh (Conditional, ConditionalRace); whether a Touch
//     counts as a change is the backend's choice (a row version changes
//     with it): a conflict only costs the middleware a re-read and a retry;
//   - Lister, Counter, Clearer: Len, All and Get agree on what is stored
//     (ListerLiveOnly, CounterCounts, ClearerClears, ListingsAgree);
//   - Owners: Owned yields the live records of one owner
//     (OwnersIndex);
//   - UsageChecker: refuses, when the middleware is built, a use the
//     backend cannot serve;
//   - io.Closer: releases connections and goroutines.
//
// Errors are returned wrapped, with the operation and the cause, and
// matched with errors.Is; see the Err variables.
package backend
