package conformance

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// reporter is what a property reports its failures to: the subtest's
// testing.T under Run, a list of errors under Check. Either way a failure
// is located at the line of the property that reported it, not in the
// reporting code: under Run through t.Helper, under Check through
// runtime.Caller.
//
// A property runs in a goroutine of its own, so that Run and Check can give
// up on one that does not return. Once they have (end), later reports are
// dropped: calling a finished subtest's Errorf would panic.
type reporter struct {
	t    *testing.T // the subtest under Run; nil under Check
	name string     // the property's, which starts each error under Check

	mu    sync.Mutex
	errs  []error // the failures, under Check
	ended bool
}

// Errorf reports a failure formatted as by fmt.Errorf, so that %w keeps the
// chain of the error it wraps, and the property goes on.
func (r *reporter) Errorf(format string, args ...any) {
	if r.t != nil {
		r.t.Helper()
	}
	r.report(2, fmt.Errorf(format, args...))
}

// Fatalf is Errorf, and then the property ends.
func (r *reporter) Fatalf(format string, args ...any) {
	if r.t != nil {
		r.t.Helper()
	}
	r.report(2, fmt.Errorf(format, args...))
	runtime.Goexit()
}

// Expect reports each error that is not nil, and the property goes on.
func (r *reporter) Expect(errs ...error) {
	if r.t != nil {
		r.t.Helper()
	}
	for _, err := range errs {
		if err != nil {
			r.report(2, err)
		}
	}
}

// Require is Expect, and then, if it reported anything, the property ends.
func (r *reporter) Require(errs ...error) {
	if r.t != nil {
		r.t.Helper()
	}
	failed := false
	for _, err := range errs {
		if err != nil {
			r.report(2, err)
			failed = true
		}
	}
	if failed {
		runtime.Goexit()
	}
}

// report records err as a failure located skip frames above report (the
// property, for the methods above); skip < 0 means no location.
func (r *reporter) report(skip int, err error) {
	if r.t != nil {
		r.t.Helper()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return
	}
	if r.t != nil {
		r.t.Error(err)
		return
	}
	if skip >= 0 {
		if _, file, line, ok := runtime.Caller(skip); ok {
			err = fmt.Errorf("%s:%d: %w", filepath.Base(file), line, err)
		}
	}
	r.errs = append(r.errs, fmt.Errorf("%s: %w", r.name, err))
}

// end drops every later report and returns the failures recorded under
// Check.
func (r *reporter) end() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = true
	return r.errs
}
