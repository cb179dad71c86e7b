package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/seshgo/sesh/backend"
)

// precision is how far a stored time may move: MongoDB keeps milliseconds.
const precision = time.Millisecond

func sameTime(got, want time.Time) bool {
	d := got.Sub(want)
	return d > -2*precision && d < 2*precision
}

func payload(body string) []byte {
	return []byte(`{"cookie":{"originalMaxAge":3600000,"expires":"2030-01-01T00:00:00.000Z","httpOnly":true,"path":"/"}` + body + `}`)
}

func record(id string, data []byte, expires time.Time) backend.Record {
	return backend.Record{ID: id, Data: data, Expires: expires}
}

func soon() time.Time { return time.Now().Add(time.Hour).Truncate(time.Millisecond) }

// mustGet returns the record stored under id, failing if there is none.
func mustGet(ctx context.Context, b backend.Backend, id string) (backend.Record, error) {
	rec, found, err := b.Get(ctx, id)
	if err != nil {
		return rec, fmt.Errorf("Get(%q): %w", id, err)
	}
	if !found {
		return rec, fmt.Errorf("Get(%q) found nothing after Set", id)
	}
	if rec.ID != id {
		return rec, fmt.Errorf("Get(%q) returned a record with ID %q", id, rec.ID)
	}
	return rec, nil
}

func mustMiss(ctx context.Context, b backend.Backend, id, why string) error {
	rec, found, err := b.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("Get(%q) %s: error %v, want found=false and no error", id, why, err)
	}
	if found {
		return fmt.Errorf("Get(%q) %s: found a record (expires %v), want none", id, why, rec.Expires)
	}
	return nil
}

func checkGetMissing(ctx context.Context, b backend.Backend) error {
	return mustMiss(ctx, b, "no-such-session", "for an id never stored")
}

// roundTrip stores data under id and checks Get returns it unchanged.
func roundTrip(ctx context.Context, b backend.Backend, id string, data []byte) error {
	exp := soon()
	if err := b.Set(ctx, record(id, data, exp)); err != nil {
		return fmt.Errorf("Set(%q, %d bytes): %w", id, len(data), err)
	}
	rec, err := mustGet(ctx, b, id)
	if err != nil {
		return err
	}
	if !bytes.Equal(rec.Data, data) {
		return fmt.Errorf("Get(%q) returned different data: %d bytes %.60q…, want %d bytes %.60q…", id, len(rec.Data), rec.Data, len(data), data)
	}
	if !sameTime(rec.Expires, exp) {
		return fmt.Errorf("Get(%q) returned Expires %v, want %v", id, rec.Expires, exp)
	}
	return nil
}

func checkRoundTrip(ctx context.Context, b backend.Backend) error {
	data := payload(`,"user":{"name":"ada","roles":["admin","dev"],"age":36,"ok":true,"none":null,"nested":{"deep":[1,[2,{"x":3.5}]]}},"views":7`)
	return roundTrip(ctx, b, "round-trip", data)
}

func checkUnicode(ctx context.Context, b backend.Backend) error {
	data := payload(`,"greeting":"héllo wörld — 你好 — 😀","escaped":"\u0000\n\t\"\\","ключ":"значение"`)
	return roundTrip(ctx, b, "unicode", data)
}

func checkLarge(ctx context.Context, b backend.Backend) error {
	blob := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	return roundTrip(ctx, b, "large", payload(`,"blob":"`+blob+`"`))
}

// ids are stored verbatim, however they look.
var ids = []string{
	"a.b", "a", "$where", "$", "a$b", "x/y/../z", "/", "ünïcødé-😀", "with space",
	"{\"$gt\":\"\"}", strings.Repeat("L", 200), "Hk6R-6sCDIHu9JuoOR0hh1DjIh5Zx2wF",
}

