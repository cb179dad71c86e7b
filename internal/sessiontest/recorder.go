// Package sessiontest holds helpers for sesh's own tests.
package sessiontest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/seshgo/sesh/backend"
)

// Recorder is a backend that records the calls made to the backend it
// wraps, as "get id", "set id", "touch id", "destroy id", "setif id".
type Recorder struct {
	backend.Backend
	mu    sync.Mutex
	calls []string
	// Fail, when set, makes the named methods fail with this error.
	Fail map[string]error
}

// NewRecorder wraps b.
func NewRecorder(b backend.Backend) *Recorder { return &Recorder{Backend: b} }

func (r *Recorder) record(method, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, method+" "+id)
	return r.Fail[method]
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

func (r *Recorder) Set(ctx context.Context, rec backend.Record) error {
	if err := r.record("set", rec.ID); err != nil {
		return err
	}
	return r.Backend.Set(ctx, rec)
}

func (r *Recorder) Touch(ctx context.Context, rec backend.Record) error {
	if err := r.record("touch", rec.ID); err != nil {
		return err
	}
	return r.Backend.Touch(ctx, rec)
}

func (r *Recorder) Destroy(ctx context.Context, id string) error {
	if err := r.record("destroy", id); err != nil {
		return err
	}
	return r.Backend.Destroy(ctx, id)
}

// SetIf passes through to the wrapped backend's conditional write.
func (r *Recorder) SetIf(ctx context.Context, rec backend.Record, want uint64, created bool) error {
	if err := r.record("setif", rec.ID); err != nil {
		return err
	}
	c, ok := r.Backend.(backend.ConditionalSetter)
	if !ok {
		return fmt.Errorf("%T has no SetIf", r.Backend)
	}
	return c.SetIf(ctx, rec, want, created)
}
