package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/internal/ferrettest"
)

// These tests run a FerretDB of their own, to stop and crash it.

func startFerret(t *testing.T) *ferrettest.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("starts and kills a FerretDB process; skipped with -short")
	}
	return ferrettest.Start(t, ferrettest.Options{})
}

// eventually calls f until it succeeds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after %v: %v", what, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServerDownAtStart: New needs no server; operations fail within
// OperationTimeout while it is down, and work once it is up, with the same
// Store; the TTL index is attempted again rather than given up.
func TestServerDownAtStart(t *testing.T) {
	srv := startFerret(t)
	srv.Stop()
	rec := newRecorder()
	s, err := New(Options{URI: srv.URI + "down", OperationTimeout: 500 * time.Millisecond, OnEvent: rec.on, Logger: newTestLogger(t).Logger})
	if err != nil {
		t.Fatalf("New with the server down: %v", err)
	}
	defer s.Close()

	start := time.Now()
	_, _, err = s.Get(context.Background(), "x")
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Get succeeded with the server down")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "OperationTimeout") {
		t.Errorf("Get error %q, want a deadline error naming OperationTimeout", err)
	}
	// The driver alone would wait 30 s for a server.
	if elapsed > 10*time.Second {
		t.Errorf("Get took %v with OperationTimeout 500ms", elapsed)
	}

	srv.Restart(t)
	exp := time.Now().Add(time.Hour)
	eventually(t, 30*time.Second, "Create after the server started", func() error {
		_, err := put(context.Background(), s, backend.Record{ID: "x", Data: session(exp, 1), Expires: exp})
		return err
	})
	if _, ok, err := s.Get(context.Background(), "x"); err != nil || !ok {
		t.Fatalf("Get after recovery: %v, %v", ok, err)
	}
	rec.wait(t, 60*time.Second, "TTL index outcome after the server came up", func(ev Event) bool {
		return ev.Kind == EventFallback || ev.Kind == EventIndex
	})
}

// TestServerCrash: a FerretDB killed mid-test makes operations fail, in
// bounded time; when it is back the same Store works again, and every
// write acknowledged before the crash is there.
func TestServerCrash(t *testing.T) {
	srv := startFerret(t)
	s, err := New(Options{URI: srv.URI + "crash", OperationTimeout: 10 * time.Second, Logger: newTestLogger(t).Logger})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	const n = 50
	for i := range n {
		if _, err := s.Create(ctx, backend.Record{ID: fmt.Sprint("s", i), Data: session(exp, i), Expires: exp}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Touch(ctx, "s0", exp.Add(time.Hour), time.Time{}, backend.Token{}); err != nil {
		t.Fatal(err)
	}

	srv.Kill()

	// The first operation on a pooled connection sees it closed.
	first, cancelFirst := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancelFirst()
	if _, _, err := s.Get(first, "s1"); err == nil {
		t.Fatal("Get succeeded with the server killed")
	}
	// Then the driver waits for a server: the caller's deadline bounds
	// that.
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Create(short, backend.Record{ID: "during", Data: session(exp, 0), Expires: exp})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Create during the outage = %v, want an error matching context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Create with a 300ms deadline took %v", elapsed)
	}
	// A cancelled request stops waiting at once.
	cctx, ccancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); ccancel() }()
	if _, _, err := s.Get(cctx, "s1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get cancelled during the outage = %v, want context.Canceled", err)
	}

	srv.Restart(t)
	eventually(t, 30*time.Second, "Get after the restart", func() error {
		_, _, err := s.Get(context.Background(), "s0")
		return err
	})
	for i := range n {
		id := fmt.Sprint("s", i)
		rec, ok, err := s.Get(ctx, id)
		if err != nil || !ok {
			t.Fatalf("%s after the crash: %v, %v", id, ok, err)
		}
		if string(rec.Data) != string(session(exp, i)) {
			t.Errorf("%s after the crash holds %s", id, rec.Data)
		}
		if i == 0 && !rec.Expires.Equal(exp.Add(time.Hour).Truncate(time.Millisecond)) {
			t.Errorf("the touch before the crash was lost: expires %v", rec.Expires)
		}
	}
	if _, err := s.Create(ctx, backend.Record{ID: "after", Data: session(exp, 1), Expires: exp}); err != nil {
		t.Errorf("Create after the restart: %v", err)
	}
}
