package conformance

import (
	"testing"
	"time"
)

// SetBound sets the bound on each property until the end of t, so that
// the tests of a stuck backend take seconds, not minutes.
func SetBound(t testing.TB, d time.Duration) {
	old := bound
	bound = d
	t.Cleanup(func() { bound = old })
}

// PropertyNames lists the properties, in the order they run.
func PropertyNames() []string {
	names := make([]string, len(properties))
	for i, p := range properties {
		names[i] = p.name
	}
	return names
}
