// Package memory is an in-memory session backend for tests, development and
// single-instance services.
//
// Unlike express-session's MemoryStore it never leaks: expired sessions are
// invisible at once and removed by a background sweeper, sessions with no
// expiry of their own get a lifetime (TTL), and the number of sessions is
// bounded (DefaultMaxSessions unless configured). When the bound is reached,
// the sessions that never came back after their first request are evicted
// before any session that did, so a flood of cookie-less requests cannot
// sign real users out. Sessions do not survive a restart and are not shared
// between processes.
package memory

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/seshgo/sesh/backend"
)

// DefaultMaxSessions is the bound on stored sessions when
// Options.MaxSessions is zero. At about 300 bytes per small session it
// holds some 30 MB.
const DefaultMaxSessions = 100_000

// Options configure a Store. The zero value is ready to use.
type Options struct {
	// TTL is the lifetime of a session stored with no expiry (a
	// browser-session cookie). Default backend.DefaultTTL, 14 days.
	TTL time.Duration

	// SweepInterval is how often expired sessions are removed. Default one
	// minute; negative disables the sweeper (expired sessions are still
	// never returned, and are removed when the store is full).
	SweepInterval time.Duration

	// MaxSessions bounds the number of stored sessions. When a new session
	// would exceed it, expired sessions are removed first; then sessions
	// that were never read back after they were created, soonest to expire
	// first; only then sessions that came back. Default DefaultMaxSessions;
	// negative means no bound.
	MaxSessions int

	// Now returns the current time. Default time.Now; tests may replace it.
	Now func() time.Time
}

// Store is an in-memory backend.Backend. It implements every optional
// interface of package backend. It is safe for concurrent use.
type Store struct {
	opts Options

	mu       sync.Mutex
	entries  map[string]*entry
	fresh    expiryHeap // never read back since created: evicted first
	returned expiryHeap // read back at least once
	owners   map[string]map[string]struct{}
	closed   bool

	stop chan struct{}
	done chan struct{}
}

// entry is one stored session.
type entry struct {
	id       string
	data     []byte // a new copy with every write; its first byte is the Token
	expires  time.Time
	modified time.Time
	created  time.Time
	owner    string
	returned bool // in returned rather than fresh
	index    int  // in its heap
}

// version returns the token of the entry's current data: the address of
// its first byte, new with every write (each write copies the data), and
// no allocation to hand out.
func (e *entry) version() *byte { return &e.data[:1][0] }

var (
	_ backend.Backend            = (*Store)(nil)
	_ backend.ConditionalUpdater = (*Store)(nil)
	_ backend.Lister             = (*Store)(nil)
	_ backend.Counter            = (*Store)(nil)
	_ backend.Clearer            = (*Store)(nil)
	_ backend.Owners             = (*Store)(nil)
)

// New returns a Store and starts its sweeper; Close stops it.
func New(opts Options) *Store {
	if opts.TTL <= 0 {
		opts.TTL = backend.DefaultTTL
	}
	if opts.SweepInterval == 0 {
		opts.SweepInterval = time.Minute
	}
	if opts.MaxSessions == 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{opts: opts, entries: make(map[string]*entry), owners: make(map[string]map[string]struct{})}
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
	for _, h := range []*expiryHeap{&s.fresh, &s.returned} {
		for len(*h) > 0 && backend.Expired((*h)[0].expires, now) {
			s.remove((*h)[0])
		}
	}
}

func (s *Store) heapOf(e *entry) *expiryHeap {
	if e.returned {
		return &s.returned
	}
	return &s.fresh
}

// remove deletes e. The caller holds s.mu.
func (s *Store) remove(e *entry) {
	s.heapOf(e).remove(e.index)
	delete(s.entries, e.id)
	s.unown(e)
}

func (s *Store) own(e *entry) {
	if e.owner == "" {
		return
	}
	ids := s.owners[e.owner]
	if ids == nil {
		ids = make(map[string]struct{})
		s.owners[e.owner] = ids
	}
	ids[e.id] = struct{}{}
}

