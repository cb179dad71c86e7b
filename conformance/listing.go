package conformance

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/seshgo/sesh/backend"
)

// The properties of Lister, Counter and Clearer.

func checkListerLiveOnly(ctx context.Context, t *reporter, b backend.Backend) {
	exp := inAnHour()
	live := map[string][]byte{}
	for _, id := range []string{"l1", "l.2", "$l3", "l 4", "l*"} {
		live[id] = session(fmt.Sprintf(`,"id":%q`, id))
		_, err := create(ctx, b, rec(id, live[id], exp))
		t.Require(err)
	}
	_, err := create(ctx, b, rec("expired", session(``), expired()))
	t.Require(err)
	_, err = create(ctx, b, rec("destroyed", session(``), exp))
	t.Require(err)
	t.Require(destroy(ctx, b, "destroyed"))

	l := b.(backend.Lister)
	got, errs := collect("All", l.All(ctx))
	t.Expect(errs...)
	t.Expect(sameRecords("All", got, live, exp)...)
	for range l.All(ctx) {
		break // the caller may stop early
	}
}

func checkCounterCounts(ctx context.Context, t *reporter, b backend.Backend) {
	c := b.(backend.Counter)
	t.Expect(count(ctx, c, 0, "of an empty backend"))
	var tok backend.Token
	for _, id := range []string{"c1", "c2", "c3"} {
		var err error
		tok, err = create(ctx, b, rec(id, session(``), inAnHour()))
		t.Require(err)
	}
	t.Expect(count(ctx, c, 3, "after 3 Creates"))
	_, err := update(ctx, b, backend.Record{ID: "c3", Data: session(`,"v":2`), Expires: inAnHour(), Token: tok}, "of a record just created")
	t.Require(err)
	t.Expect(count(ctx, c, 3, "after an Update"))
	t.Require(destroy(ctx, b, "c1"))
	t.Expect(count(ctx, c, 2, "after destroying 1 of 3"))
}

func checkClearerClears(ctx context.Context, t *reporter, b backend.Backend) {
	for _, id := range []string{"x", "x.y"} {
		_, err := create(ctx, b, rec(id, session(``), inAnHour()))
		t.Require(err)
	}
	c := b.(backend.Clearer)
	if err := c.Clear(ctx); err != nil {
		t.Fatalf("Clear: %w", err)
	}
	for _, id := range []string{"x", "x.y"} {
		t.Expect(absent(ctx, b, id, "after Clear"))
	}
	if err := c.Clear(ctx); err != nil {
		t.Errorf("Clear of an empty backend: %w", err)
	}
	t.Expect(roundTrip(ctx, b, "x", session(`,"after":"Clear"`)))
}

func checkListingsAgree(ctx context.Context, t *reporter, b backend.Backend) {
	exp := inAnHour()
	want := map[string][]byte{}
	toks := map[string]backend.Token{}
	for _, id := range []string{"a", "a.b", "$c", "d e", "ü"} {
		want[id] = session(fmt.Sprintf(`,"id":%q`, id))
		tok, err := create(ctx, b, rec(id, want[id], exp))
		t.Require(err)
		toks[id] = tok
	}
	for _, id := range []string{"a", "a.b"} {
		want[id] = session(fmt.Sprintf(`,"id":%q,"v":2`, id))
		_, err := update(ctx, b, backend.Record{ID: id, Data: want[id], Expires: exp, Token: toks[id]}, "of a record just created")
		t.Require(err)
	}
	t.Require(touch(ctx, b, "d e", exp, now(), toks["d e"], "of a record just created"))
	t.Require(destroy(ctx, b, "$c"))
	delete(want, "$c")

	const after = "after Creates, Updates, a Touch and a Destroy"
	for id, data := range want {
		t.Expect(holds(ctx, b, id, data, exp, after))
	}
	t.Expect(absent(ctx, b, "$c", after))
	if c, ok := b.(backend.Counter); ok {
		t.Expect(count(ctx, c, len(want), after+", which Get sees"))
	}
	if l, ok := b.(backend.Lister); ok {
		got, errs := collect("All", l.All(ctx))
		t.Expect(errs...)
		t.Expect(sameRecords("All "+after, got, want, exp)...)
	}
}

// count returns an error unless Len returns want.
func count(ctx context.Context, c backend.Counter, want int, when string) error {
	n, err := c.Len(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("Len %s: %w", when, err)
	case n != want:
		return fmt.Errorf("Len %s = %d, want %d", when, n, want)
	}
	return nil
}

// collect gathers the records seq yields by id, and an error for each
// error it yields and each id it yields twice.
func collect(what string, seq iter.Seq2[backend.Record, error]) (map[string]backend.Record, []error) {
	got := map[string]backend.Record{}
	var errs []error
	for r, err := range seq {
		switch _, dup := got[r.ID]; {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		case dup:
			errs = append(errs, fmt.Errorf("%s yielded %q twice", what, r.ID))
		default:
			got[r.ID] = r
		}
	}
	return got, errs
}

// sameRecords compares the records a listing yielded with the data of the
// live ones, which all expire at exp.
func sameRecords(what string, got map[string]backend.Record, want map[string][]byte, exp time.Time) []error {
	var errs []error
	for id := range want {
		if _, ok := got[id]; !ok {
			errs = append(errs, fmt.Errorf("%s did not yield %q, which is live", what, id))
		}
	}
	for id, r := range got {
		data, ok := want[id]
		if !ok {
			errs = append(errs, fmt.Errorf("%s yielded %q, which is expired, destroyed or never stored", what, id))
			continue
		}
		what := fmt.Sprintf("%s, for %q,", what, id)
		errs = append(errs, sameData(what, r.Data, data), sameExpiry(what, r.Expires, exp))
	}
	return errs
}
