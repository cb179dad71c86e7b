// Command listing measures listing and counting a large session store
// through sesh's backends' Go APIs: Len, All and, where the backend has
// it, Owned. It first adds -owned sessions of one owner ("heavy") through
// the backend's Create, then times each operation and samples the heap
// while All and Owned stream, to show whether the process's memory stays
// flat however many records go by. It prints one JSON object per
// operation. sesh-bench's growth suite runs it on the largest store it
// seeded; its footprint suite runs it on the memory backend, which it
// fills itself (-seed).
//
//	listing -backend redis -url redis://127.0.0.1:6379/0 -owned 10000
//	listing -backend postgres -url postgres://… -owned 10000
//	listing -backend mongo -url mongodb://… -db sessions -owned 10000
//	listing -backend memory -seed 1000000 -owned 10000
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seshgo/sesh/backend"
)

// Result is one operation's measurement.
type Result struct {
	Backend string  `json:"backend"`
	Op      string  `json:"op"` // len, all, owned
	Records int     `json:"records"`
	Errors  int     `json:"errors"` // records yielded with an error
	Seconds float64 `json:"seconds"`
	// Unsupported is the backend's refusal, for an operation it declines.
	Unsupported string `json:"unsupported,omitempty"`
	// The heap while the operation ran. HeapBefore is the live heap
	// after a collection just before it started. A first pass, timed,
	// samples the heap's objects (live or not yet swept) every
	// sampleEvery records without stopping the world: HeapPeak. A second
	// pass, not timed, collects garbage every liveEvery records and
	// measures the live heap: LivePeak, what the iteration holds.
	HeapBefore   uint64 `json:"heapBefore"`
	HeapPeak     uint64 `json:"heapPeak"`
	LivePeak     uint64 `json:"livePeak"`
	HeapSamples  int    `json:"heapSamples"`
	LiveSamples  int    `json:"liveSamples"`
	StoreRecords int    `json:"storeRecords"` // what Len said
}

// heavy owns the sessions added before listing.
const heavy = "heavy"

type config struct {
	backend, url, db, collection, table, prefix string
	seed, owned                                 int
}

func main() {
	var c config
	flag.StringVar(&c.backend, "backend", "memory", "memory, redis, postgres or mongo")
	flag.StringVar(&c.url, "url", "", "the database's URL (redis://, postgres://, mongodb://)")
	flag.StringVar(&c.db, "db", "", "mongo: the database")
	flag.StringVar(&c.collection, "collection", "sessions", "mongo: the collection")
	flag.StringVar(&c.table, "table", "session", "postgres: the table")
	flag.StringVar(&c.prefix, "prefix", "sess:", "redis: the key prefix")
	flag.IntVar(&c.seed, "seed", 0, "memory: sessions to create before listing")
	flag.IntVar(&c.owned, "owned", 10000, "sessions of one owner to add before listing")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "listing:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	b, closeFn, err := open(c)
	if err != nil {
		return err
	}
	defer closeFn()
	if c.seed > 0 {
		if err := create(ctx, b, c.seed, "", "seed"); err != nil {
			return err
		}
	}
	if err := create(ctx, b, c.owned, heavy, "owned"); err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	for _, res := range measureAll(ctx, c.backend, b) {
		if err := out.Encode(res); err != nil {
			return err
		}
	}
	return nil
}

// measureAll runs Len, All and Owned on b.
func measureAll(ctx context.Context, name string, b backend.Backend) []Result {
	var results []Result
	counter, ok := b.(backend.Counter)
	n := -1
	if ok {
		start := time.Now()
		var err error
		n, err = counter.Len(ctx)
		r := Result{Backend: name, Op: "len", Records: n, Seconds: time.Since(start).Seconds()}
		if err != nil {
			r.Unsupported, n = err.Error(), -1
		}
		results = append(results, r)
	}
	if l, ok := b.(backend.Lister); ok {
		r := stream(func() iter.Seq2[backend.Record, error] { return l.All(ctx) })
		r.Backend, r.Op, r.StoreRecords = name, "all", n
		results = append(results, r)
	}
	if o, ok := b.(backend.Owners); ok {
		r := stream(func() iter.Seq2[backend.Record, error] { return o.Owned(ctx, heavy) })
		r.Backend, r.Op, r.StoreRecords = name, "owned", n
		results = append(results, r)
	}
	return results
}

// How many records go by between heap samples: without stopping the
// world in the timed pass, and between collections in the other.
const (
	sampleEvery = 10000
	liveEvery   = 100000
)

// stream iterates the sequence seq returns to its end twice: once timed,
// counting records and sampling the heap's objects; once collecting
// garbage every liveEvery records to measure the live heap.
func stream(seq func() iter.Seq2[backend.Record, error]) Result {
	var r Result
	r.HeapBefore = liveHeap()
	var h heap
	start := time.Now()
	r.Records, r.Errors, r.Unsupported = iterate(seq(), func(n int) {
		if n%sampleEvery == 0 {
			h.sample()
		}
	})
	r.Seconds = time.Since(start).Seconds()
	h.sample()
	r.HeapPeak, r.HeapSamples = h.objectsPeak, h.samples
	if r.Unsupported != "" {
		return r
	}
	sample := func() {
		r.LivePeak = max(r.LivePeak, liveHeap())
		r.LiveSamples++
	}
	iterate(seq(), func(n int) {
		if n%liveEvery == 0 {
			sample()
		}
	})
	// The last sample is taken before the iterator returns: whatever it
	// held is still referenced.
	if r.LiveSamples == 0 {
		iterate(seq(), func(n int) {
			if n == r.Records/2 {
				sample()
			}
		})
	}
	return r
}

// iterate runs seq to its end, calling each with the count of records so
// far after each one, and returns the records, the records yielded with
// ErrCorrupt, and the error that ended it early or the refusal (an error
// matching errors.ErrUnsupported), if any.
func iterate(seq iter.Seq2[backend.Record, error], each func(n int)) (records, corrupt int, stopped string) {
	for _, err := range seq {
		if err != nil {
			if errors.Is(err, backend.ErrCorrupt) {
				corrupt++
				continue
			}
			return records, corrupt, err.Error()
		}
		records++
		each(records)
	}
	return records, corrupt, ""
}

// create adds n sessions through b's Create, from 16 goroutines, owned by
// owner (none if empty).
func create(ctx context.Context, b backend.Backend, n int, owner, label string) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	now := time.Now()
	expires := now.Add(time.Hour)
	data := []byte(`{"cookie":{"originalMaxAge":3600000,"expires":"` + expires.UTC().Format("2006-01-02T15:04:05.000Z") +
		`","httpOnly":true,"path":"/"},"user":"`)
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				id := fmt.Sprintf("%s-%08d-%s", label, i, strconv.FormatInt(now.UnixNano(), 36))
				rec := backend.Record{
					ID:      id,
					Data:    append(append(append([]byte(nil), data...), label+strconv.Itoa(i)...), `"}`...),
					Expires: expires,
					Owner:   owner,
				}
				if owner != "" {
					rec.Created = now
				}
				if _, err := b.Create(ctx, rec); err != nil {
					once.Do(func() { first = fmt.Errorf("creating %s sessions: %w", label, err) })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
