package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/seshgo/sesh/backend"
)

func checkAttributes(ctx context.Context, t *reporter, b backend.Backend) {
	owners, err := storesOwners(ctx, b)
	t.Expect(err)
	r := rec("attrs", session(``), inAnHour())
	r.Modified = now().Add(-time.Minute)
	r.Owner = "ada@example.com"
	r.Created = now().Add(-time.Hour)
	_, err = create(ctx, b, r)
	t.Require(err)
	got, err := get(ctx, b, "attrs")
	t.Require(err)
	t.Expect(sameAttributes("after Create", got, r, owners)...)

	r.Modified = now()
	r.Owner = "grace@example.com"
	r.Token = got.Token
	_, err = update(ctx, b, r, "of a record just read")
	t.Require(err)
	got, err = get(ctx, b, "attrs")
	t.Require(err)
	t.Expect(sameAttributes("after Update", got, r, owners)...)
}

// storesOwners reports whether b stores Owner and Created: it implements
// backend.Owners and does not decline Owned. A refusal is returned, as a
// failure of the property that asked.
func storesOwners(ctx context.Context, b backend.Backend) (bool, error) {
	o, ok := b.(backend.Owners)
	if !ok {
		return false, nil
	}
	for _, err := range o.Owned(ctx, "nobody@example.com") {
		if err != nil {
			return false, fmt.Errorf("the backend implements backend.Owners, but Owned: %w", err)
		}
	}
	return true, nil
}

// sameAttributes compares the attributes Get returned with those written:
// Modified, unless the backend returns the zero time (it has nowhere to
// store it), and Owner and Created when the backend stores them.
func sameAttributes(when string, got, want backend.Record, owners bool) []error {
	var errs []error
	if !got.Modified.IsZero() && !sameTime(got.Modified, want.Modified) {
		errs = append(errs, fmt.Errorf("%s, Get returned Modified %v, want %v as written (or the zero time, from a backend with nowhere to store it)", when, got.Modified, want.Modified))
	}
	if !owners {
		return errs
	}
	if got.Owner != want.Owner {
		errs = append(errs, fmt.Errorf("%s, Get returned Owner %q, want %q as written (the backend implements backend.Owners)", when, got.Owner, want.Owner))
	}
	if !sameTime(got.Created, want.Created) {
		errs = append(errs, fmt.Errorf("%s, Get returned Created %v, want %v as written (the backend implements backend.Owners)", when, got.Created, want.Created))
	}
	return errs
}

// sameModified checks the Modified of a record after a write that set it
// to want, given what the backend returned before (stored: a non-zero
// time, so the backend stores it).
func sameModified(when string, got time.Time, want time.Time, stored bool) error {
	switch {
	case !stored && got.IsZero():
		return nil
	case !stored:
		return fmt.Errorf("%s, Get returned Modified %v, but the zero time before: a backend stores Modified or does not", when, got)
	case !sameTime(got, want):
		return fmt.Errorf("%s, Get returned Modified %v, want %v", when, got, want)
	}
	return nil
}
