package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/internal/pgtest"
)

// mustFail runs op and checks it fails, as a failure and not as a missing
// record, within bound.
func mustFail(t *testing.T, what string, bound time.Duration, op func(ctx context.Context) error) {
	t.Helper()
	start := time.Now()
	err := op(context.Background())
	if err == nil {
		t.Fatalf("%s succeeded with the server down", what)
	}
	if errors.Is(err, backend.ErrNotFound) || errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("%s with the server down = %v: a failure taken for an answer", what, err)
	}
	if d := time.Since(start); d > bound {
		t.Fatalf("%s took %v to fail, beyond %v", what, d, bound)
	}
	t.Logf("%s: %v", what, err)
}

// A server that is down when the Store is made only fails operations until
// it is up; the same Store then works, creating its table.
func TestServerDownAtStart(t *testing.T) {
	srv := pgtest.New(t)
	s := newStore(t, Options{URL: srv.URL(), Table: "session", CreateTable: true, OperationTimeout: 2 * time.Second})
	exp := time.Now().Add(time.Hour)
	mustFail(t, "Get", 3*time.Second, func(ctx context.Context) error {
		_, _, err := s.Get(ctx, "x")
		if err != nil && !strings.HasPrefix(err.Error(), "postgres: get: ") {
			t.Errorf("error %q does not name the operation", err)
		}
		return err
	})
	mustFail(t, "Create", 3*time.Second, func(ctx context.Context) error {
		_, err := s.Create(ctx, backend.Record{ID: "x", Data: []byte("{}"), Expires: exp})
		return err
	})
	srv.Start(t)
	mustCreate(t, s, "x", exp, "")
	mustGet(t, s, "x")
}

// A crash (SIGKILL) and an immediate shutdown under a running Store: the
// operations in between fail, then the Store recovers, with every
// acknowledged write still there.
func TestServerCrashAndBack(t *testing.T) {
	srv := pgtest.New(t)
	srv.Start(t)
	s := newStore(t, Options{URL: srv.URL(), Table: "session", CreateTable: true, OperationTimeout: 2 * time.Second})
	exp := time.Now().Add(time.Hour)
	for i, down := range []func(testing.TB){srv.Kill, srv.Stop} {
		id := fmt.Sprint("before-", i)
		mustCreate(t, s, id, exp, "")
		down(t)
		mustFail(t, "Update", 3*time.Second, func(ctx context.Context) error {
			_, err := s.Update(ctx, backend.Record{ID: id, Data: []byte("{}"), Expires: exp})
			return err
		})
		srv.Start(t)
		// The pool may hand out one dead connection per slot before it
		// notices; an operation then fails once, and the next one works.
		var err error
		for range 5 {
			if _, _, err = s.Get(ctxT(t), id); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("after the server came back: %v", err)
		}
		if got := mustGet(t, s, id); string(got.Data) != string(session(exp, "")) {
			t.Fatalf("an acknowledged write was lost: %s", got.Data)
		}
	}
}

// A server that accepts connections but never answers makes operations fail
// within OperationTimeout, not hang.
func TestServerSilent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s, err := New(Options{URL: fmt.Sprintf("postgres://postgres@%s/test?sslmode=disable", l.Addr()), OperationTimeout: 300 * time.Millisecond, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustFail(t, "Get", 2*time.Second, func(ctx context.Context) error {
		_, _, err := s.Get(ctx, "x")
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
		}
		return err
	})
}
