package conformance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seshgo/sesh/backend"
)

func checkTouchExtendsExpiry(ctx context.Context, t *reporter, b backend.Backend) {
	data := session(`,"k":"v"`)
	for i, life := range lifetimes {
		id := fmt.Sprintf("touched-%d", i)
		first := now().Add(life)
		r := rec(id, data, first)
		r.Modified = now().Add(-time.Minute)
		_, err := create(ctx, b, r)
		t.Require(err)
		before, err := get(ctx, b, id)
		if err != nil && !time.Now().Before(first) {
			continue // too slow to see it live: try a longer lifetime
		}
		t.Require(err)
		later, mod := inAnHour(), now()
		err = b.Touch(ctx, id, later, mod, before.Token)
		if errors.Is(err, backend.ErrNotFound) && !time.Now().Before(first) {
			continue
		}
		if err != nil {
			t.Fatalf("Touch(%q) of a live record: %w", id, err)
		}
		// The record must outlive its first expiry, as well as report
		// the new one: a backend may keep the expiry in two places.
		t.Require(sleepUntil(ctx, first.Add(afterExpiry)))
		got, err := get(ctx, b, id)
		if err != nil {
			t.Fatalf("Touch to an hour from now did not keep the record past its first expiry: %w", err)
		}
		t.Expect(sameExpiry("after Touch, Get", got.Expires, later),
			sameModified("after Touch", got.Modified, mod, !before.Modified.IsZero()),
			sameData("after Touch, Get", got.Data, data))
		return
	}
	t.Errorf("could not Create, Get and Touch a record before it expired, even %v after Create: is the machine this loaded?", lifetimes[len(lifetimes)-1])
}

func checkTouchKeepsData(ctx context.Context, t *reporter, b backend.Backend) {
	r := rec("kept", session(`,"k":"kept"`), inAnHour())
	r.Modified = now().Add(-time.Minute)
	r.Owner = "ada@example.com"
	r.Created = now().Add(-time.Hour)
	_, err := create(ctx, b, r)
	t.Require(err)
	before, err := get(ctx, b, "kept")
	t.Require(err)
	later := now().Add(2 * time.Hour)
	t.Require(touch(ctx, b, "kept", later, time.Time{}, before.Token, "of a live record, with a zero modification time"))
	got, err := get(ctx, b, "kept")
	t.Require(err)
	t.Expect(sameData("after Touch, Get", got.Data, r.Data),
		sameExpiry("after Touch, Get", got.Expires, later))
	if !got.Modified.Equal(before.Modified) {
		t.Errorf("Touch with a zero modification time changed Modified from %v to %v; want it left as it was", before.Modified, got.Modified)
	}
	if got.Owner != before.Owner || !got.Created.Equal(before.Created) {
		t.Errorf("Touch changed Owner or Created from %q, %v to %q, %v; want them left as they were", before.Owner, before.Created, got.Owner, got.Created)
	}
}

func checkTouchMissing(ctx context.Context, t *reporter, b backend.Backend) {
	tok, err := create(ctx, b, rec("expired", session(``), expired()))
	t.Require(err)
	_, err = create(ctx, b, rec("destroyed", session(``), inAnHour()))
	t.Require(err)
	destroyed, err := get(ctx, b, "destroyed")
	t.Require(err)
	t.Require(destroy(ctx, b, "destroyed"))

	for _, c := range []struct {
		id, what string
		tok      backend.Token
	}{
		{"never-stored", "was never stored", backend.Token{}},
		{"expired", "expired", tok},
		{"destroyed", "was destroyed", destroyed.Token},
	} {
		err := b.Touch(ctx, c.id, inAnHour(), now(), c.tok)
		t.Expect(expect(fmt.Sprintf("Touch of a record that %s", c.what), err, backend.ErrNotFound),
			absent(ctx, b, c.id, fmt.Sprintf("after Touch of a record that %s (Touch must not create)", c.what)))
	}
}