func checkIDs(ctx context.Context, b backend.Backend) error {
	for i, id := range ids {
		data := payload(fmt.Sprintf(`,"n":%d`, i))
		if err := b.Set(ctx, record(id, data, soon())); err != nil {
			return fmt.Errorf("Set(%q): %w", id, err)
		}
	}
	for i, id := range ids {
		rec, err := mustGet(ctx, b, id)
		if err != nil {
			return err
		}
		if want := payload(fmt.Sprintf(`,"n":%d`, i)); !bytes.Equal(rec.Data, want) {
			return fmt.Errorf("Get(%q) returned the data of another id: %s", id, rec.Data)
		}
	}
	return mustMiss(ctx, b, "a.", "when only \"a.b\" and \"a\" are stored")
}

func checkOverwrite(ctx context.Context, b backend.Backend) error {
	if err := b.Set(ctx, record("ow", payload(`,"v":1`), soon())); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	return roundTrip(ctx, b, "ow", payload(`,"v":2`))
}

func checkExpired(ctx context.Context, b backend.Backend) error {
	if err := b.Set(ctx, record("old", payload(``), time.Now().Add(-time.Second))); err != nil {
		return fmt.Errorf("Set with Expires in the past: %w", err)
	}
	return mustMiss(ctx, b, "old", "for a record that expired a second ago")
}

func checkExpiryLater(ctx context.Context, b backend.Backend) error {
	exp := time.Now().Add(700 * time.Millisecond)
	if err := b.Set(ctx, record("short", payload(``), exp)); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	if _, err := mustGet(ctx, b, "short"); err != nil {
		return fmt.Errorf("before expiry: %w", err)
	}
	time.Sleep(time.Until(exp) + 50*time.Millisecond)
	return mustMiss(ctx, b, "short", "after its Expires passed")
}

func checkDefaultLifetime(ctx context.Context, b backend.Backend) error {
	if err := b.Set(ctx, record("browser", payload(``), time.Time{})); err != nil {
		return fmt.Errorf("Set with zero Expires: %w", err)
	}
	rec, err := mustGet(ctx, b, "browser")
	if err != nil {
		return err
	}
	if rec.Expires.IsZero() || rec.Expires.Before(time.Now().Add(time.Minute)) {
		return fmt.Errorf("a record stored with zero Expires came back with Expires %v; want the backend's lifetime applied (in the future)", rec.Expires)
	}
	return nil
}

func checkModified(ctx context.Context, b backend.Backend) error {
	mod := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	rec := record("mod", payload(``), soon())
	rec.Modified = mod
	if err := b.Set(ctx, rec); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	got, err := mustGet(ctx, b, "mod")
	if err != nil {
		return err
	}
	if !sameTime(got.Modified, mod) {
		return fmt.Errorf("Get returned Modified %v, want %v as stored", got.Modified, mod)
	}
	return nil
}

func checkTouch(ctx context.Context, b backend.Backend) error {
	data := payload(`,"k":"v"`)
	if err := b.Set(ctx, record("t", data, soon())); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	later := time.Now().Add(2 * time.Hour).Truncate(time.Millisecond)
	mod := time.Now().Truncate(time.Millisecond)
	if err := b.Touch(ctx, backend.Record{ID: "t", Expires: later, Modified: mod}); err != nil {
		return fmt.Errorf("Touch: %w", err)
	}
	rec, err := mustGet(ctx, b, "t")
	if err != nil {
		return err
	}
	if !sameTime(rec.Expires, later) {
		return fmt.Errorf("after Touch to %v, Get returned Expires %v", later, rec.Expires)
	}
	if !sameTime(rec.Modified, mod) {
		return fmt.Errorf("after Touch with Modified %v, Get returned Modified %v", mod, rec.Modified)
	}
	if !bytes.Equal(rec.Data, data) {
		return fmt.Errorf("Touch changed the data: %s", rec.Data)
	}
	return nil
}

