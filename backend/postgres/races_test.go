package postgres

import (
	"testing"

	"github.com/seshgo/sesh/internal/backendtest"
)

// The middleware's concurrency guarantees under real races on
// PostgreSQL: every concurrent change kept in the optimistic mode (the
// conditional writes compare xmin), and a signed-out session never
// written back, in both modes.

func TestOptimisticKeepsEveryConcurrentChange(t *testing.T) {
	backendtest.KeepsConcurrentChanges(t, newStore(t, Options{}), 50)
}

func TestSignOutAlwaysWins(t *testing.T) {
	backendtest.SignOutAlwaysWins(t, newStore(t, Options{}))
}
