package redis_test

import (
	"fmt"
	"testing"

	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/internal/backendtest"
)

// The middleware's concurrency guarantees under real races on Redis, with
// the owner index off and on: every concurrent change kept in the
// optimistic mode (UpdateIf compares SHA-1s in a script), and a
// signed-out session never written back (Update is SET XX), in both
// modes.

func TestRacesShared(t *testing.T) { testRaces(t, sharedOpener) }

func testRaces(t *testing.T, open opener) {
	for _, owners := range []bool{false, true} {
		t.Run(fmt.Sprintf("owners=%v/OptimisticKeepsEveryConcurrentChange", owners), func(t *testing.T) {
			s, _, _ := open(t, redis.Options{Owners: owners})
			backendtest.KeepsConcurrentChanges(t, s, 50)
		})
		t.Run(fmt.Sprintf("owners=%v/SignOutAlwaysWins", owners), func(t *testing.T) {
			s, _, _ := open(t, redis.Options{Owners: owners})
			backendtest.SignOutAlwaysWins(t, s)
		})
	}
}
