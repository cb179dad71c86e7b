// Package conformance checks that a session backend keeps the contract of
// package backend, so that the middleware behaves the same on it as on the
// backends shipped with sesh. Each property it checks is named in package
// backend's implementer's checklist, next to the rule it checks.
//
// # Running it
//
// Call Run from a test in the backend's package:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) backend.Backend {
//			b := mybackend.New(...) // empty: a fresh table, key prefix or database
//			t.Cleanup(func() { b.Close() /* and drop what it stored */ })
//			return b
//		})
//	}
//
// Each property runs as a subtest, on a fresh backend, so that a failure
// names the property broken. A property of an optional interface that the
// backend does not implement is skipped, saying so ("does not implement
// backend.Owners"). Run the suite with -race: several properties use the
// backend from many goroutines at once. It takes a few seconds, as some
// properties wait for short expiries to pass.
//
// Check runs the same properties outside package testing (from a command,
// or to assert known failures) and returns every failure as one error, in
// the manner of testing/fstest.TestFS; see the example.
//
// # Failures
//
// A failure gives the property, the line of the property that found it,
// and what the backend did. Under Run:
//
//	--- FAIL: TestConformance/TokenIsolation
//	    tokens.go:138: UpdateIf("B") with the Token Get returned, after a write of another record: mybackend: updateif: backend: session changed since it was read
//
// Check returns the same failure as "TokenIsolation: tokens.go:138:
// UpdateIf(...". Its result is nil, or an errors.Join of one error per
// failure (Unwrap() []error lists them), each wrapping what the backend
// returned, for errors.Is and errors.As.
//
// A property that does not return within 30 seconds fails, with "did not
// return within 30s: does the backend honour ctx / release its lock?", and
// the run goes on to the next property. The bound is wide, for slow
// backends (FerretDB on SQLite), and only there to stop a backend that
// ignores its context or never releases a lock from hanging the run. Under
// Run the backend's cleanup still runs at the end of that subtest; it may
// block too, if the backend holds a lock for good.
//
// # Refusals
//
// A backend may implement a method and decline at run time with an error
// matching errors.ErrUnsupported (an option turns a feature off, or the
// server cannot do it). That is no reason to skip: each property that calls
// the method fails, with the refusal in its chain, so that the caller can
// assert that every failure is a refusal it expects, and nothing else. A
// backend that declines UpdateIf, for one, fails TokenRoundTrip, ZeroToken,
// TokenIsolation, ContextCancelled, ContextDeadline, Conditional,
// ConditionalRace and Close, each with its refusal:
//
//	err := conformance.Check(ctx, open)
//	if errs, ok := err.(interface{ Unwrap() []error }); ok {
//		for _, err := range errs.Unwrap() {
//			if !errors.Is(err, errors.ErrUnsupported) {
//				t.Error(err)
//			}
//		}
//	}
//
// # Times
//
// The suite writes times with millisecond precision and accepts them back
// within 2 ms. An expiry may also come back up to a second late, for
// backends that store it in whole seconds, rounded up, as connect-pg-simple
// and connect-redis do; an expiry coming back early is a failure.
package conformance
