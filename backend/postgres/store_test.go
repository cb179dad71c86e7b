package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// rowCount counts the rows of s's table, expired ones included.
func rowCount(t *testing.T, s *Store) int {
	t.Helper()
	n, err := s.Len(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGetMissing(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	if rec, ok, err := s.Get(ctx, "never"); ok || err != nil {
		t.Fatalf("Get of an id never stored = %+v, %v, %v", rec, ok, err)
	}
	mustCreate(t, s, "gone", time.Now().Add(time.Hour), "")
	if err := s.Destroy(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Get(ctx, "gone"); ok || err != nil {
		t.Fatalf("Get after Destroy = %v, %v", ok, err)
	}
}

// A row whose expire has passed is invisible before pruning removes it,
// and counted by Len until then.
func TestExpiredInvisible(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	mustCreate(t, s, "past", time.Now().Add(-time.Minute), "")
	mustCreate(t, s, "soon", time.Now().Add(1500*time.Millisecond), "")
	if _, ok, err := s.Get(ctx, "past"); ok || err != nil {
		t.Fatalf("Get of an expired record = %v, %v", ok, err)
	}
	mustGet(t, s, "soon")
	time.Sleep(2600 * time.Millisecond) // expire is rounded up to the second
	if _, ok, err := s.Get(ctx, "soon"); ok || err != nil {
		t.Fatalf("Get after the expiry passed = %v, %v", ok, err)
	}
	if n := rowCount(t, s); n != 2 {
		t.Fatalf("Len = %d, want the 2 unpruned rows", n)
	}
	for rec, err := range s.All(ctx) {
		t.Fatalf("All yielded %q, %v; want nothing live", rec.ID, err)
	}
}

func TestRoundTrip(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	big := session(exp, `,"blob":"`+strings.Repeat("x", 4<<20)+`"`)
	cases := map[string][]byte{
		"express":     session(exp, `,"user":"alice","n":1.5,"a":[1,{"b":null}]`),
		"unicode":     session(exp, `,"name":"Zoë 日本 🎉","esc":"\u00e9\n"`),
		"large":       big,
		"ciphertext":  []byte("v1.YWJjZGVm.Z2hpamts+/=="),
		"json string": []byte(`"just a string"`),
		"spaced":      []byte(" \n{\"a\": 1}\t"),
		"number":      []byte("42"),
		"empty":       {},
		"not json":    []byte(`{"unterminated":`),
		"nul":         []byte("a\x00b"),
		"quotes":      []byte(`he said "hi" \ `),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			id := "rt-" + name
			if _, err := s.Create(ctx, backend.Record{ID: id, Data: data, Expires: exp}); err != nil {
				t.Fatal(err)
			}
			rec := mustGet(t, s, id)
			if !bytes.Equal(rec.Data, data) {
				t.Fatalf("Get returned %d bytes %.80q, want %.80q", len(rec.Data), rec.Data, data)
			}
			if !rec.Expires.Equal(secondsUp(exp)) {
				t.Fatalf("Expires = %v, want %v", rec.Expires, secondsUp(exp))
			}
		})
	}
}

// Data that is not UTF-8 cannot be held by a json column: refused, with
// the stored record left as it was.
func TestInvalidUTF8Refused(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	bad := []byte("\xff\xfe binary")
	if _, err := s.Create(ctx, backend.Record{ID: "bin", Data: bad, Expires: exp}); !errors.Is(err, backend.ErrInvalidData) {
		t.Fatalf("Create with invalid UTF-8 = %v, want ErrInvalidData", err)
	}
	mustCreate(t, s, "ok", exp, `,"v":1`)
	if _, err := s.Update(ctx, backend.Record{ID: "ok", Data: bad, Expires: exp}); !errors.Is(err, backend.ErrInvalidData) {
		t.Fatalf("Update with invalid UTF-8 = %v, want ErrInvalidData", err)
	}
	if got := mustGet(t, s, "ok").Data; !bytes.Equal(got, session(exp, `,"v":1`)) {
		t.Fatalf("a refused Update changed the record to %s", got)
	}
}

func TestCreateExisting(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	mustCreate(t, s, "id", exp, `,"v":1`)
	_, err := s.Create(ctx, backend.Record{ID: "id", Data: session(exp, `,"v":2`), Expires: exp})
	if !errors.Is(err, backend.ErrExists) || !strings.HasPrefix(err.Error(), "postgres: create: ") {
		t.Fatalf("Create over a live record = %v, want postgres: create: ... ErrExists", err)
	}
	if got := mustGet(t, s, "id").Data; !bytes.Equal(got, session(exp, `,"v":1`)) {
		t.Fatalf("a refused Create changed the record to %s", got)
	}
	mustCreate(t, s, "old", time.Now().Add(-time.Hour), `,"v":1`)
	mustCreate(t, s, "old", exp, `,"v":2`) // an expired record is replaced
	if got := mustGet(t, s, "old").Data; !bytes.Equal(got, session(exp, `,"v":2`)) {
		t.Fatalf("Create over an expired record stored %s", got)
	}
}

func TestUpdateMissing(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	rec := backend.Record{ID: "none", Data: session(exp, ""), Expires: exp}
	if _, err := s.Update(ctx, rec); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("Update of a missing record = %v, want ErrNotFound", err)
	}
	tok := mustCreate(t, s, "destroyed", exp, "")
	if err := s.Destroy(ctx, "destroyed"); err != nil {
		t.Fatal(err)
	}
	rec.ID, rec.Token = "destroyed", tok
	if _, err := s.Update(ctx, rec); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("Update after Destroy = %v, want ErrNotFound", err)
	}
	mustCreate(t, s, "expired", time.Now().Add(-time.Second), "")
	rec.ID = "expired"
	if _, err := s.Update(ctx, rec); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("Update of an expired record = %v, want ErrNotFound", err)
	}
	if n := rowCount(t, s); n != 1 {
		t.Fatalf("%d rows after refused updates, want only the expired one", n)
	}
}

