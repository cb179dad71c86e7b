package memory_test

import (
	"context"
	"errors"
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

// create stores a session, failing the test if it cannot.
func create(t *testing.T, s *memory.Store, id string, expires time.Time) backend.Token {
	t.Helper()
	tok, err := s.Create(context.Background(), rec(id, expires))
	if err != nil {
		t.Fatalf("Create(%q): %v", id, err)
	}
	return tok
}

func found(s *memory.Store, id string) bool {
	_, found, _ := s.Get(context.Background(), id)
	return found
}

func count(t *testing.T, s *memory.Store) int {
	t.Helper()
	n, err := s.Len(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSweeperRemovesExpired(t *testing.T) {
	s := memory.New(memory.Options{SweepInterval: 10 * time.Millisecond})
	defer s.Close()
	create(t, s, "gone", time.Now().Add(30*time.Millisecond))
	create(t, s, "stays", time.Now().Add(time.Hour))
	deadline := time.Now().Add(5 * time.Second)
	for count(t, s) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("Len = %d five seconds after one of two sessions expired; the sweeper did not remove it", count(t, s))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !found(s, "stays") {
		t.Fatal("the sweeper removed a live session")
	}
}

func TestBrowserSessionGetsTTL(t *testing.T) {
	c := &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := memory.New(memory.Options{TTL: time.Hour, Now: c.Now, SweepInterval: -1})
	defer s.Close()
	create(t, s, "b", time.Time{})
	got, ok, _ := s.Get(context.Background(), "b")
	if !ok || !got.Expires.Equal(c.now.Add(time.Hour)) {
		t.Fatalf("Get = %v, %v; want expiry now+TTL", got.Expires, ok)
	}
	c.now = c.now.Add(time.Hour + time.Second)
	if found(s, "b") {
		t.Fatal("a browser-session record outlived the TTL: express's MemoryStore leak")
	}
}

func TestMaxSessionsDefault(t *testing.T) {
	for _, c := range []struct {
		max, want int
	}{
		{0, memory.DefaultMaxSessions},
		{-1, memory.DefaultMaxSessions + 1},
	} {
		t.Run(fmt.Sprint("MaxSessions=", c.max), func(t *testing.T) {
			s := memory.New(memory.Options{MaxSessions: c.max, SweepInterval: -1})
			defer s.Close()
			exp := time.Now().Add(time.Hour)
			for i := range memory.DefaultMaxSessions + 1 {
				create(t, s, fmt.Sprint(i), exp)
			}
			if n := count(t, s); n != c.want {
				t.Fatalf("Len = %d after %d Creates, want %d", n, memory.DefaultMaxSessions+1, c.want)
			}
		})
	}
}

// TestFloodKeepsReturningSessions: a flood of sessions that never come back
// (cookie-less clients, a bot) must not sign out a user whose session came
// back, even one that expires sooner than theirs.
func TestFloodKeepsReturningSessions(t *testing.T) {
	const max = 1000
	s := memory.New(memory.Options{MaxSessions: max, SweepInterval: -1})
	defer s.Close()
	now := time.Now()
	create(t, s, "user", now.Add(time.Minute))
	if !found(s, "user") {
		t.Fatal("the user's session is missing right after Create")
	}
	for i := range 10 * max {
		create(t, s, fmt.Sprint("bot-", i), now.Add(time.Hour))
	}
	if !found(s, "user") {
		t.Fatal("a flood of sessions that never came back evicted one that did")
	}
	if n := count(t, s); n != max {
		t.Fatalf("Len = %d, want the bound %d", n, max)
	}
}

func TestEvictionOrder(t *testing.T) {
	c := &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := memory.New(memory.Options{MaxSessions: 4, Now: c.Now, SweepInterval: -1})
	defer s.Close()
	create(t, s, "returned-expiring", c.now.Add(time.Minute))
	found(s, "returned-expiring")
	create(t, s, "returned", c.now.Add(2*time.Hour))
	found(s, "returned")
	create(t, s, "fresh-late", c.now.Add(3*time.Hour))
	create(t, s, "fresh-soon", c.now.Add(time.Hour))
	c.now = c.now.Add(2 * time.Minute) // "returned-expiring" has expired

	steps := []struct {
		create, gone string
		kept         []string
	}{
		// Expired sessions go first, whether they came back or not;
		{"new-1", "returned-expiring", []string{"returned", "fresh-late", "fresh-soon"}},
		// then those that never came back, soonest to expire first;
		{"new-2", "fresh-soon", []string{"returned", "fresh-late", "new-1"}},
		{"new-3", "fresh-late", []string{"returned", "new-1", "new-2"}},
		// new sessions too, until they come back.
		{"new-4", "new-1", []string{"returned", "new-2", "new-3"}},
	}
	for i, step := range steps {
		create(t, s, step.create, c.now.Add(4*time.Hour+time.Duration(i)*time.Minute))
		if n := count(t, s); n != 4 {
			t.Fatalf("Len = %d after Create(%q), want the bound 4", n, step.create)
		}
		// All, unlike Get, does not make a session one that came back.
		live := listed(t, s)
		if live[step.gone] {
			t.Errorf("Create(%q) at the bound kept %q, which should go first", step.create, step.gone)
		}
		for _, id := range step.kept {
			if !live[id] {
				t.Errorf("Create(%q) at the bound evicted %q before %q", step.create, id, step.gone)
			}
		}
	}
}

// listed returns the ids of the live sessions.
func listed(t *testing.T, s *memory.Store) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for r, err := range s.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		ids[r.ID] = true
	}
	return ids
}

func TestTokenChangesOnEveryWrite(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.Options{})
	defer s.Close()
	exp := time.Now().Add(time.Hour)
	written := []backend.Token{create(t, s, "s", exp)}
	r := rec("s", exp)
	for _, write := range []func(context.Context, backend.Record) (backend.Token, error){s.Update, s.UpdateIf} {
		r.Token = written[len(written)-1]
		tok, err := write(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, tok)
	}
	for i, tok := range written[:len(written)-1] {
		r.Token = tok
		if _, err := s.UpdateIf(ctx, r); !errors.Is(err, backend.ErrConflict) {
			t.Errorf("UpdateIf with the Token of write %d of %d: %v, want ErrConflict", i+1, len(written), err)
		}
	}
	got, _, _ := s.Get(ctx, "s")
	if got.Token != written[len(written)-1] {
		t.Error("Get returned a Token other than the last write's")
	}
}

func TestCloseStopsSweeper(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		s := memory.New(memory.Options{SweepInterval: time.Millisecond})
		s.Close()
	}
	// Close waits until the sweeper is done; its goroutine then exits,
	// which may take a moment to show.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before, %d five seconds after creating and closing 20 stores", before, runtime.NumGoroutine())
		}
		time.Sleep(time.Millisecond)
	}
}

func ExampleNew() {
	ctx := context.Background()
	store := memory.New(memory.Options{TTL: 24 * time.Hour})
	defer store.Close()

	data := []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}`)
	if _, err := store.Create(ctx, backend.Record{ID: "abc", Data: data}); err != nil {
		fmt.Println(err)
	}
	rec, found, _ := store.Get(ctx, "abc")
	fmt.Println(found, string(rec.Data))
	// Output: true {"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}
}
