package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// bound is how long one property may take before it fails for not
// returning. A property takes a few seconds at most on a working backend
// (FerretDB on SQLite is the slowest seen); the bound is for a backend that
// ignores its context or never releases a lock. Tests of this package set
// a shorter one.
var bound = 30 * time.Second

// Run runs every property as a subtest of t, each on a new backend from
// open, which must return an empty backend and arrange, with t.Cleanup, to
// close it and remove what it stored. A property of an optional interface
// that the backend does not implement is skipped, saying so.
func Run(t *testing.T, open func(t *testing.T) backend.Backend) {
	t.Helper()
	for _, p := range properties {
		t.Run(p.name, func(t *testing.T) {
			b := open(t)
			if why := p.skip(b); why != "" {
				t.Skip(why)
			}
			r := &reporter{t: t, name: p.name}
			if !p.run(t.Context(), r, b) {
				t.Error(p.stuck())
			}
			r.end()
		})
	}
}

// Check runs every property, each on a new backend from open, which must
// return an empty backend. Check closes each backend that implements
// io.Closer when its property is done. It returns nil, or one error for
// every failure, joined with errors.Join, each starting with the name of
// the property: "TokenIsolation: tokens.go:57: ...". The failures keep the
// chains of the errors the backend returned, for errors.Is and errors.As.
// Properties of optional interfaces that the backend does not implement
// are not run.
func Check(ctx context.Context, open func() (backend.Backend, error)) error {
	var errs []error
	for _, p := range properties {
		b, err := open()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: opening a backend: %w", p.name, err))
			break
		}
		if p.skip(b) != "" {
			closeQuietly(b)
			continue
		}
		r := &reporter{name: p.name}
		done := p.run(ctx, r, b)
		errs = append(errs, r.end()...)
		switch {
		case !done:
			errs = append(errs, fmt.Errorf("%s: %w", p.name, p.stuck()))
			go closeQuietly(b) // it may block too: the backend is broken
		default:
			if err := closeWithin(b, bound); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// property is one rule of the contract, checked.
type property struct {
	name string
	// check runs the property on b, which is empty. It is named after
	// the property: checkGetMissing for GetMissing.
	check func(ctx context.Context, t *reporter, b backend.Backend)
	// needs, when not nil, says why the property does not apply to b, or
	// returns "".
	needs func(b backend.Backend) string
}

func (p property) skip(b backend.Backend) string {
	if p.needs == nil {
		return ""
	}
	return p.needs(b)
}

// run runs p on b in a goroutine, reporting to r, and returns whether it
// returned within the bound. When it did not, ctx is cancelled and the
// goroutine is left behind; r drops what it reports later.
func (p property) run(ctx context.Context, r *reporter, b backend.Backend) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				r.report(-1, panicked(v))
			}
		}()
		p.check(ctx, r, b)
	}()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		r.end()
		return false
	}
}

func (p property) stuck() error {
	return fmt.Errorf("did not return within %v: does the backend honour ctx / release its lock?", bound)
}

// panicked turns a panic in a property (the backend's, or an iterator's
// that goes on after the loop stopped) into a failure, with the stack.
func panicked(v any) error {
	if err, ok := v.(error); ok {
		return fmt.Errorf("panic: %w\n%s", err, debug.Stack())
	}
	return fmt.Errorf("panic: %v\n%s", v, debug.Stack())
}

// closeWithin closes b if it is an io.Closer, giving up after d.
func closeWithin(b backend.Backend, d time.Duration) error {
	c, ok := b.(io.Closer)
	if !ok {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("Close after the property: %w", err)
		}
		return nil
	case <-time.After(d):
		return fmt.Errorf("Close after the property did not return within %v: does the backend release its lock?", d)
	}
}

func closeQuietly(b backend.Backend) {
	if c, ok := b.(io.Closer); ok {
		_ = c.Close()
	}
}