func TestUpdate(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	mustCreate(t, s, "u", exp, `,"v":1`)
	later := exp.Add(time.Hour)
	tok, err := s.Update(ctx, backend.Record{ID: "u", Data: session(later, `,"v":2`), Expires: later})
	if err != nil {
		t.Fatal(err)
	}
	rec := mustGet(t, s, "u")
	if !bytes.Equal(rec.Data, session(later, `,"v":2`)) || !rec.Expires.Equal(secondsUp(later)) {
		t.Fatalf("after Update: %s, %v", rec.Data, rec.Expires)
	}
	if rec.Token != tok {
		t.Fatalf("Get's Token %v differs from Update's %v with no write between", rec.Token, tok)
	}
}

func TestTouch(t *testing.T) {
	s := newStore(t, Options{TTL: 2 * time.Hour})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Minute)
	mustCreate(t, s, "t", exp, `,"v":1`)
	later := time.Now().Add(3 * time.Hour)
	if err := s.Touch(ctx, "t", later, time.Now(), backend.Token{}); err != nil {
		t.Fatal(err)
	}
	rec := mustGet(t, s, "t")
	if !rec.Expires.Equal(secondsUp(later)) || !bytes.Equal(rec.Data, session(exp, `,"v":1`)) {
		t.Fatalf("after Touch: Expires %v (want %v), data %s", rec.Expires, secondsUp(later), rec.Data)
	}
	before := time.Now()
	if err := s.Touch(ctx, "t", time.Time{}, time.Time{}, rec.Token); err != nil {
		t.Fatal(err)
	}
	rec = mustGet(t, s, "t")
	if lo, hi := secondsUp(before.Add(2*time.Hour)), secondsUp(time.Now().Add(2*time.Hour)); rec.Expires.Before(lo) || rec.Expires.After(hi) {
		t.Fatalf("Touch with zero expiry set %v, want now+TTL in [%v, %v]", rec.Expires, lo, hi)
	}
	if err := s.Touch(ctx, "missing", later, time.Time{}, backend.Token{}); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("Touch of a missing record = %v, want ErrNotFound", err)
	}
	mustCreate(t, s, "expired", time.Now().Add(-time.Second), "")
	if err := s.Touch(ctx, "expired", later, time.Time{}, backend.Token{}); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("Touch of an expired record = %v, want ErrNotFound", err)
	}
	if _, ok, _ := s.Get(ctx, "expired"); ok {
		t.Fatal("Touch revived an expired record")
	}
	if n := rowCount(t, s); n != 2 {
		t.Fatalf("%d rows, want 2: Touch created one", n)
	}
}