func checkTouchKeepsData(ctx context.Context, b backend.Backend) error {
	data := payload(`,"k":"kept"`)
	if err := b.Set(ctx, record("tk", data, soon())); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	if err := b.Touch(ctx, record("tk", payload(`,"k":"overwritten"`), soon())); err != nil {
		return fmt.Errorf("Touch: %w", err)
	}
	rec, err := mustGet(ctx, b, "tk")
	if err != nil {
		return err
	}
	if !bytes.Equal(rec.Data, data) {
		return fmt.Errorf("Touch wrote the Data of its argument: got %s, want %s", rec.Data, data)
	}
	return nil
}

func checkTouchMissing(ctx context.Context, b backend.Backend) error {
	err := b.Touch(ctx, record("ghost", payload(``), soon()))
	if !errors.Is(err, backend.ErrNotFound) {
		return fmt.Errorf("Touch of a missing record returned %v, want an error matching backend.ErrNotFound", err)
	}
	return mustMiss(ctx, b, "ghost", "after Touch of a missing record (Touch must not create)")
}

func checkDestroy(ctx context.Context, b backend.Backend) error {
	if err := b.Destroy(ctx, "never-stored"); err != nil {
		return fmt.Errorf("Destroy of a missing record: %v, want nil", err)
	}
	if err := b.Set(ctx, record("d", payload(``), soon())); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	if err := b.Destroy(ctx, "d"); err != nil {
		return fmt.Errorf("Destroy: %w", err)
	}
	if err := mustMiss(ctx, b, "d", "after Destroy"); err != nil {
		return err
	}
	if err := b.Destroy(ctx, "d"); err != nil {
		return fmt.Errorf("second Destroy: %v, want nil", err)
	}
	return nil
}

func checkAliasing(ctx context.Context, b backend.Backend) error {
	data := payload(`,"k":"original"`)
	in := bytes.Clone(data)
	if err := b.Set(ctx, record("alias", in, soon())); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	for i := range in {
		in[i] = 'X'
	}
	rec, err := mustGet(ctx, b, "alias")
	if err != nil {
		return err
	}
	if !bytes.Equal(rec.Data, data) {
		return fmt.Errorf("changing the slice passed to Set changed the stored data")
	}
	for i := range rec.Data {
		rec.Data[i] = 'Y'
	}
	again, err := mustGet(ctx, b, "alias")
	if err != nil {
		return err
	}
	if !bytes.Equal(again.Data, data) {
		return fmt.Errorf("changing the slice Get returned changed the stored data")
	}
	return nil
}

