package main

import (
	"context"
	"iter"
	"runtime"
	"testing"

	"github.com/seshgo/sesh/backend"
)

// TestMemory lists a memory store of a few thousand sessions: every
// record is seen, the owner's are found, and the heap was sampled.
func TestMemory(t *testing.T) {
	ctx := context.Background()
	c := config{backend: "memory", seed: 25000, owned: 300}
	b, closeFn, err := open(c)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if err := create(ctx, b, c.seed, "", "seed"); err != nil {
		t.Fatal(err)
	}
	if err := create(ctx, b, c.owned, heavy, "owned"); err != nil {
		t.Fatal(err)
	}
	got := map[string]Result{}
	for _, r := range measureAll(ctx, "memory", b) {
		got[r.Op] = r
	}
	if r := got["len"]; r.Records != 25300 {
		t.Errorf("len: %+v", r)
	}
	r := got["all"]
	if r.Records != 25300 || r.Errors != 0 || r.HeapSamples != 3 || r.HeapPeak == 0 || r.HeapBefore == 0 || r.LiveSamples != 1 {
		t.Errorf("all: %+v", r)
	}

	if r := got["owned"]; r.Records != 300 || r.Unsupported != "" {
		t.Errorf("owned: %+v", r)
	}
}

// records yields n records; with hold, it first allocates hold bytes per
// record and keeps them until the iteration ends, as a listing that
// snapshots the store would.
func records(n, hold int) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		var kept [][]byte
		for range n {
			if hold > 0 {
				kept = append(kept, make([]byte, hold))
			}
			if !yield(backend.Record{ID: "x", Data: make([]byte, 100)}, nil) {
				return
			}
		}
		runtime.KeepAlive(kept)
	}
}

// TestStreamMeasuresWhatIsHeld tells a listing that holds what it has
// yielded from one that streams.
func TestStreamMeasuresWhatIsHeld(t *testing.T) {
	const n = 250000
	streaming := stream(func() iter.Seq2[backend.Record, error] { return records(n, 0) })
	holding := stream(func() iter.Seq2[backend.Record, error] { return records(n, 200) })
	if streaming.Records != n || holding.Records != n || streaming.LiveSamples != 2 {
		t.Fatalf("streaming %+v, holding %+v", streaming, holding)
	}
	if grew := int64(streaming.LivePeak) - int64(streaming.HeapBefore); grew > 1<<20 {
		t.Errorf("streaming held %d bytes", grew)
	}
	if grew := int64(holding.LivePeak) - int64(holding.HeapBefore); grew < 200*n/2 {
		t.Errorf("holding held %d bytes, want at least %d", grew, 200*n/2)
	}
}