func (s *Store) unown(e *entry) {
	if e.owner == "" {
		return
	}
	ids := s.owners[e.owner]
	delete(ids, e.id)
	if len(ids) == 0 {
		delete(s.owners, e.owner)
	}
}

// open checks ctx and whether the store is closed, and locks it. On
// success the caller must unlock s.mu.
func (s *Store) open(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: %s: %w", op, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("memory: %s: %w", op, backend.ErrClosed)
	}
	return nil
}

// live returns the unexpired entry stored under id. The caller holds s.mu.
func (s *Store) live(id string, now time.Time) (*entry, bool) {
	e, ok := s.entries[id]
	if !ok || backend.Expired(e.expires, now) {
		return nil, false
	}
	return e, true
}

func (e *entry) record() backend.Record {
	return backend.Record{
		ID:       e.id,
		Data:     append([]byte(nil), e.data...),
		Expires:  e.expires,
		Modified: e.modified,
		Owner:    e.owner,
		Created:  e.created,
		Token:    backend.NewToken(e.version()),
	}
}

// Get implements backend.Backend. A session read for the first time since
// it was created counts as one that came back, which protects it from
// eviction by sessions that never do.
func (s *Store) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	if err := s.open(ctx, "get"); err != nil {
		return backend.Record{}, false, err
	}
	defer s.mu.Unlock()
	e, ok := s.live(id, s.opts.Now())
	if !ok {
		return backend.Record{}, false, nil
	}
	if !e.returned {
		s.fresh.remove(e.index)
		e.returned = true
		s.returned.push(e)
	}
	return e.record(), true, nil
}

// write stores rec in e, which the caller has taken out of its owner set.
// The caller holds s.mu.
func (s *Store) write(e *entry, rec backend.Record, now time.Time) backend.Token {
	e.data = append(make([]byte, 0, max(len(rec.Data), 1)), rec.Data...)
	e.expires = rec.Expires
	if e.expires.IsZero() {
		e.expires = now.Add(s.opts.TTL)
	}
	e.modified = rec.Modified
	if !rec.Created.IsZero() {
		e.created = rec.Created
	}
	e.owner = rec.Owner
	s.own(e)
	return backend.NewToken(e.version())
}

// Create implements backend.Backend.
func (s *Store) Create(ctx context.Context, rec backend.Record) (backend.Token, error) {
	if err := s.open(ctx, "create"); err != nil {
		return backend.Token{}, err
	}
	defer s.mu.Unlock()
	now := s.opts.Now()
	if old, ok := s.entries[rec.ID]; ok {
		if !backend.Expired(old.expires, now) {
			return backend.Token{}, fmt.Errorf("memory: create: %w", backend.ErrExists)
		}
		s.remove(old)
	}
	if max := s.opts.MaxSessions; max > 0 && len(s.entries) >= max {
		s.sweep(now)
		for len(s.entries) >= max {
			h := &s.fresh
			if len(*h) == 0 {
				h = &s.returned
			}
			s.remove((*h)[0])
		}
	}
	e := &entry{id: rec.ID, created: now}
	tok := s.write(e, rec, now)
	s.entries[rec.ID] = e
	s.fresh.push(e)
	return tok, nil
}

// Update implements backend.Backend.
func (s *Store) Update(ctx context.Context, rec backend.Record) (backend.Token, error) {
	return s.update(ctx, "update", rec, false)
}

// UpdateIf implements backend.ConditionalUpdater: the record must still be
// the version rec.Token names.
func (s *Store) UpdateIf(ctx context.Context, rec backend.Record) (backend.Token, error) {
	return s.update(ctx, "updateif", rec, true)
}