func checkConcurrent(ctx context.Context, b backend.Backend) error {
	const workers, rounds = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := fmt.Sprintf("own-%d", w)
			shared := fmt.Sprintf("shared-%d", w%4)
			for i := range rounds {
				data := payload(fmt.Sprintf(`,"w":%d,"i":%d`, w, i))
				steps := []func() error{
					func() error { return b.Set(ctx, record(own, data, soon())) },
					func() error { return b.Set(ctx, record(shared, data, soon())) },
					func() error { _, _, err := b.Get(ctx, shared); return err },
					func() error {
						err := b.Touch(ctx, record(shared, nil, soon()))
						if errors.Is(err, backend.ErrNotFound) {
							return nil
						}
						return err
					},
					func() error {
						if i%5 == 4 {
							return b.Destroy(ctx, shared)
						}
						return nil
					},
				}
				for _, step := range steps {
					if err := step(); err != nil {
						errs <- fmt.Errorf("worker %d round %d: %w", w, i, err)
						return
					}
				}
			}
			rec, err := mustGet(ctx, b, own)
			if err != nil {
				errs <- err
				return
			}
			if want := payload(fmt.Sprintf(`,"w":%d,"i":%d`, w, rounds-1)); !bytes.Equal(rec.Data, want) {
				errs <- fmt.Errorf("worker %d: its own record holds %s, want its last write %s", w, rec.Data, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// eachCall calls every method of b with ctx and returns what each returned.
func eachCall(ctx context.Context, b backend.Backend) map[string]error {
	_, _, getErr := b.Get(ctx, "ctx")
	return map[string]error{
		"Get":     getErr,
		"Set":     b.Set(ctx, record("ctx", payload(``), soon())),
		"Touch":   b.Touch(ctx, record("ctx", nil, soon())),
		"Destroy": b.Destroy(ctx, "ctx"),
	}
}

func checkCancelled(ctx context.Context, b backend.Backend) error {
	if err := b.Set(ctx, record("ctx", payload(``), soon())); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var errs []error
	for method, err := range eachCall(cancelled, b) {
		if !errors.Is(err, context.Canceled) {
			errs = append(errs, fmt.Errorf("%s with a cancelled context returned %v, want an error matching context.Canceled", method, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if _, err := mustGet(ctx, b, "ctx"); err != nil {
		return fmt.Errorf("a Destroy with a cancelled context removed the record: %w", err)
	}
	return nil
}

func checkDeadline(ctx context.Context, b backend.Backend) error {
	expired, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	var errs []error
	for method, err := range eachCall(expired, b) {
		if !errors.Is(err, context.DeadlineExceeded) {
			errs = append(errs, fmt.Errorf("%s with an expired deadline returned %v, want an error matching context.DeadlineExceeded", method, err))
		}
	}
	return errors.Join(errs...)
}

func checkLister(ctx context.Context, b backend.Backend) error {
	l := b.(backend.Lister)
	live := map[string]bool{"l1": true, "l.2": true, "$l3": true}
	for id := range live {
		if err := b.Set(ctx, record(id, payload(`,"id":"`+id+`"`), soon())); err != nil {
			return fmt.Errorf("Set: %w", err)
		}
	}
	if err := b.Set(ctx, record("dead", payload(``), time.Now().Add(-time.Second))); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	seen := map[string]bool{}
	for rec, err := range l.All(ctx) {
		if err != nil {
			return fmt.Errorf("All: %w", err)
		}
		if !live[rec.ID] {
			return fmt.Errorf("All yielded %q, which is expired or was never stored", rec.ID)
		}
		if want := payload(`,"id":"` + rec.ID + `"`); !bytes.Equal(rec.Data, want) {
			return fmt.Errorf("All yielded %q with data %s, want %s", rec.ID, rec.Data, want)
		}
		seen[rec.ID] = true
	}
	if len(seen) != len(live) {
		return fmt.Errorf("All yielded %d live records, want %d", len(seen), len(live))
	}
	for range l.All(ctx) {
		break // stopping early must be allowed
	}
	return nil
}

func checkCounter(ctx context.Context, b backend.Backend) error {
	c := b.(backend.Counter)
	for i := range 3 {
		if err := b.Set(ctx, record(fmt.Sprintf("c%d", i), payload(``), soon())); err != nil {
			return fmt.Errorf("Set: %w", err)
		}
	}
	n, err := c.Len(ctx)
	if err != nil {
		return fmt.Errorf("Len: %w", err)
	}
	if n != 3 {
		return fmt.Errorf("Len = %d after storing 3 records, want 3", n)
	}
	if err := b.Destroy(ctx, "c1"); err != nil {
		return fmt.Errorf("Destroy: %w", err)
	}
	if n, err = c.Len(ctx); err != nil || n != 2 {
		return fmt.Errorf("Len = %d, %v after destroying one of 3, want 2", n, err)
	}
	return nil
}

func checkClearer(ctx context.Context, b backend.Backend) error {
	for _, id := range []string{"x", "y"} {
		if err := b.Set(ctx, record(id, payload(``), soon())); err != nil {
			return fmt.Errorf("Set: %w", err)
		}
	}
	if err := b.(backend.Clearer).Clear(ctx); err != nil {
		return fmt.Errorf("Clear: %w", err)
	}
	for _, id := range []string{"x", "y"} {
		if err := mustMiss(ctx, b, id, "after Clear"); err != nil {
			return err
		}
	}
	if err := b.(backend.Clearer).Clear(ctx); err != nil {
		return fmt.Errorf("Clear of an empty backend: %w", err)
	}
	return roundTrip(ctx, b, "after-clear", payload(``))
}

func checkSetIf(ctx context.Context, b backend.Backend) error {
	c := b.(backend.ConditionalSetter)
	conflict := func(err error, what string) error {
		if !errors.Is(err, backend.ErrConflict) {
			return fmt.Errorf("%s returned %v, want an error matching backend.ErrConflict", what, err)
		}
		return nil
	}
	v1, v2 := payload(`,"v":1`), payload(`,"v":2`)
	if err := c.SetIf(ctx, record("cas", v1, soon()), 0, true); err != nil {
		return fmt.Errorf("SetIf(created) of a new id: %w", err)
	}
	rec, err := mustGet(ctx, b, "cas")
	if err != nil {
		return err
	}
	if rec.Version != 1 {
		return fmt.Errorf("after SetIf(created), Version = %d, want 1", rec.Version)
	}
	if err := conflict(c.SetIf(ctx, record("cas", v2, soon()), 0, true), "SetIf(created) of an existing id"); err != nil {
		return err
	}
	if err := c.SetIf(ctx, record("cas", v2, soon()), 1, false); err != nil {
		return fmt.Errorf("SetIf(want=1) at version 1: %w", err)
	}
	if err := conflict(c.SetIf(ctx, record("cas", v1, soon()), 1, false), "SetIf(want=1) at version 2"); err != nil {
		return err
	}
	if rec, err = mustGet(ctx, b, "cas"); err != nil {
		return err
	}
	if rec.Version != 2 || !bytes.Equal(rec.Data, v2) {
		return fmt.Errorf("after a conflicting SetIf the record is at version %d with %s, want version 2 with %s", rec.Version, rec.Data, v2)
	}
	// A record written without a version is at version 0.
	if err := b.Set(ctx, record("plain", v1, soon())); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	if err := c.SetIf(ctx, record("plain", v2, soon()), 0, false); err != nil {
		return fmt.Errorf("SetIf(want=0) of a record stored by Set: %w", err)
	}
	// A destroyed record is never recreated by a conditional write.
	if err := b.Destroy(ctx, "cas"); err != nil {
		return fmt.Errorf("Destroy: %w", err)
	}
	if err := conflict(c.SetIf(ctx, record("cas", v1, soon()), 2, false), "SetIf of a destroyed record"); err != nil {
		return err
	}
	return mustMiss(ctx, b, "cas", "after a SetIf of a destroyed record")
}

func checkSetIfRace(ctx context.Context, b backend.Backend) error {
	c := b.(backend.ConditionalSetter)
	if err := c.SetIf(ctx, record("race", payload(``), soon()), 0, true); err != nil {
		return fmt.Errorf("SetIf(created): %w", err)
	}
	const racers = 12
	var wg sync.WaitGroup
	results := make(chan error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- c.SetIf(ctx, record("race", payload(fmt.Sprintf(`,"winner":%d`, i)), soon()), 1, false)
		}()
	}
	wg.Wait()
	close(results)
	wins := 0
	for err := range results {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, backend.ErrConflict):
			return fmt.Errorf("racing SetIf: %w", err)
		}
	}
	if wins != 1 {
		return fmt.Errorf("%d of %d racing SetIf(want=1) calls succeeded, want exactly 1", wins, racers)
	}
	return nil
}

func checkClose(ctx context.Context, b backend.Backend) error {
	if err := b.Set(ctx, record("c", payload(``), soon())); err != nil {
		return fmt.Errorf("Set: %w", err)
	}
	c := b.(io.Closer)
	if err := c.Close(); err != nil {
		return fmt.Errorf("Close: %w", err)
	}
	if err := c.Close(); err != nil {
		return fmt.Errorf("second Close: %v, want nil (Close must be idempotent)", err)
	}
	if _, _, err := b.Get(ctx, "c"); !errors.Is(err, backend.ErrClosed) {
		return fmt.Errorf("Get after Close returned %v, want an error matching backend.ErrClosed", err)
	}
	return nil
}
