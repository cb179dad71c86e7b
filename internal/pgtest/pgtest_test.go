package pgtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshgo/sesh/internal/pgtest"
)

// A private server keeps its data across a crash and a restart on the same
// port, and refuses connections while it is down.
func TestServerLifecycle(t *testing.T) {
	s := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := pgx.Connect(ctx, s.URL()); err == nil {
		t.Fatal("connected to a server that was not started")
	}
	s.Start(t)
	exec(t, s.URL(), "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)")

	s.Kill(t)
	if _, err := pgx.Connect(ctx, s.URL()); err == nil {
		t.Fatal("connected to a killed server")
	}
	s.Start(t)
	if got := count(t, s.URL()); got != 1 {
		t.Fatalf("after a crash: %d rows, want 1", got)
	}
	s.Restart(t)
	if got := count(t, s.URL()); got != 1 {
		t.Fatalf("after a restart: %d rows, want 1", got)
	}
	s.Stop(t)
	if _, err := pgx.Connect(ctx, s.URL()); err == nil {
		t.Fatal("connected to a stopped server")
	}
}

func exec(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, url string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM kept WHERE v = 42").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
