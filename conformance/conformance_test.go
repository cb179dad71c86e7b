package conformance_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/conformance"
)

// The suite must fail each of these broken backends, naming the property.

// noExpiryCheck returns records whatever their expiry: the bug of a store
// that relies on a TTL reaper alone.
type noExpiryCheck struct{ *memory.Store }

func (b noExpiryCheck) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	rec, found, err := b.Store.Get(ctx, id)
	if !found && err == nil {
		return backend.Record{ID: id, Data: []byte(`{}`), Expires: time.Now().Add(-time.Hour)}, true, nil
	}
	return rec, found, err
}

// upsertingTouch creates records on Touch.
type upsertingTouch struct{ *memory.Store }

func (b upsertingTouch) Touch(ctx context.Context, rec backend.Record) error {
	if _, found, _ := b.Store.Get(ctx, rec.ID); !found {
		return b.Store.Set(ctx, rec)
	}
	return b.Store.Touch(ctx, rec)
}

// aliasing keeps the caller's slice.
type aliasing struct {
	*memory.Store
	mu   sync.Mutex
	kept map[string][]byte
}

func (b *aliasing) Set(ctx context.Context, rec backend.Record) error {
	b.mu.Lock()
	b.kept[rec.ID] = rec.Data
	b.mu.Unlock()
	return b.Store.Set(ctx, rec)
}

func (b *aliasing) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	rec, found, err := b.Store.Get(ctx, id)
	if found {
		b.mu.Lock()
		rec.Data = b.kept[id]
		b.mu.Unlock()
	}
	return rec, found, err
}

// ignoresContext never looks at ctx.
type ignoresContext struct{ *memory.Store }

func (b ignoresContext) Destroy(_ context.Context, id string) error {
	return b.Store.Destroy(context.Background(), id)
}

// losesExpiry stores every record with the default lifetime.
type losesExpiry struct{ *memory.Store }

func (b losesExpiry) Touch(ctx context.Context, rec backend.Record) error {
	rec.Expires = time.Time{}
	return b.Store.Touch(ctx, rec)
}

func TestCheckCatchesBrokenBackends(t *testing.T) {
	cases := []struct {
		name     string
		open     func(*memory.Store) backend.Backend
		property string
	}{
		{"returns expired records", func(s *memory.Store) backend.Backend { return noExpiryCheck{s} }, "ExpiredInvisible"},
		{"touch creates records", func(s *memory.Store) backend.Backend { return upsertingTouch{s} }, "TouchMissing"},
		{"keeps the caller's slice", func(s *memory.Store) backend.Backend { return &aliasing{Store: s, kept: map[string][]byte{}} }, "NoAliasing"},
		{"ignores the context", func(s *memory.Store) backend.Backend { return ignoresContext{s} }, "ContextCancelled"},
		{"touch loses the expiry", func(s *memory.Store) backend.Backend { return losesExpiry{s} }, "TouchExtendsExpiry"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := conformance.Check(context.Background(), func() (backend.Backend, error) {
				return c.open(memory.New(memory.Options{})), nil
			})
			if err == nil {
				t.Fatalf("Check passed a backend that %s", c.name)
			}
			if !strings.Contains(err.Error(), c.property+":") {
				t.Fatalf("Check failed without naming %s:\n%v", c.property, err)
			}
		})
	}
}

func TestCheckPassesMemory(t *testing.T) {
	err := conformance.Check(context.Background(), func() (backend.Backend, error) {
		return memory.New(memory.Options{}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ExampleRun() {
	// In a _test.go file of the backend's package:
	//
	//	func TestConformance(t *testing.T) {
	//		conformance.Run(t, func(t *testing.T) backend.Backend {
	//			s := memory.New(memory.Options{})
	//			t.Cleanup(func() { s.Close() })
	//			return s
	//		})
	//	}
}
