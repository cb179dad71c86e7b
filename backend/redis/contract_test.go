package redis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
)

// The contract of package backend, checked on a shared server and on a
// cluster, with the owner index off and on. (The conformance suite checks
// it too; these properties also look at what Redis holds.)

func TestContractShared(t *testing.T) {
	for _, owners := range []bool{false, true} {
		t.Run(fmt.Sprintf("owners=%v", owners), func(t *testing.T) {
			testContract(t, sharedOpener, redis.Options{Owners: owners})
		})
	}
}

func testContract(t *testing.T, open opener, opts redis.Options) {
	for _, p := range []struct {
		name string
		run  func(t *testing.T, s *redis.Store, raw goredis.UniversalClient, prefix string)
	}{
		{"RoundTrip", checkRoundTrip},
		{"CreateExisting", checkCreateExisting},
		{"UpdateMissing", checkUpdateMissing},
		{"Touch", checkTouch},
		{"Expiry", checkExpiry},
		{"Conditional", checkConditional},
		{"ConditionalRace", checkConditionalRace},
		{"NoAliasing", checkNoAliasing},
		{"Listing", checkListing},
		{"Context", checkContext},
		{"Close", checkClose},
	} {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s, raw, prefix := open(t, opts)
			p.run(t, s, raw, prefix)
		})
	}
}

func soon() time.Time { return time.Now().Add(time.Hour).Truncate(time.Millisecond) }

func session(body string) []byte {
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
		data := append(session(fmt.Sprintf(`,"i":%d`, i)), 0, 0xff, '\n')
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

func checkCreateExisting(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	if _, err := s.Create(ctx, backend.Record{ID: "x", Data: session(`,"v":1`), Expires: soon()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, backend.Record{ID: "x", Data: session(`,"v":2`), Expires: soon()}); !errors.Is(err, backend.ErrExists) {
		t.Fatalf("second Create = %v, want ErrExists", err)
	}
	if got := mustGet(t, s, "x"); !bytes.Equal(got.Data, session(`,"v":1`)) {
		t.Errorf("a refused Create changed the record to %s", got.Data)
	}
	// An expired record is replaced.
	if _, err := s.Create(ctx, backend.Record{ID: "y", Data: session(``), Expires: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, backend.Record{ID: "y", Data: session(`,"v":2`), Expires: soon()}); err != nil {
		t.Fatalf("Create over an expired record: %v", err)
	}
}

func checkUpdateMissing(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	if _, err := s.Update(ctx, backend.Record{ID: "nope", Data: session(``), Expires: soon()}); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Update of a missing record = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, "nope", "after a refused Update")
	tok, err := s.Create(ctx, backend.Record{ID: "d", Data: session(``), Expires: soon()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, "d"); err != nil {
		t.Errorf("second Destroy: %v", err)
	}
	if _, err := s.Update(ctx, backend.Record{ID: "d", Data: session(`,"back":1`), Expires: soon(), Token: tok}); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Update after Destroy = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, "d", "after Destroy and Update: a signed-out session was written back")
}

func checkTouch(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	if err := s.Touch(ctx, "nope", soon(), time.Time{}, backend.Token{}); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Touch of a missing record = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, "nope", "after Touch")
	tok, err := s.Create(ctx, backend.Record{ID: "t", Data: session(``), Expires: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Hour)
	if err := s.Touch(ctx, "t", later, time.Now(), tok); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, "t")
	if d := got.Expires.Sub(later); d < -2*time.Millisecond || d > time.Second+2*time.Millisecond {
		t.Errorf("Expires after Touch = %v, want %v", got.Expires, later)
	}
	if !bytes.Equal(got.Data, session(``)) {
		t.Errorf("Touch changed the data to %s", got.Data)
	}
	// A zero expiry gives the default lifetime, 86400 s.
	if err := s.Touch(ctx, "t", time.Time{}, time.Time{}, tok); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "t"); time.Until(got.Expires) < 86399*time.Second {
		t.Errorf("Expires after Touch with a zero expiry = %v, want a day away", got.Expires)
	}
}

