// Package conformance checks that a session backend keeps the contract of
// package backend, so that the middleware behaves the same on it as on the
// backends shipped with sesh.
//
// Call Run from a test in the backend's package:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) backend.Backend {
//			return mybackend.New(...) // empty, and cleaned up with t.Cleanup
//		})
//	}
//
// Each property runs as its own subtest on a fresh backend, so a failure
// names the property broken. Properties of the optional interfaces (Lister,
// Counter, Clearer, ConditionalSetter, io.Closer) run only when the backend
// implements them. Run the suite with -race: several properties use the
// backend from many goroutines at once. The suite may take a few seconds,
// as it waits for short expiries to pass.
//
// Check runs the same properties outside the testing package and returns
// every failure as one error, in the manner of testing/fstest.TestFS.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// property is one checked behaviour.
type property struct {
	name string
	// applies reports whether the property concerns b (for optional
	// interfaces); nil means always.
	applies func(b backend.Backend) bool
	check   func(ctx context.Context, b backend.Backend) error
}

// Run runs every property as a subtest of t, each on a new backend from
// open, which must return an empty backend and arrange its cleanup.
func Run(t *testing.T, open func(t *testing.T) backend.Backend) {
	t.Helper()
	for _, p := range properties() {
		t.Run(p.name, func(t *testing.T) {
			b := open(t)
			if p.applies != nil && !p.applies(b) {
				t.Skipf("%T does not implement the interface this property checks", b)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := p.check(ctx, b); err != nil {
				t.Error(err)
			}
		})
	}
}

// Check runs every property, each on a new backend from open, and returns
// an error naming every property that failed, or nil. open must return an
// empty backend; Check closes it afterwards if it implements io.Closer.
func Check(ctx context.Context, open func() (backend.Backend, error)) error {
	var errs []error
	for _, p := range properties() {
		b, err := open()
		if err != nil {
			return fmt.Errorf("conformance: opening a backend: %w", err)
		}
		if p.applies == nil || p.applies(b) {
			if err := p.check(ctx, b); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
			}
		}
		if c, ok := b.(io.Closer); ok {
			_ = c.Close()
		}
	}
	return errors.Join(errs...)
}

func properties() []property {
	return []property{
		{name: "GetMissing", check: checkGetMissing},
		{name: "RoundTrip", check: checkRoundTrip},
		{name: "Unicode", check: checkUnicode},
		{name: "LargePayload", check: checkLarge},
		{name: "IDsVerbatim", check: checkIDs},
		{name: "Overwrite", check: checkOverwrite},
		{name: "ExpiredInvisible", check: checkExpired},
		{name: "ExpiryHonouredOnRead", check: checkExpiryLater},
		{name: "DefaultLifetime", check: checkDefaultLifetime},
		{name: "ModifiedRoundTrip", check: checkModified},
		{name: "TouchExtendsExpiry", check: checkTouch},
		{name: "TouchKeepsData", check: checkTouchKeepsData},
		{name: "TouchMissing", check: checkTouchMissing},
		{name: "DestroyIdempotent", check: checkDestroy},
		{name: "NoAliasing", check: checkAliasing},
		{name: "Concurrent", check: checkConcurrent},
		{name: "ContextCancelled", check: checkCancelled},
		{name: "ContextDeadline", check: checkDeadline},
		{name: "ListerLiveOnly", applies: is[backend.Lister], check: checkLister},
		{name: "CounterCounts", applies: is[backend.Counter], check: checkCounter},
		{name: "ClearerClears", applies: is[backend.Clearer], check: checkClearer},
		{name: "ConditionalSetter", applies: is[backend.ConditionalSetter], check: checkSetIf},
		{name: "ConditionalSetterRace", applies: is[backend.ConditionalSetter], check: checkSetIfRace},
		{name: "Close", applies: is[io.Closer], check: checkClose},
	}
}

func is[T any](b backend.Backend) bool {
	_, ok := b.(T)
	return ok
}
