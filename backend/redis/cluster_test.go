package redis_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/internal/redistest"
)

// TestCluster runs on a private three-master Redis Cluster: the
// conformance suite, the store's and the owner index's tests, and what only
// a cluster shows (keys of many slots).
func TestCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	open := clusterOpener(cl)
	for _, owners := range []bool{false, true} {
		t.Run(fmt.Sprintf("Store/owners=%v", owners), func(t *testing.T) {
			testStore(t, open, redis.Options{Owners: owners})
		})
	}
	t.Run("Conformance", func(t *testing.T) { runConformance(t, open) })
	t.Run("ConformanceOwnersOff", func(t *testing.T) { checkOwnersOff(t, open) })
	t.Run("Owners", func(t *testing.T) { testOwners(t, open) })
	t.Run("Races", func(t *testing.T) { testRaces(t, open) })
	t.Run("ListingSpansEveryMaster", func(t *testing.T) { testListingSpansMasters(t, cl, open) })
	t.Run("OwnersAcrossSlots", func(t *testing.T) { testOwnersAcrossSlots(t, cl, open) })
	t.Run("CompanionInTheSessionsSlot", func(t *testing.T) { testCompanionSlot(t, cl, open) })
	t.Run("CallersClusterClient", func(t *testing.T) {
		c := cl.Client(t)
		s, err := redis.New(redis.Options{Client: c, Prefix: redistest.Prefix()})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Clear(ctx)
		if _, err := s.Create(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: soon()}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Ping(ctx).Err(); err != nil {
			t.Errorf("the caller's client no longer works after Close: %v", err)
		}
	})
}

// holders returns, for each node of cl, how many keys with prefix it
// holds, asking each node itself.
func holders(t *testing.T, cl *redistest.Cluster, prefix string) []int {
	t.Helper()
	var counts []int
	for _, node := range cl.Nodes {
		c := goredis.NewClient(&goredis.Options{Addr: node.Addr})
		keys, err := scanAll(c, prefix)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, len(keys))
	}
	return counts
}

func scanAll(c *goredis.Client, prefix string) ([]string, error) {
	var keys []string
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

func testListingSpansMasters(t *testing.T, cl *redistest.Cluster, open opener) {
	s, _, prefix := open(t, redis.Options{ScanCount: 7})
	const n = 300
	for i := range n {
		if _, err := s.Create(ctx, backend.Record{ID: fmt.Sprint("id-", i), Data: sessJSON(``), Expires: soon()}); err != nil {
			t.Fatal(err)
		}
	}
	counts := holders(t, cl, prefix)
	for i, c := range counts {
		if c == 0 {
			t.Fatalf("master %d holds none of the %d sessions: %v", i, n, counts)
		}
	}
	seen := map[string]bool{}
	for rec, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[rec.ID] {
			t.Errorf("All yielded %q twice", rec.ID)
		}
		seen[rec.ID] = true
	}
	if len(seen) != n {
		t.Errorf("All yielded %d sessions, want %d (held %v by the masters)", len(seen), n, counts)
	}
	if got, err := s.Len(ctx); err != nil || got != n {
		t.Errorf("Len = %d, %v; want %d", got, err, n)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	for i, c := range holders(t, cl, prefix) {
		if c != 0 {
			t.Errorf("master %d still holds %d sessions after Clear", i, c)
		}
	}
}

func testOwnersAcrossSlots(t *testing.T, cl *redistest.Cluster, open opener) {
	s, raw, prefix := open(t, redis.Options{Owners: true})
	const n = 30
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.Create(ctx, backend.Record{ID: fmt.Sprint("alice-", i), Data: sessJSON(``), Expires: soon(), Owner: "alice"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	spread := 0
	for _, c := range holders(t, cl, prefix) {
		if c > 0 {
			spread++
		}
	}
	if spread < 2 {
		t.Fatalf("alice's sessions are on %d master(s); the test needs them spread", spread)
	}
	if got := ownedIDs(t, s, "alice"); len(got) != n {
		t.Errorf("Owned(alice) yielded %d sessions, want %d", len(got), n)
	}
	if err := s.Destroy(ctx, "alice-7"); err != nil {
		t.Fatal(err)
	}
	if inIndex(t, s, raw, "alice", "alice-7") {
		t.Error("Destroy left alice-7 in the index")
	}
	if got := ownedIDs(t, s, "alice"); len(got) != n-1 {
		t.Errorf("Owned(alice) after Destroy yielded %d sessions, want %d", len(got), n-1)
	}
}

// The companion hash of a session lives in its slot, whatever the id:
// writeScript and touchScript, which name both keys, run on a cluster
// only then.
func testCompanionSlot(t *testing.T, cl *redistest.Cluster, open opener) {
	s, raw, prefix := open(t, redis.Options{Owners: true})
	ids := []string{"plain", "{tag}x", "a}b", "}{", "{}", "{", "}", "a{b}c{d}", strings.Repeat("z", 300), "☃"}
	for _, id := range ids {
		for _, key := range []string{prefix + id, redis.MetaKey(s, id)} {
			want, err := raw.ClusterKeySlot(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			if got := redis.Slot(key); int64(got) != want {
				t.Errorf("slot(%q) = %d, CLUSTER KEYSLOT says %d", key, got, want)
			}
		}
		if a, b := redis.Slot(prefix+id), redis.Slot(redis.MetaKey(s, id)); a != b {
			t.Errorf("id %q: session in slot %d, companion in %d", id, a, b)
		}
		if _, err := s.Create(ctx, backend.Record{ID: id, Data: sessJSON(``), Expires: soon(), Owner: "o"}); err != nil {
			t.Errorf("Create(%q) on the cluster: %v", id, err)
		}
		if err := s.Touch(ctx, id, soon(), time.Time{}, backend.Token{}); err != nil {
			t.Errorf("Touch(%q) on the cluster: %v", id, err)
		}
	}
	if got := ownedIDs(t, s, "o"); len(got) != len(ids) {
		t.Errorf("Owned yielded %d sessions, want %d", len(got), len(ids))
	}
}
