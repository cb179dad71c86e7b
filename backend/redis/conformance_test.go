package redis_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/conformance"
)

// The conformance suite on the shared server, each property under a
// prefix of its own, with the owner index on: every property applies, and
// none is skipped.
func TestConformance(t *testing.T) { runConformance(t, sharedOpener) }

// With the owner index off, the only failures are Owned's refusals, and
// OwnersIndex's finding that Owned yields nothing.
func TestConformanceOwnersOff(t *testing.T) { checkOwnersOff(t, sharedOpener) }

func runConformance(t *testing.T, open opener) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		s, _, _ := open(t, redis.Options{Owners: true})
		return s
	})
}

func checkOwnersOff(t *testing.T, open opener) {
	err := conformance.Check(t.Context(), func() (backend.Backend, error) {
		s, _, _ := open(t, redis.Options{})
		return s, nil
	})
	errs, _ := err.(interface{ Unwrap() []error })
	if errs == nil {
		t.Fatalf("Check = %v, want the refusals of Owned", err)
	}
	for _, err := range errs.Unwrap() {
		if !errors.Is(err, errors.ErrUnsupported) && !strings.HasPrefix(err.Error(), "OwnersIndex: ") {
			t.Error(err)
		}
	}
}