func checkExpiry(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	if _, err := s.Create(ctx, backend.Record{ID: "gone", Data: session(``), Expires: time.Now().Add(-10 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	mustMiss(t, s, "gone", "of a record that expired 10 s ago")
	exp := time.Now().Add(time.Second)
	if _, err := s.Create(ctx, backend.Record{ID: "short", Data: session(``), Expires: exp}); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "short")
	// Whole seconds, rounded up: gone within a second after its Expires.
	time.Sleep(time.Until(exp) + time.Second + 50*time.Millisecond)
	mustMiss(t, s, "short", "a second after its Expires")
	if _, err := s.Create(ctx, backend.Record{ID: "browser", Data: session(``)}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "browser"); time.Until(got.Expires) < 86399*time.Second {
		t.Errorf("a zero Expires gave %v, want connect-redis's 86400 s", got.Expires)
	}
}

func checkConditional(t *testing.T, s *redis.Store, raw goredis.UniversalClient, prefix string) {
	tok, err := s.Create(ctx, backend.Record{ID: "c", Data: session(`,"v":1`), Expires: soon(), Owner: "o"})
	if err != nil {
		t.Fatal(err)
	}
	read := mustGet(t, s, "c")
	tok2, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: session(`,"v":2`), Expires: soon(), Token: read.Token, Owner: "o"})
	if err != nil {
		t.Fatalf("UpdateIf with the Token of Get: %v", err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: session(`,"v":3`), Expires: soon(), Token: tok, Owner: "o"}); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("UpdateIf with a stale Token = %v, want ErrConflict", err)
	}
	tok3, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: session(`,"v":3`), Expires: soon(), Token: tok2, Owner: "o"})
	if err != nil {
		t.Fatalf("UpdateIf with the Token of the last write: %v", err)
	}
	// Express writes the session, as connect-redis does: a conflict.
	if err := raw.Set(ctx, prefix+"c", session(`,"express":1`), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: session(`,"v":4`), Expires: soon(), Token: tok3, Owner: "o"}); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("UpdateIf after connect-redis wrote the session = %v, want ErrConflict", err)
	}
	if got := mustGet(t, s, "c"); !bytes.Equal(got.Data, session(`,"express":1`)) {
		t.Errorf("a refused UpdateIf stored %s", got.Data)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: session(``), Expires: soon()}); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("UpdateIf with the zero Token = %v, want ErrConflict", err)
	}
	// One record's Token does not let another be written.
	other, err := s.Create(ctx, backend.Record{ID: "other", Data: session(`,"v":1`), Expires: soon()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: session(`,"v":1`), Expires: soon(), Token: other, Owner: "o"}); !errors.Is(err, backend.ErrConflict) {
		t.Errorf("UpdateIf with another record's Token = %v, want ErrConflict", err)
	}
	if err := s.Destroy(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "c", Data: session(``), Expires: soon(), Token: tok3}); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("UpdateIf of a destroyed record = %v, want ErrNotFound", err)
	}
	mustMiss(t, s, "c", "after UpdateIf of a destroyed record")
}

// Of many UpdateIfs with the same Token, exactly one wins.
func checkConditionalRace(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	tok, err := s.Create(ctx, backend.Record{ID: "r", Data: session(``), Expires: soon()})
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		winners  []int
		failures []error
	)
	for i := range 16 {
		wg.Go(func() {
			_, err := s.UpdateIf(ctx, backend.Record{ID: "r", Data: session(fmt.Sprintf(`,"w":%d`, i)), Expires: soon(), Token: tok})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners = append(winners, i)
			case !errors.Is(err, backend.ErrConflict):
				failures = append(failures, err)
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 || len(failures) > 0 {
		t.Fatalf("winners %v, failures %v; want exactly one winner, the others ErrConflict", winners, failures)
	}
	if got := mustGet(t, s, "r"); !bytes.Equal(got.Data, session(fmt.Sprintf(`,"w":%d`, winners[0]))) {
		t.Errorf("stored %s, not the winner's write", got.Data)
	}
}

func checkNoAliasing(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	data := session(`,"v":1`)
	if _, err := s.Create(ctx, backend.Record{ID: "a", Data: data, Expires: soon()}); err != nil {
		t.Fatal(err)
	}
	data[len(data)-2] = '9'
	got := mustGet(t, s, "a")
	if !bytes.Equal(got.Data, session(`,"v":1`)) {
		t.Fatalf("changing the written slice changed the record: %s", got.Data)
	}
	got.Data[len(got.Data)-2] = '9'
	if again := mustGet(t, s, "a"); !bytes.Equal(again.Data, session(`,"v":1`)) {
		t.Errorf("changing the returned slice changed the record: %s", again.Data)
	}
}

func checkListing(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	want := []string{}
	for i := range 250 {
		id := fmt.Sprintf("s%03d", i)
		want = append(want, id)
		if _, err := s.Create(ctx, backend.Record{ID: id, Data: session(fmt.Sprintf(`,"i":%d`, i)), Expires: soon()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Create(ctx, backend.Record{ID: "expired", Data: session(``), Expires: time.Now().Add(-time.Second)}); err != nil {
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

func checkContext(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Create(cancelled, backend.Record{ID: "x", Data: session(``), Expires: soon()}); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with a cancelled context = %v, want context.Canceled", err)
	}
	mustMiss(t, s, "x", "after Create with a cancelled context")
	past, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	if _, _, err := s.Get(past, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get with a passed deadline = %v, want context.DeadlineExceeded", err)
	}
	for _, err := range s.All(cancelled) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("All with a cancelled context yielded %v, want context.Canceled", err)
		}
	}
}

func checkClose(t *testing.T, s *redis.Store, _ goredis.UniversalClient, _ string) {
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, err := s.Get(ctx, "x"); !errors.Is(err, backend.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Create(ctx, backend.Record{ID: "x", Data: session(``)}); !errors.Is(err, backend.ErrClosed) {
		t.Errorf("Create after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Len(ctx); !errors.Is(err, backend.ErrClosed) {
		t.Errorf("Len after Close = %v, want ErrClosed", err)
	}
}