func TestDefaultLifetime(t *testing.T) {
	for _, ttl := range []time.Duration{0, 90 * time.Minute} {
		t.Run(fmt.Sprint(ttl), func(t *testing.T) {
			s := newStore(t, Options{TTL: ttl})
			want := ttl
			if want == 0 {
				want = DefaultTTL
			}
			before := time.Now()
			if _, err := s.Create(ctxT(t), backend.Record{ID: "browser", Data: []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}}`)}); err != nil {
				t.Fatal(err)
			}
			after := time.Now()
			got := mustGet(t, s, "browser").Expires
			if lo, hi := secondsUp(before.Add(want)), secondsUp(after.Add(want)); got.Before(lo) || got.After(hi) {
				t.Fatalf("zero Expires stored as %v, want in [%v, %v]", got, lo, hi)
			}
		})
	}
}

func TestDestroyIdempotent(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	mustCreate(t, s, "d", time.Now().Add(time.Hour), "")
	for i := range 2 {
		if err := s.Destroy(ctx, "d"); err != nil {
			t.Fatalf("Destroy #%d: %v", i+1, err)
		}
	}
	if n := rowCount(t, s); n != 0 {
		t.Fatalf("%d rows after Destroy", n)
	}
}

// Neither the caller's slice nor the returned one is shared with the Store.
func TestNoAliasing(t *testing.T) {
	s := newStore(t, Options{})
	exp := time.Now().Add(time.Hour)
	data := session(exp, `,"v":1`)
	want := bytes.Clone(data)
	if _, err := s.Create(ctxT(t), backend.Record{ID: "a", Data: data, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	clear(data)
	got := mustGet(t, s, "a").Data
	clear(got)
	if again := mustGet(t, s, "a").Data; !bytes.Equal(again, want) {
		t.Fatalf("stored data changed through a caller's slice: %q", again)
	}
}

func TestConcurrent(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			id := fmt.Sprintf("c%d", g)
			if _, err := s.Create(ctx, backend.Record{ID: id, Data: session(exp, ""), Expires: exp}); err != nil {
				errs <- err
				return
			}
			for i := range 10 {
				rec, ok, err := s.Get(ctx, id)
				if err != nil || !ok {
					errs <- fmt.Errorf("Get(%s): %v %v", id, ok, err)
					return
				}
				rec.Data = session(exp, fmt.Sprintf(`,"i":%d`, i))
				if _, err := s.Update(ctx, rec); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := rowCount(t, s); n != 16 {
		t.Fatalf("%d rows, want 16", n)
	}
}

func TestContextDone(t *testing.T) {
	s := newStore(t, Options{})
	mustCreate(t, s, "x", time.Now().Add(time.Hour), "") // the table exists
	exp := time.Now().Add(time.Hour)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	passed, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		ctx  context.Context
		want error
	}{{cancelled, context.Canceled}, {passed, context.DeadlineExceeded}} {
		if _, err := s.Create(c.ctx, backend.Record{ID: "new", Data: session(exp, ""), Expires: exp}); !errors.Is(err, c.want) {
			t.Errorf("Create = %v, want %v", err, c.want)
		}
		if _, _, err := s.Get(c.ctx, "x"); !errors.Is(err, c.want) {
			t.Errorf("Get = %v, want %v", err, c.want)
		}
		if err := s.Destroy(c.ctx, "x"); !errors.Is(err, c.want) {
			t.Errorf("Destroy = %v, want %v", err, c.want)
		}
	}
	if n := rowCount(t, s); n != 1 {
		t.Fatalf("%d rows: an operation with a done context changed the table", n)
	}
}

// lockRow holds a lock on the row of id from another connection until the
// returned function is called, so that writes to it block.
func lockRow(t *testing.T, s *Store, id string) (release func()) {
	t.Helper()
	tx, err := admin(t).Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctxT(t), "SELECT 1 FROM "+s.names.table+" WHERE sid = $1 FOR UPDATE", id); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { tx.Rollback(context.Background()) }) }
	t.Cleanup(release)
	return release
}

// A write blocked on the server ends with the caller's deadline or
// OperationTimeout, whichever comes first, and says which.
func TestBlockedWriteTimesOut(t *testing.T) {
	s := newStore(t, Options{OperationTimeout: 300 * time.Millisecond})
	exp := time.Now().Add(time.Hour)
	mustCreate(t, s, "locked", exp, `,"v":1`)
	release := lockRow(t, s, "locked")
	rec := backend.Record{ID: "locked", Data: session(exp, `,"v":2`), Expires: exp}

	start := time.Now()
	_, err := s.Update(ctxT(t), rec)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "postgres: update: no reply within 300ms") {
		t.Fatalf("blocked Update = %v, want the operation timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("blocked Update returned after %v", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Touch(ctx, "locked", exp, time.Time{}, backend.Token{}); !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "OperationTimeout") {
		t.Fatalf("blocked Touch with a shorter deadline = %v, want the caller's deadline", err)
	}
	release()
	if got := mustGet(t, s, "locked").Data; !bytes.Equal(got, session(exp, `,"v":1`)) {
		t.Fatalf("a timed-out Update was stored: %s", got)
	}
}

func TestClose(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	mustCreate(t, s, "x", time.Now().Add(time.Hour), "")
	for range 2 {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Get(ctx, "x"); !errors.Is(err, backend.ErrClosed) || !strings.HasPrefix(err.Error(), "postgres: get: ") {
		t.Fatalf("Get after Close = %v, want ErrClosed", err)
	}
	if err := s.Touch(ctx, "x", time.Time{}, time.Time{}, backend.Token{}); !errors.Is(err, backend.ErrClosed) {
		t.Fatalf("Touch after Close = %v", err)
	}
	for _, err := range s.All(ctx) {
		if !errors.Is(err, backend.ErrClosed) {
			t.Fatalf("All after Close yielded %v", err)
		}
	}
	if err := s.pool.Ping(ctx); err == nil {
		t.Fatal("the pool the Store created from Options.URL is still open after Close")
	}
}

// A pool passed in Options.Pool belongs to the caller: Close leaves it
// open, and other Stores on it keep working.
func TestBorrowedPoolStaysOpen(t *testing.T) {
	pool := admin(t)
	table := uniqueName("sesh_test_")
	dropTable(t, quoteIdent(table))
	a := newStore(t, Options{Pool: pool, Table: table, CreateTable: true})
	b := newStore(t, Options{Pool: pool, Table: table})
	mustCreate(t, a, "x", time.Now().Add(time.Hour), "")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pool.Ping(ctxT(t)); err != nil {
		t.Fatalf("Close closed the caller's pool: %v", err)
	}
	mustGet(t, b, "x")
}

func TestNewRefusesBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"neither":        {},
		"both":           {URL: "postgres://localhost/x", Pool: admin(t)},
		"bad url":        {URL: "postgres://%zz"},
		"nul table":      {URL: "postgres://localhost/x", Table: "a\x00b"},
		"long schema":    {URL: "postgres://localhost/x", Schema: strings.Repeat("s", 64)},
		"negative TTL":   {URL: "postgres://localhost/x", TTL: -time.Second},
		"invalid utf-8":  {URL: "postgres://localhost/x", Table: "\xff"},
		"long table 64b": {URL: "postgres://localhost/x", Table: strings.Repeat("é", 32)},
	} {
		if s, err := New(o); err == nil {
			s.Close()
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
}

// All reads page after page, holding no connection while the loop body
// runs: with a pool of one connection, the body can still use the Store.
func TestAllPagesAndBodyUsesStore(t *testing.T) {
	table := uniqueName("sesh_test_")
	dropTable(t, quoteIdent(table))
	s := newStore(t, Options{URL: poolURL(t, 1), Table: table, CreateTable: true})
	ctx := ctxT(t)
	mustCreate(t, s, "first", time.Now().Add(time.Hour), "")
	const n = pageSize*2 + 17
	_, err := admin(t).Exec(ctx, `INSERT INTO `+s.names.table+` (sid, sess, expire)
		SELECT 'bulk' || i, '{"cookie":{}}', to_timestamp($1::double precision) FROM generate_series(1, $2::int) i`,
		nowEpoch(time.Now().Add(time.Hour)), n)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "dead", time.Now().Add(-time.Hour), "")
	seen := map[string]bool{}
	for rec, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[rec.ID] {
			t.Fatalf("All yielded %q twice", rec.ID)
		}
		seen[rec.ID] = true
		if err := s.Destroy(ctx, rec.ID); err != nil {
			t.Fatalf("Destroy inside All: %v", err)
		}
	}
	if len(seen) != n+1 || seen["dead"] {
		t.Fatalf("All yielded %d records (dead: %v), want the %d live ones", len(seen), seen["dead"], n+1)
	}
	if got := rowCount(t, s); got != 1 {
		t.Fatalf("%d rows left, want the expired one", got)
	}
}

// poolURL returns the shared server's URL with a pool of max connections.
func poolURL(t *testing.T, max int) string {
	url := admin(t).Config().ConnString()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%spool_max_conns=%d", url, sep, max)
}

func TestLenAndClear(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	mustCreate(t, s, "a", time.Now().Add(time.Hour), "")
	mustCreate(t, s, "b", time.Now().Add(-time.Hour), "")
	if n := rowCount(t, s); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rowCount(t, s); n != 0 {
		t.Fatalf("Len after Clear = %d", n)
	}
	var indexes int
	if err := admin(t).QueryRow(ctx, "SELECT count(*) FROM pg_index WHERE indrelid = to_regclass($1)", s.names.table).Scan(&indexes); err != nil || indexes != 3 {
		t.Fatalf("after Clear the table has %d indexes (%v), want its 3", indexes, err)
	}
	mustCreate(t, s, "a", time.Now().Add(time.Hour), "") // the table is still usable
}

// Every write is counted once however many goroutines race to make it.
func TestCreateRace(t *testing.T) {
	s := newStore(t, Options{})
	mustCreate(t, s, "warm", time.Now().Add(time.Hour), "")
	var ok, exists atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := s.Create(ctxT(t), backend.Record{ID: "race", Data: []byte("{}"), Expires: time.Now().Add(time.Hour)})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, backend.ErrExists):
				exists.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || exists.Load() != 7 {
		t.Fatalf("%d Creates succeeded and %d found the id taken; want 1 and 7", ok.Load(), exists.Load())
	}
}
