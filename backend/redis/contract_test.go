package redis_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
)

// Properties of the contract that the conformance suite checks too, in the
// forms Redis makes interesting: ids that carry hash tags or glob
// characters, a write by connect-redis between a read and a conditional
// write, listings over many SCAN pages. They run on a shared server and on
// a cluster, with the owner index off and on.

func TestStoreShared(t *testing.T) {
	for _, owners := range []bool{false, true} {
		t.Run(fmt.Sprintf("owners=%v", owners), func(t *testing.T) {
			testStore(t, sharedOpener, redis.Options{Owners: owners})
		})
	}
}

func testStore(t *testing.T, open opener, opts redis.Options) {
	for _, p := range []struct {
		name string
		run  func(t *testing.T, s *redis.Store, raw goredis.UniversalClient, prefix string)
	}{
		{"RoundTrip", checkRoundTrip},
		{"Conditional", checkConditional},
		{"Listing", checkListing},
	} {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s, raw, prefix := open(t, opts)
			p.run(t, s, raw, prefix)
		})
	}
}

func soon() time.Time { return time.Now().Add(time.Hour).Truncate(time.Millisecond) }

func sessJSON(body string) []byte {
	return []byte(`{"cookie":{"originalMaxAge":3600000,"expires":"2030-01-01T00:00:00.000Z","httpOnly":true,"path":"/"}` + body + `}`)
}

func mustGet(t *testing.T, s *redis.Store, id string) backend.Record {
	t.Helper()
	rec, found, err := s.Get(ctx, id)
	if err != nil || !found {
		t.Fatalf("Get(%q) = found %v, %v; want the record", id, found, err)
	}
	if rec.ID != id {
		t.Fatalf("Get(%q) returned ID %q", id, rec.ID)
	}
	return rec
}

func mustMiss(t *testing.T, s *redis.Store, id, why string) {
	t.Helper()
	if _, found, err := s.Get(ctx, id); err != nil || found {
		t.Errorf("Get(%q) %s = found %v, %v; want nothing", id, why, found, err)
	}
}

func checkRoundTrip(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	if _, found, err := s.Get(ctx, "never"); found || err != nil {
		t.Errorf("Get of an id never stored = %v, %v", found, err)
	}
	ids := []string{"plain", "with.dot", "$dollar", "a/b", "with space", "ünïcødé ☃", "{tag}", "}{", "a}b", "{}", "*?[]\\", ""}
	for i, id := range ids {
		data := append(sessJSON(fmt.Sprintf(`,"i":%d`, i)), 0, 0xff, '\n')
		exp := soon()
		if _, err := s.Create(ctx, backend.Record{ID: id, Data: data, Expires: exp, Owner: "o", Created: exp.Add(-time.Hour)}); err != nil {
			t.Fatalf("Create(%q): %v", id, err)
		}
		got := mustGet(t, s, id)
		if !bytes.Equal(got.Data, data) {
			t.Errorf("Get(%q).Data = %q, want %q", id, got.Data, data)
		}
		if d := got.Expires.Sub(exp); d < -2*time.Millisecond || d > time.Second+2*time.Millisecond {
			t.Errorf("Get(%q).Expires = %v, want %v rounded up to the second", id, got.Expires, exp)
		}
		if !got.Modified.IsZero() {
			t.Errorf("Get(%q).Modified = %v, want zero: connect-redis has nowhere to keep it", id, got.Modified)
		}
		if got.Token.IsZero() {
			t.Errorf("Get(%q) returned the zero Token", id)
		}
	}
}

func checkConditional(t *testing.T, s *redis.Store, raw goredis.UniversalClient, prefix string) {
	tok, err := s.Create(ctx, backend.Record{ID: "c", Data: sessJSON(`,"v":1`), Expires: soon(), Owner: "o"})
	if err != nil {
		t.Fatal(err)
	}
	read := mustGet(t, s, "c")
	tok2, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: sessJSON(`,"v":2`), Expires: soon(), Token: read.Token, Owner: "o"})
	if err != nil {
		t.Fatalf("UpdateIf with the Token of Get: %v", err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: sessJSON(`,"v":3`), Expires: soon(), Token: tok, Owner: "o"}); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("UpdateIf with a stale Token = %v, want ErrConflict", err)
	}
	tok3, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: sessJSON(`,"v":3`), Expires: soon(), Token: tok2, Owner: "o"})
	if err != nil {
		t.Fatalf("UpdateIf with the Token of the last write: %v", err)
	}
	// Express writes the session, as connect-redis does: a conflict.
	if err := raw.Set(ctx, prefix+"c", sessJSON(`,"express":1`), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: sessJSON(`,"v":4`), Expires: soon(), Token: tok3, Owner: "o"}); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("UpdateIf after connect-redis wrote the session = %v, want ErrConflict", err)
	}
	if got := mustGet(t, s, "c"); !bytes.Equal(got.Data, sessJSON(`,"express":1`)) {
		t.Errorf("a refused UpdateIf stored %s", got.Data)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: sessJSON(``), Expires: soon()}); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("UpdateIf with the zero Token = %v, want ErrConflict", err)
	}
	// One record's Token does not let another be written.
	other, err := s.Create(ctx, backend.Record{ID: "other", Data: sessJSON(`,"v":1`), Expires: soon()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: sessJSON(`,"v":1`), Expires: soon(), Token: other, Owner: "o"}); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("UpdateIf with another record's Token = %v, want ErrConflict", err)
	}
	if err := s.Destroy(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: sessJSON(``), Expires: soon(), Token: tok3}); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("UpdateIf of a destroyed record = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, "c", "after UpdateIf of a destroyed record")
}

func checkListing(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	want := []string{}
	for i := range 250 {
		id := fmt.Sprintf("s%03d", i)
		want = append(want, id)
		if _, err := s.Create(ctx, backend.Record{ID: id, Data: sessJSON(fmt.Sprintf(`,"i":%d`, i)), Expires: soon()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Create(ctx, backend.Record{ID: "expired", Data: sessJSON(``), Expires: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for rec, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(rec.Data, mustGet(t, s, rec.ID).Data) {
			t.Errorf("All and Get disagree on %q", rec.ID)
		}
		got = append(got, rec.ID)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("All yielded %d ids, want the %d live ones", len(got), len(want))
	}
	if n, err := s.Len(ctx); err != nil || n != len(want) {
		t.Errorf("Len = %d, %v; want %d", n, err, len(want))
	}
	stop := 0
	for range s.All(ctx) {
		if stop++; stop == 3 {
			break
		}
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Len(ctx); err != nil || n != 0 {
		t.Errorf("Len after Clear = %d, %v", n, err)
	}
	mustMiss(t, s, "s000", "after Clear")
}
