package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/seshgo/sesh/backend"
)

// The properties of expiry.

func checkExpiredInvisible(ctx context.Context, t *reporter, b backend.Backend) {
	_, err := create(ctx, b, rec("expired", session(``), expired()))
	t.Require(err)
	t.Expect(absent(ctx, b, "expired", "of a record whose Expires passed 10 s ago"))
}

func checkExpiryHonouredOnRead(ctx context.Context, t *reporter, b backend.Backend) {
	for i, life := range lifetimes {
		id := fmt.Sprintf("short-%d", i)
		exp := now().Add(life)
		_, err := create(ctx, b, rec(id, session(``), exp))
		t.Require(err)
		_, found, err := b.Get(ctx, id)
		if err != nil {
			t.Fatalf("Get(%q): %w", id, err)
		}
		if !found {
			if time.Now().Before(exp) {
				t.Fatalf("Get(%q) found nothing before its Expires, %v after it was created", id, life)
			}
			continue // too slow to see it live: try a longer lifetime
		}
		t.Require(sleepUntil(ctx, exp.Add(afterExpiry)))
		t.Expect(absent(ctx, b, id, "after its Expires passed"))
		return
	}
	t.Errorf("could not Create and Get a record before it expired, even %v after Create: is the machine this loaded?", lifetimes[len(lifetimes)-1])
}

func checkDefaultLifetime(ctx context.Context, t *reporter, b backend.Backend) {
	// Each write with a zero expiry must give a lifetime longer than this
	// (the lifetimes of the Express stores are a day or more), replacing
	// the record's shorter one where there was one.
	const atLeast = time.Minute
	short := func() time.Time { return now().Add(10 * time.Second) }
	lifetime := func(id, after string) error {
		got, err := get(ctx, b, id)
		if err != nil {
			return err
		}
		if got.Expires.Before(time.Now().Add(atLeast)) {
			return fmt.Errorf("after %s with a zero expiry, Get(%q) returned Expires %v; want the backend's lifetime applied (more than %v from now)", after, id, got.Expires, atLeast)
		}
		return nil
	}

	_, err := create(ctx, b, rec("created", session(``), time.Time{}))
	t.Require(err)
	t.Expect(lifetime("created", "Create"))

	tok, err := create(ctx, b, rec("updated", session(``), short()))
	t.Require(err)
	_, err = update(ctx, b, backend.Record{ID: "updated", Data: session(`,"v":2`), Token: tok}, "with a zero expiry")
	t.Require(err)
	t.Expect(lifetime("updated", "Update"))

	tok, err = create(ctx, b, rec("touched", session(``), short()))
	t.Require(err)
	t.Require(touch(ctx, b, "touched", time.Time{}, time.Time{}, tok, "with a zero expiry"))
	t.Expect(lifetime("touched", "Touch"))
}

// touch calls Touch, saying which id failed and why the property expected
// it to work.
func touch(ctx context.Context, b backend.Backend, id string, expires, modified time.Time, tok backend.Token, why string) error {
	if err := b.Touch(ctx, id, expires, modified, tok); err != nil {
		return fmt.Errorf("Touch(%q) %s: %w", id, why, err)
	}
	return nil
}
