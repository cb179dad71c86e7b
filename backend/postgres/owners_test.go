package postgres

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// ownedIDs returns the ids Owned yields for owner, failing on any error.
func ownedIDs(t *testing.T, s *Store, owner string) []string {
	t.Helper()
	var ids []string
	for rec, err := range s.Owned(ctxT(t), owner) {
		if err != nil {
			t.Fatalf("Owned(%q): %v", owner, err)
		}
		if rec.Owner != owner {
			t.Fatalf("Owned(%q) yielded a record of %q", owner, rec.Owner)
		}
		ids = append(ids, rec.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestOwners(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	created := time.Date(2025, 1, 2, 3, 4, 5, 678000000, time.UTC)
	for _, r := range []backend.Record{
		{ID: "a1", Owner: "alice", Created: created},
		{ID: "a2", Owner: "alice"},
		{ID: "b1", Owner: "bob"},
		{ID: "anon"},
	} {
		r.Data, r.Expires = session(exp, ""), exp
		if _, err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	mustCreate(t, s, "a-dead", time.Now().Add(-time.Hour), "")
	if _, err := admin(t).Exec(ctx, "UPDATE "+s.names.table+" SET owner = 'alice' WHERE sid = 'a-dead'"); err != nil {
		t.Fatal(err)
	}
	if got := ownedIDs(t, s, "alice"); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Fatalf("Owned(alice) = %q", got)
	}
	if got := ownedIDs(t, s, ""); len(got) != 0 {
		t.Fatalf("Owned(\"\") = %q, want none: no owner is not an owner", got)
	}
	a1 := mustGet(t, s, "a1")
	if a1.Owner != "alice" || !a1.Created.Equal(created) {
		t.Fatalf("Get: owner %q created %v", a1.Owner, a1.Created)
	}
	if c := mustGet(t, s, "a2").Created; time.Since(c) > time.Minute {
		t.Fatalf("Create with zero Created stored %v, want now", c)
	}

	// Update moves a session to another owner, keeping Created when zero.
	a1.Owner, a1.Created = "bob", time.Time{}
	if _, err := s.Update(ctx, a1); err != nil {
		t.Fatal(err)
	}
	if got := ownedIDs(t, s, "bob"); !slices.Equal(got, []string{"a1", "b1"}) {
		t.Fatalf("Owned(bob) after the move = %q", got)
	}
	if got := mustGet(t, s, "a1"); !got.Created.Equal(created) {
		t.Fatalf("Update with zero Created changed it to %v", got.Created)
	}

	// The owner index serves Owned.
	var plan string
	if err := admin(t).QueryRow(ctx, "EXPLAIN (COSTS OFF) SELECT sid FROM "+s.names.table+" WHERE owner = 'bob'").Scan(&plan); err != nil {
		t.Fatal(err)
	}
	t.Logf("plan: %s", plan)
}

// On connect-pg-simple's own table, without Options.Owners, Owned declines
// and Owner is not stored; the rest works.
func TestOwnersUnsupported(t *testing.T) {
	s := newStore(t, expressTable(t))
	exp := time.Now().Add(time.Hour)
	if _, err := s.Create(ctxT(t), backend.Record{ID: "x", Data: session(exp, ""), Expires: exp, Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	if rec := mustGet(t, s, "x"); rec.Owner != "" || !rec.Created.IsZero() {
		t.Fatalf("owner %q created %v read from a table without the columns", rec.Owner, rec.Created)
	}
	n := 0
	for _, err := range s.Owned(ctxT(t), "alice") {
		n++
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("Owned without the columns = %v, want ErrUnsupported", err)
		}
	}
	if n != 1 {
		t.Fatalf("Owned yielded %d times, want one error", n)
	}
	if got := columns(t, s.names.table); got != "sid character varying not null, sess json not null, expire timestamp(6) without time zone not null" {
		t.Fatalf("the Store changed connect-pg-simple's table without Options.Owners: %s", got)
	}
}

// Options.Owners adds the columns and index to connect-pg-simple's table,
// once, even with several processes starting at once, and keeps its rows.
func TestOwnersOptionExtendsTable(t *testing.T) {
	opts := expressTable(t)
	opts.Owners = true
	q := newNames(opts.Schema, opts.Table).table
	e := express{t: t, pool: admin(t), table: q}
	e.set("old", []byte(`{"cookie":{}}`), nowEpoch(time.Now())+3600)

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			s := newStore(t, opts)
			exp := time.Now().Add(time.Hour)
			id := string(rune('a' + i))
			if _, err := s.Create(ctxT(t), backend.Record{ID: id, Data: session(exp, ""), Expires: exp, Owner: "alice"}); err != nil {
				t.Errorf("store %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	s := newStore(t, opts)
	if got := ownedIDs(t, s, "alice"); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("Owned(alice) = %q", got)
	}
	if got := mustGet(t, s, "old"); string(got.Data) != `{"cookie":{}}` || got.Owner != "" {
		t.Fatalf("connect-pg-simple's row after the change: %+v", got)
	}
	want := []string{opts.Schema + `."IDX_session_expire"`, opts.Schema + `."IDX_session_owner"`, opts.Schema + ".session_pkey"}
	if got := indexes(t, q); !slices.Equal(got, want) {
		t.Fatalf("indexes %q, want %q", got, want)
	}
}
