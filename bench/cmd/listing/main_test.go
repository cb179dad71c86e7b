package main

import (
	"context"
	"testing"
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
	if r := got["all"]; r.Records != 25300 || r.Errors != 0 || r.HeapSamples != 3 || r.HeapPeak == 0 || r.HeapBefore == 0 {
		t.Errorf("all: %+v", r)
	}
	if r := got["owned"]; r.Records != 300 || r.Unsupported != "" {
		t.Errorf("owned: %+v", r)
	}
}
