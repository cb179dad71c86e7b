// Package memory is an in-memory session backend for tests, development and
// single-instance services.
//
// Unlike express-session's MemoryStore it never leaks: expired sessions are
// invisible at once and removed by a background sweeper, sessions with no
// expiry of their own get a lifetime (TTL), and MaxSessions bounds memory
// by evicting the sessions closest to expiry. Sessions do not survive a
// restart and are not shared between processes.
package memory

import (
	"container/heap"
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/seshgo/sesh/backend"
)

// Options configure a Store. The zero value is ready to use.
type Options struct {
	// TTL is the lifetime of a session stored with no expiry (a
	// browser-session cookie). Default backend.DefaultTTL, 14 days.
	TTL time.Duration

	// SweepInterval is how often expired sessions are removed. Default one
	// minute; negative disables the sweeper (expired sessions are still
	// never returned, and are removed when written or when the store is
	// full).
	SweepInterval time.Duration

	// MaxSessions bounds the number of stored sessions. When a new session
	// would exceed it, expired sessions are removed and then, if needed,
	// the sessions closest to expiry. Default 0: no bound.
	MaxSessions int

	// Now returns the current time. Default time.Now; tests may replace it.
	Now func() time.Time
}

// Store is an in-memory backend.Backend. It implements every optional
// interface of package backend. It is safe for concurrent use.
type Store struct {
	opts Options

	mu      sync.Mutex
	entries map[string]*entry
	byTime  expiryHeap
	closed  bool

	stop chan struct{}
	done chan struct{}
}

type entry struct {
	rec   backend.Record
	index int // in byTime
}

var (
	_ backend.Backend           = (*Store)(nil)
	_ backend.Lister            = (*Store)(nil)
	_ backend.Counter           = (*Store)(nil)
	_ backend.Clearer           = (*Store)(nil)
	_ backend.ConditionalSetter = (*Store)(nil)
)

// New returns a Store and starts its sweeper; Close stops it.
func New(opts Options) *Store {
	if opts.TTL <= 0 {
		opts.TTL = backend.DefaultTTL
	}
	if opts.SweepInterval == 0 {
		opts.SweepInterval = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{opts: opts, entries: make(map[string]*entry)}
	if opts.SweepInterval > 0 {
		s.stop = make(chan struct{})
		s.done = make(chan struct{})
		go s.sweepLoop()
	}
	return s
}

func (s *Store) sweepLoop() {
	defer close(s.done)
	t := time.NewTicker(s.opts.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			s.sweep(s.opts.Now())
			s.mu.Unlock()
		}
	}
}

// sweep removes every expired entry. The caller holds s.mu.
func (s *Store) sweep(now time.Time) {
	for len(s.byTime) > 0 && backend.Expired(s.byTime[0].rec.Expires, now) {
		e := heap.Pop(&s.byTime).(*entry)
		delete(s.entries, e.rec.ID)
	}
}

func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed {
		return backend.ErrClosed
	}
	return nil
}

// Get implements backend.Backend.
func (s *Store) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return backend.Record{}, false, err
	}
	e, ok := s.entries[id]
	if !ok || backend.Expired(e.rec.Expires, s.opts.Now()) {
		return backend.Record{}, false, nil
	}
	rec := e.rec
	rec.Data = append([]byte(nil), rec.Data...)
	return rec, true, nil
}

// Set implements backend.Backend.
func (s *Store) Set(ctx context.Context, rec backend.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	version := uint64(0)
	if e, ok := s.entries[rec.ID]; ok {
		version = e.rec.Version
	}
	s.put(rec, version)
	return nil
}

// put stores rec with the given version. The caller holds s.mu.
func (s *Store) put(rec backend.Record, version uint64) {
	now := s.opts.Now()
	rec.Data = append([]byte(nil), rec.Data...)
	rec.Version = version
	if rec.Expires.IsZero() {
		rec.Expires = now.Add(s.opts.TTL)
	}
	if e, ok := s.entries[rec.ID]; ok {
		e.rec = rec
		heap.Fix(&s.byTime, e.index)
		return
	}
	if max := s.opts.MaxSessions; max > 0 && len(s.entries) >= max {
		s.sweep(now)
		for len(s.entries) >= max {
			e := heap.Pop(&s.byTime).(*entry)
			delete(s.entries, e.rec.ID)
		}
	}
	e := &entry{rec: rec}
	s.entries[rec.ID] = e
	heap.Push(&s.byTime, e)
}

// SetIf implements backend.ConditionalSetter.
func (s *Store) SetIf(ctx context.Context, rec backend.Record, want uint64, created bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	e, ok := s.entries[rec.ID]
	if ok && backend.Expired(e.rec.Expires, s.opts.Now()) {
		ok = false
	}
	switch {
	case created && ok:
		return fmt.Errorf("%w: %s exists", backend.ErrConflict, rec.ID)
	case !created && !ok:
		return fmt.Errorf("%w: %s is gone", backend.ErrConflict, rec.ID)
	case ok && e.rec.Version != want:
		return fmt.Errorf("%w: %s is at version %d, not %d", backend.ErrConflict, rec.ID, e.rec.Version, want)
	}
	s.put(rec, want+1)
	return nil
}

// Touch implements backend.Backend.
func (s *Store) Touch(ctx context.Context, rec backend.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	now := s.opts.Now()
	e, ok := s.entries[rec.ID]
	if !ok || backend.Expired(e.rec.Expires, now) {
		return fmt.Errorf("%w: %s", backend.ErrNotFound, rec.ID)
	}
	e.rec.Expires = rec.Expires
	if e.rec.Expires.IsZero() {
		e.rec.Expires = now.Add(s.opts.TTL)
	}
	if !rec.Modified.IsZero() {
		e.rec.Modified = rec.Modified
	}
	heap.Fix(&s.byTime, e.index)
	return nil
}

// Destroy implements backend.Backend.
func (s *Store) Destroy(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	if e, ok := s.entries[id]; ok {
		heap.Remove(&s.byTime, e.index)
		delete(s.entries, id)
	}
	return nil
}

// All implements backend.Lister. It yields a snapshot taken when the
// iteration starts, so the callback may use the store.
func (s *Store) All(ctx context.Context) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		s.mu.Lock()
		if err := s.check(ctx); err != nil {
			s.mu.Unlock()
			yield(backend.Record{}, err)
			return
		}
		now := s.opts.Now()
		live := make([]backend.Record, 0, len(s.entries))
		for _, e := range s.entries {
			if !backend.Expired(e.rec.Expires, now) {
				rec := e.rec
				rec.Data = append([]byte(nil), rec.Data...)
				live = append(live, rec)
			}
		}
		s.mu.Unlock()
		for _, rec := range live {
			if err := ctx.Err(); err != nil {
				yield(backend.Record{}, err)
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// Len implements backend.Counter. It counts expired sessions the sweeper
// has not removed yet.
func (s *Store) Len(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	return len(s.entries), nil
}

// Clear implements backend.Clearer.
func (s *Store) Clear(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	clear(s.entries)
	s.byTime = nil
	return nil
}

// Close stops the sweeper and releases the sessions. Later calls return
// errors matching backend.ErrClosed. Close is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.entries = nil
	s.byTime = nil
	s.mu.Unlock()
	if s.stop != nil {
		close(s.stop)
		<-s.done
	}
	return nil
}

// expiryHeap orders entries by expiry, soonest first.
type expiryHeap []*entry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].rec.Expires.Before(h[j].rec.Expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *expiryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
