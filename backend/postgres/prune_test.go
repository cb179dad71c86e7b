package postgres

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestJitter(t *testing.T) {
	low, high := false, false
	for range 2000 {
		d := Jitter(time.Second)
		if d < 500*time.Millisecond || d > 1500*time.Millisecond {
			t.Fatalf("Jitter(1s) = %v, outside [0.5s, 1.5s]", d)
		}
		low = low || d < 600*time.Millisecond
		high = high || d > 1400*time.Millisecond
	}
	if !low || !high {
		t.Fatalf("Jitter(1s) never drew near an end of its range (low %v, high %v)", low, high)
	}
}

// waitFor polls cond until it holds or 10 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// insertExpired adds an expired row as connect-pg-simple would leave it.
func insertExpired(t *testing.T, s *Store, id string) {
	t.Helper()
	expressOn(t, s).set(id, []byte(`{"cookie":{}}`), nowEpoch(time.Now())-10)
}

// The pruner removes expired rows, live ones stay, and Close stops it.
func TestPruning(t *testing.T) {
	var prunes atomic.Int64
	s := newStore(t, Options{PruneInterval: 50 * time.Millisecond, onPrune: func(int64) { prunes.Add(1) }})
	mustCreate(t, s, "live", time.Now().Add(time.Hour), "")
	insertExpired(t, s, "dead1")
	insertExpired(t, s, "dead2")
	waitFor(t, "the expired rows to be pruned", func() bool { return rowCount(t, s) == 1 })
	mustGet(t, s, "live")

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after := prunes.Load()
	if after == 0 {
		t.Fatal("rows vanished but no prune was reported")
	}
	other := newStore(t, Options{Table: s.opts.Table, PruneInterval: -1})
	insertExpired(t, other, "dead3")
	time.Sleep(300 * time.Millisecond) // six intervals
	if n := prunes.Load(); n != after {
		t.Fatalf("%d prunes after Close", n-after)
	}
	if n := rowCount(t, other); n != 2 {
		t.Fatalf("%d rows: a closed Store pruned", n)
	}
}

// A prune that blocks is never joined by another: the next delay starts
// when one ends.
func TestPruneNeverOverlaps(t *testing.T) {
	var deleted atomic.Int64
	gate := make(chan struct{}) // no prune before the row is locked
	s := newStore(t, Options{
		PruneInterval: 20 * time.Millisecond,
		PruneJitter:   func(d time.Duration) time.Duration { <-gate; return d },
		onPrune:       func(n int64) { deleted.Add(n) },
	})
	insertExpired(t, s, "dead")
	release := lockRow(t, s, "dead")
	close(gate)
	running := func() int {
		var n int
		err := admin(t).QueryRow(ctxT(t), `SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = $1`, s.q.Load().prune).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, "a prune blocked on the locked row", func() bool { return running() > 0 })
	time.Sleep(300 * time.Millisecond) // 15 intervals
	if n := running(); n != 1 {
		t.Fatalf("%d prunes running at once, want 1", n)
	}
	release()
	waitFor(t, "the blocked prune to finish", func() bool { return deleted.Load() == 1 })
	if n := rowCount(t, s); n != 0 {
		t.Fatalf("%d rows after the prune", n)
	}
}

// With pruning off, expired rows stay until Prune is called.
func TestPruneOff(t *testing.T) {
	s := newStore(t, Options{PruneInterval: -1})
	if s.pruner != nil {
		t.Fatal("a pruner runs with PruneInterval < 0")
	}
	mustCreate(t, s, "live", time.Now().Add(time.Hour), "")
	insertExpired(t, s, "dead")
	n, err := s.Prune(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	if rows := rowCount(t, s); rows != 1 {
		t.Fatalf("%d rows after Prune, want the live one", rows)
	}
}
