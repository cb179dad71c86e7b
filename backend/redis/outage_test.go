package redis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/internal/redistest"
)

// notAnAnswer fails the test unless err is a failure: not nil and not one
// of the errors that describe the store's content, which a server that is
// down must never be mistaken for.
func notAnAnswer(t *testing.T, what string, err error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s with the server down succeeded", what)
	case errors.Is(err, backend.ErrNotFound), errors.Is(err, backend.ErrExists), errors.Is(err, backend.ErrConflict), errors.Is(err, backend.ErrCorrupt):
		t.Errorf("%s with the server down = %v, which describes the content", what, err)
	}
}

// A server that is down when the Store is created only fails operations,
// until it is back.
func TestServerDownAtStart(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	for _, owners := range []bool{false, true} {
		s, err := redis.New(redis.Options{URL: srv.URL, Owners: owners, OperationTimeout: 500 * time.Millisecond})
		if err != nil {
			t.Fatalf("New with the server down: %v", err)
		}
		defer s.Close()
		_, found, err := s.Get(ctx, "x")
		notAnAnswer(t, "Get", err)
		if found {
			t.Error("Get with the server down found a session")
		}
		_, err = s.Create(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: soon(), Owner: "o"})
		notAnAnswer(t, "Create", err)
		notAnAnswer(t, "Touch", s.Touch(ctx, "x", soon(), time.Time{}, backend.Token{}))
		_, err = s.Len(ctx)
		notAnAnswer(t, "Len", err)
		for _, err := range s.All(ctx) {
			notAnAnswer(t, "All", err)
		}
	}
	srv.Restart(t)
	for _, owners := range []bool{false, true} {
		s, err := redis.New(redis.Options{URL: srv.URL, Owners: owners})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Create(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: soon(), Owner: "o"}); err != nil && !errors.Is(err, backend.ErrExists) {
			t.Fatalf("Create once the server is up: %v", err)
		}
		mustGet(t, s, "x")
	}
}

// A server that crashes (kill -9) fails operations while it is down; once
// it is back the Store works again, scripts included (the server lost
// its script cache: EVALSHA falls back to EVAL).
func TestServerCrash(t *testing.T) {
	for _, owners := range []bool{false, true} {
		s, srv, _ := private(t, redis.Options{Owners: owners, OperationTimeout: 500 * time.Millisecond})
		tok, err := s.Create(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: soon(), Owner: "o"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateIf(ctx, backend.Record{ID: "x", Data: sessJSON(`,"v":1`), Expires: soon(), Owner: "o", Token: tok}); err != nil {
			t.Fatal(err)
		}
		srv.Kill()
		_, _, err = s.Get(ctx, "x")
		notAnAnswer(t, "Get", err)
		_, err = s.Update(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: soon()})
		notAnAnswer(t, "Update", err)
		srv.Restart(t)
		// Persistence is off: the session died with the server.
		mustMiss(t, s, "x", "after the server restarted without its data")
		tok, err = s.Create(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: soon(), Owner: "o"})
		if err != nil {
			t.Fatalf("owners=%v: Create after the restart: %v", owners, err)
		}
		if _, err := s.UpdateIf(ctx, backend.Record{ID: "x", Data: sessJSON(`,"v":2`), Expires: soon(), Owner: "o", Token: tok}); err != nil {
			t.Fatalf("owners=%v: UpdateIf after the restart: %v", owners, err)
		}
	}
}

// A server that does not answer makes operations fail at the operation
// timeout, or at the caller's deadline, with an error saying which.
func TestUnresponsiveServer(t *testing.T) {
	s, srv, c := private(t, redis.Options{OperationTimeout: 300 * time.Millisecond})
	if _, err := s.Create(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: soon()}); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "CLIENT", "PAUSE", 3000, "ALL").Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, _, err := s.Get(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get from a paused server = %v, want context.DeadlineExceeded (the operation timeout)", err)
	}
	long, err := redis.New(redis.Options{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer long.Close()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, _, err := long.Get(short, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get from a paused server with a 300 ms deadline = %v, want context.DeadlineExceeded", err)
	}
	if time.Since(start) > 2500*time.Millisecond {
		t.Errorf("the two Gets took %v: they waited for the pause to end", time.Since(start))
	}
	c.Do(ctx, "CLIENT", "UNPAUSE")
	mustGet(t, s, "x")
}
