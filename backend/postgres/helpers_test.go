package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/internal/pgtest"
)

// ctxT returns a context bounded for one test.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// uniqueName returns a table or schema name no other test uses.
func uniqueName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

var adminPool struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

// admin returns a pool on the shared server for the tests' own SQL, shared
// by the tests of the binary.
func admin(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := pgtest.URL(t)
	adminPool.once.Do(func() { adminPool.pool, adminPool.err = pgxpool.New(context.Background(), url) })
	if adminPool.err != nil {
		t.Fatal(adminPool.err)
	}
	return adminPool.pool
}

// poolWith returns a pool on url, closed when the test ends.
func poolWith(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// dropTable removes table (a quoted, maybe qualified name) when the test
// ends.
func dropTable(t testing.TB, table string) {
	t.Helper()
	pool := admin(t)
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+table); err != nil {
			t.Errorf("dropping %s: %v", table, err)
		}
	})
}

// newStore returns a Store, closed when the test ends, with pruning off
// unless opts says otherwise. opts.URL defaults to the shared server's.
// Without opts.Table, the Store gets a table of its own, created at once
// and dropped when the test ends; a test that names the table drops it.
func newStore(t testing.TB, opts Options) *Store {
	t.Helper()
	if opts.URL == "" && opts.Pool == nil {
		opts.URL = pgtest.URL(t)
	}
	ownTable := opts.Table == ""
	if ownTable {
		opts.Table = uniqueName("sesh_test_")
		opts.CreateTable = true
	}
	if opts.PruneInterval == 0 {
		opts.PruneInterval = -1
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if ownTable { // create it now, for the test's own SQL
		dropTable(t, newNames(opts.Schema, opts.Table).table)
		if _, err := s.Len(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// session returns express-session's JSON for a session expiring at exp
// with the given extra JSON members.
func session(exp time.Time, members string) []byte {
	return []byte(`{"cookie":{"originalMaxAge":3600000,"expires":"` + exp.UTC().Format("2006-01-02T15:04:05.000Z") +
		`","httpOnly":true,"path":"/"}` + members + `}`)
}

// mustCreate stores a session under id expiring at exp.
func mustCreate(t testing.TB, s *Store, id string, exp time.Time, members string) backend.Token {
	t.Helper()
	tok, err := s.Create(ctxT(t), backend.Record{ID: id, Data: session(exp, members), Expires: exp})
	if err != nil {
		t.Fatalf("Create(%q): %v", id, err)
	}
	return tok
}

// mustGet reads id, failing the test if it is missing.
func mustGet(t testing.TB, s *Store, id string) backend.Record {
	t.Helper()
	rec, ok, err := s.Get(ctxT(t), id)
	if err != nil || !ok {
		t.Fatalf("Get(%q) = found %v, %v; want the record", id, ok, err)
	}
	return rec
}

// secondsUp rounds t up to the whole second, as the expire column holds it.
func secondsUp(t time.Time) time.Time {
	r := t.Truncate(time.Second)
	if r.Before(t) {
		r = r.Add(time.Second)
	}
	return r
}