func (s *Store) update(ctx context.Context, op string, rec backend.Record, conditional bool) (backend.Token, error) {
	if err := s.open(ctx, op); err != nil {
		return backend.Token{}, err
	}
	defer s.mu.Unlock()
	now := s.opts.Now()
	e, ok := s.live(rec.ID, now)
	if !ok {
		return backend.Token{}, fmt.Errorf("memory: %s: %w", op, backend.ErrNotFound)
	}
	if conditional {
		if v, _ := rec.Token.Sys().(*byte); v != e.version() {
			return backend.Token{}, fmt.Errorf("memory: %s: %w", op, backend.ErrConflict)
		}
	}
	s.unown(e)
	tok := s.write(e, rec, now)
	s.heapOf(e).fix(e.index)
	return tok, nil
}

// Touch implements backend.Backend.
func (s *Store) Touch(ctx context.Context, id string, expires, modified time.Time, _ backend.Token) error {
	if err := s.open(ctx, "touch"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	now := s.opts.Now()
	e, ok := s.live(id, now)
	if !ok {
		return fmt.Errorf("memory: touch: %w", backend.ErrNotFound)
	}
	e.expires = expires
	if e.expires.IsZero() {
		e.expires = now.Add(s.opts.TTL)
	}
	if !modified.IsZero() {
		e.modified = modified
	}
	s.heapOf(e).fix(e.index)
	return nil
}

// Destroy implements backend.Backend.
func (s *Store) Destroy(ctx context.Context, id string) error {
	if err := s.open(ctx, "destroy"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if e, ok := s.entries[id]; ok {
		s.remove(e)
	}
	return nil
}

// All implements backend.Lister. It yields a snapshot taken when the
// iteration starts, so the loop body may use the store.
func (s *Store) All(ctx context.Context) iter.Seq2[backend.Record, error] {
	return s.snapshot(ctx, "all", func() []*entry {
		all := make([]*entry, 0, len(s.entries))
		for _, e := range s.entries {
			all = append(all, e)
		}
		return all
	})
}

// Owned implements backend.Owners, from a snapshot as All.
func (s *Store) Owned(ctx context.Context, owner string) iter.Seq2[backend.Record, error] {
	return s.snapshot(ctx, "owned", func() []*entry {
		ids := s.owners[owner]
		all := make([]*entry, 0, len(ids))
		for id := range ids {
			all = append(all, s.entries[id])
		}
		return all
	})
}

// snapshot yields the live records among those pick returns. pick runs
// under the lock and returns the entries only (a pointer each); their
// records are copied in batches, each under the lock, so that the loop
// body may use the store and a listing of many sessions does not hold a
// copy of them all. An entry removed or rewritten meanwhile is yielded as
// it is then, or not at all.
func (s *Store) snapshot(ctx context.Context, op string, pick func() []*entry) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		if err := s.open(ctx, op); err != nil {
			yield(backend.Record{}, err)
			return
		}
		picked := pick()
		s.mu.Unlock()
		const batch = 256
		recs := make([]backend.Record, 0, batch)
		for len(picked) > 0 {
			n := min(batch, len(picked))
			recs = recs[:0]
			if err := s.open(ctx, op); err != nil {
				yield(backend.Record{}, err)
				return
			}
			now := s.opts.Now()
			for _, e := range picked[:n] {
				if s.entries[e.id] == e && !backend.Expired(e.expires, now) {
					recs = append(recs, e.record())
				}
			}
			s.mu.Unlock()
			clear(picked[:n]) // let the entries go
			picked = picked[n:]
			for _, rec := range recs {
				if !yield(rec, nil) {
					return
				}
			}
		}
	}
}

// Len implements backend.Counter. It counts expired sessions the sweeper
// has not removed yet.
func (s *Store) Len(ctx context.Context) (int, error) {
	if err := s.open(ctx, "len"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	return len(s.entries), nil
}

// Clear implements backend.Clearer.
func (s *Store) Clear(ctx context.Context) error {
	if err := s.open(ctx, "clear"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	clear(s.entries)
	clear(s.owners)
	s.fresh, s.returned = nil, nil
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
	s.entries, s.owners = nil, nil
	s.fresh, s.returned = nil, nil
	s.mu.Unlock()
	if s.stop != nil {
		close(s.stop)
		<-s.done
	}
	return nil
}
