package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/conformance"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		s := memory.New(memory.Options{})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// clock is a settable time source.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func rec(id string, expires time.Time) backend.Record {
	return backend.Record{ID: id, Data: []byte(`{"cookie":{}}`), Expires: expires}
}

func TestSweeperRemovesExpired(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.Options{SweepInterval: 10 * time.Millisecond})
	defer s.Close()
	s.Set(ctx, rec("gone", time.Now().Add(30*time.Millisecond)))
	s.Set(ctx, rec("stays", time.Now().Add(time.Hour)))
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, _ := s.Len(ctx)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Len = %d five seconds after one of two sessions expired; the sweeper did not remove it", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, found, _ := s.Get(ctx, "stays"); !found {
		t.Fatal("the sweeper removed a live session")
	}
}

func TestBrowserSessionGetsTTL(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := memory.New(memory.Options{TTL: time.Hour, Now: c.Now, SweepInterval: -1})
	defer s.Close()
	s.Set(ctx, rec("b", time.Time{}))
	got, found, _ := s.Get(ctx, "b")
	if !found || !got.Expires.Equal(c.now.Add(time.Hour)) {
		t.Fatalf("Get = %v, %v; want expiry now+TTL", got.Expires, found)
	}
	c.now = c.now.Add(time.Hour + time.Second)
	if _, found, _ := s.Get(ctx, "b"); found {
		t.Fatal("a browser-session record outlived the TTL: express's MemoryStore leak")
	}
}

func TestMaxSessionsEvictsSoonestExpiring(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.Options{MaxSessions: 3, SweepInterval: -1})
	defer s.Close()
	now := time.Now()
	s.Set(ctx, rec("late", now.Add(3*time.Hour)))
	s.Set(ctx, rec("soon", now.Add(time.Hour)))
	s.Set(ctx, rec("mid", now.Add(2*time.Hour)))
	s.Set(ctx, rec("new", now.Add(4*time.Hour)))
	if n, _ := s.Len(ctx); n != 3 {
		t.Fatalf("Len = %d, want the bound 3", n)
	}
	if _, found, _ := s.Get(ctx, "soon"); found {
		t.Fatal("the session closest to expiry was kept")
	}
	for _, id := range []string{"late", "mid", "new"} {
		if _, found, _ := s.Get(ctx, id); !found {
			t.Fatalf("%s was evicted, want only the soonest-expiring one gone", id)
		}
	}
	// Overwriting an existing id never evicts.
	s.Set(ctx, rec("late", now.Add(5*time.Hour)))
	if n, _ := s.Len(ctx); n != 3 {
		t.Fatalf("Len = %d after an overwrite, want 3", n)
	}
}

func TestCloseStopsSweeper(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		s := memory.New(memory.Options{SweepInterval: time.Millisecond})
		s.Close()
	}
	// Goroutines exit asynchronously after Close returns only if Close
	// does not wait; it waits, so the count is back at once.
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines before, %d after creating and closing 20 stores", before, after)
	}
}

func ExampleNew() {
	ctx := context.Background()
	store := memory.New(memory.Options{TTL: 24 * time.Hour})
	defer store.Close()

	store.Set(ctx, backend.Record{ID: "abc", Data: []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}`)})
	rec, found, _ := store.Get(ctx, "abc")
	fmt.Println(found, string(rec.Data))
	// Output: true {"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}
}
