package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
)

// Backends broken in one way each, for the suite to catch. Each embeds a
// full backend (memory.Store, or another broken one) and changes a method
// or two.

// full is every interface memory.Store implements.
type full interface {
	backend.Backend
	backend.ConditionalUpdater
	backend.Lister
	backend.Counter
	backend.Clearer
	backend.Owners
	io.Closer
}

func newMemory() full { return memory.New(memory.Options{}) }

// laggingClock returns expired records: its clock is an hour late, as a
// store's that leaves expiry to an hourly reaper.
func laggingClock() full {
	return memory.New(memory.Options{Now: func() time.Time { return time.Now().Add(-time.Hour) }})
}

// touchCreates stores a record when Touch finds none.
type touchCreates struct{ full }

func (b touchCreates) Touch(ctx context.Context, id string, expires, modified time.Time, tok backend.Token) error {
	err := b.full.Touch(ctx, id, expires, modified, tok)
	if errors.Is(err, backend.ErrNotFound) {
		_, err = b.full.Create(ctx, backend.Record{ID: id, Expires: expires, Modified: modified})
	}
	return err
}

// keepsSlice keeps the caller's Data slice and returns it from Get.
type keepsSlice struct {
	full
	mu   sync.Mutex
	kept map[string][]byte
}

func (b *keepsSlice) keep(r backend.Record) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.kept[r.ID] = r.Data
}

func (b *keepsSlice) Create(ctx context.Context, r backend.Record) (backend.Token, error) {
	b.keep(r)
	return b.full.Create(ctx, r)
}

func (b *keepsSlice) Update(ctx context.Context, r backend.Record) (backend.Token, error) {
	b.keep(r)
	return b.full.Update(ctx, r)
}

func (b *keepsSlice) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	r, found, err := b.full.Get(ctx, id)
	b.mu.Lock()
	defer b.mu.Unlock()
	if kept, ok := b.kept[id]; found && ok {
		r.Data = kept
	}
	return r, found, err
}

// ignoresContext writes with Update whatever its context says.
type ignoresContext struct{ full }

func (b ignoresContext) Update(_ context.Context, r backend.Record) (backend.Token, error) {
	return b.full.Update(context.Background(), r)
}

// losesExpiry gives every touched record the default lifetime.
type losesExpiry struct{ full }

func (b losesExpiry) Touch(ctx context.Context, id string, _, modified time.Time, tok backend.Token) error {
	return b.full.Touch(ctx, id, time.Time{}, modified, tok)
}

// upserts creates the record Update does not find: it resurrects a
// session signed out since it was read.
type upserts struct{ full }

func (b upserts) Update(ctx context.Context, r backend.Record) (backend.Token, error) {
	tok, err := b.full.Update(ctx, r)
	if errors.Is(err, backend.ErrNotFound) {
		return b.full.Create(ctx, r)
	}
	return tok, err
}

// createOverwrites replaces a live record on Create.
type createOverwrites struct{ full }

func (b createOverwrites) Create(ctx context.Context, r backend.Record) (backend.Token, error) {
	if err := b.full.Destroy(ctx, r.ID); err != nil {
		return backend.Token{}, err
	}
	return b.full.Create(ctx, r)
}

// globalVersion's Tokens are versions of the whole store, not of a record:
// a write of one record makes every other record's Token stale.
type globalVersion struct {
	full
	mu      sync.Mutex
	version int
}

func (b *globalVersion) next(tok backend.Token, err error) (backend.Token, error) {
	if err != nil {
		return tok, err
	}
	b.version++
	return backend.NewToken(b.version), nil
}

func (b *globalVersion) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, found, err := b.full.Get(ctx, id)
	r.Token = backend.NewToken(b.version)
	return r, found, err
}

func (b *globalVersion) Create(ctx context.Context, r backend.Record) (backend.Token, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.next(b.full.Create(ctx, r))
}

func (b *globalVersion) Update(ctx context.Context, r backend.Record) (backend.Token, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.next(b.full.Update(ctx, r))
}

func (b *globalVersion) UpdateIf(ctx context.Context, r backend.Record) (backend.Token, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.Token.Sys() != b.version {
		return backend.Token{}, fmt.Errorf("globalversion: updateif: %w", backend.ErrConflict)
	}
	return b.next(b.full.Update(ctx, r))
}

// neverConflicts' UpdateIf is Update.
type neverConflicts struct{ full }

func (b neverConflicts) UpdateIf(ctx context.Context, r backend.Record) (backend.Token, error) {
	return b.full.Update(ctx, r)
}

// countsDestroyed's Len counts every record ever created.
type countsDestroyed struct {
	full
	mu      sync.Mutex
	created int
}

func (b *countsDestroyed) Create(ctx context.Context, r backend.Record) (backend.Token, error) {
	tok, err := b.full.Create(ctx, r)
	if err == nil {
		b.mu.Lock()
		b.created++
		b.mu.Unlock()
	}
	return tok, err
}

func (b *countsDestroyed) Len(context.Context) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.created, nil
}

// declinesUpdateIf implements ConditionalUpdater but cannot serve it, as
// MongoDB on a server without transactions.
type declinesUpdateIf struct{ full }

func (declinesUpdateIf) UpdateIf(context.Context, backend.Record) (backend.Token, error) {
	return backend.Token{}, fmt.Errorf("declines: updateif: %w", errors.ErrUnsupported)
}

// stuckGet's Get ignores its context and waits until release is closed,
// then finds a record, whatever the id: as a backend waiting for a lock
// it forgot to release.
type stuckGet struct {
	full
	release <-chan struct{}
}

func (b stuckGet) Get(_ context.Context, id string) (backend.Record, bool, error) {
	<-b.release
	return backend.Record{ID: id, Data: []byte(`{}`), Expires: time.Now().Add(time.Hour)}, true, nil
}

// stuckFirst returns an open function for Check whose first backend's Get
// is stuck until open is called again, for the next property: the stuck
// property then reports, too late. opens counts the calls.
func stuckFirst(wrap func(full) full) (open func() full, opens func() int) {
	var mu sync.Mutex
	n := 0
	release := make(chan struct{})
	open = func() full {
		mu.Lock()
		defer mu.Unlock()
		n++
		switch n {
		case 1:
			return stuckGet{full: wrap(newMemory()), release: release}
		case 2:
			close(release)
		}
		return wrap(newMemory())
	}
	opens = func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
	return open, opens
}
