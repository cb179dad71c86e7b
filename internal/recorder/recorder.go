// Package recorder records the calls made to a backend, for sesh's own tests.
package recorder

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/seshgo/sesh/backend"
)

// Recorder is a backend that records the calls made to the backend it
// wraps, as "get id", "create id", "update id", "updateif id", "touch id",
// "destroy id". It implements every optional interface, and declines at
// run time (errors.ErrUnsupported) those the wrapped backend lacks.
type Recorder struct {
	backend.Backend
	mu    sync.Mutex
	calls []string
	// Fail, when set, makes the named methods fail with this error.
	Fail map[string]error
	// Before, when set, runs before the named method, after recording it.
	Before map[string]func()
}

// NewRecorder wraps b.
func New(b backend.Backend) *Recorder { return &Recorder{Backend: b} }

func (r *Recorder) record(method, id string) error {
	r.mu.Lock()
	r.calls = append(r.calls, method+" "+id)
	err, before := r.Fail[method], r.Before[method]
	r.mu.Unlock()
	if before != nil {
		before()
	}
	return err
}

// SetFail makes method fail with err (nil: succeed again).
func (r *Recorder) SetFail(method string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail == nil {
		r.Fail = map[string]error{}
	}
	r.Fail[method] = err
}

// SetBefore runs fn before each call of method (nil: nothing).
func (r *Recorder) SetBefore(method string, fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Before == nil {
		r.Before = map[string]func(){}
	}
	r.Before[method] = fn
}

// Calls returns the calls made so far and forgets them.
func (r *Recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// Methods returns the method names of Calls, space-separated.
func (r *Recorder) Methods() string {
	var m []string
	for _, c := range r.Calls() {
		m = append(m, strings.Fields(c)[0])
	}
	return strings.Join(m, " ")
}

func (r *Recorder) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	if err := r.record("get", id); err != nil {
		return backend.Record{}, false, err
	}
	return r.Backend.Get(ctx, id)
}

func (r *Recorder) Create(ctx context.Context, rec backend.Record) (backend.Token, error) {
	if err := r.record("create", rec.ID); err != nil {
		return backend.Token{}, err
	}
	return r.Backend.Create(ctx, rec)
}

func (r *Recorder) Update(ctx context.Context, rec backend.Record) (backend.Token, error) {
	if err := r.record("update", rec.ID); err != nil {
		return backend.Token{}, err
	}
	return r.Backend.Update(ctx, rec)
}

func (r *Recorder) Touch(ctx context.Context, id string, expires, modified time.Time, tok backend.Token) error {
	if err := r.record("touch", id); err != nil {
		return err
	}
	return r.Backend.Touch(ctx, id, expires, modified, tok)
}

func (r *Recorder) Destroy(ctx context.Context, id string) error {
	if err := r.record("destroy", id); err != nil {
		return err
	}
	return r.Backend.Destroy(ctx, id)
}

// UpdateIf passes through to the wrapped backend's conditional write.
func (r *Recorder) UpdateIf(ctx context.Context, rec backend.Record) (backend.Token, error) {
	if err := r.record("updateif", rec.ID); err != nil {
		return backend.Token{}, err
	}
	c, ok := r.Backend.(backend.ConditionalUpdater)
	if !ok {
		return backend.Token{}, unsupported(r.Backend, "UpdateIf")
	}
	return c.UpdateIf(ctx, rec)
}

// All passes through to the wrapped backend's listing.
func (r *Recorder) All(ctx context.Context) iter.Seq2[backend.Record, error] {
	l, ok := r.Backend.(backend.Lister)
	if !ok {
		return fail(unsupported(r.Backend, "All"))
	}
	return l.All(ctx)
}

// Owned passes through to the wrapped backend's owner index.
func (r *Recorder) Owned(ctx context.Context, owner string) iter.Seq2[backend.Record, error] {
	o, ok := r.Backend.(backend.Owners)
	if !ok {
		return fail(unsupported(r.Backend, "Owned"))
	}
	return o.Owned(ctx, owner)
}

func unsupported(b backend.Backend, method string) error {
	return fmt.Errorf("recorder: %T has no %s: %w", b, method, errors.ErrUnsupported)
}

func fail(err error) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) { yield(backend.Record{}, err) }
}
