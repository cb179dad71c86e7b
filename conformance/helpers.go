package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seshgo/sesh/backend"
)

// Times are written with millisecond precision, MongoDB's, and read back
// within slack. An expiry may also come back up to a second late: some
// backends store it in whole seconds, rounded up, as connect-pg-simple and
// connect-redis do.
const (
	slack       = 2 * time.Millisecond
	expiryRound = time.Second
)

// now is the current time to the millisecond, without a monotonic reading.
func now() time.Time { return time.Now().Truncate(time.Millisecond) }

func inAnHour() time.Time { return now().Add(time.Hour) }

// expired is an expiry that has passed, even for a backend that rounds
// expiries up to the second.
func expired() time.Time { return now().Add(-10 * time.Second) }

// lifetimes are the short expiries of the properties that wait for one to
// pass. A longer one is tried only when the machine was too slow to store
// and read a record within the shorter.
var lifetimes = []time.Duration{time.Second, 3 * time.Second, 9 * time.Second}

// afterExpiry is how long after a short expiry a property waits before it
// expects the record gone: the rounding, and a margin.
const afterExpiry = expiryRound + 50*time.Millisecond

// session returns express-session's JSON for a session that holds the
// members in body (each starting with a comma) besides its cookie.
func session(body string) []byte {
	return []byte(`{"cookie":{"originalMaxAge":3600000,"expires":"2030-01-01T00:00:00.000Z","httpOnly":true,"path":"/"}` + body + `}`)
}

func rec(id string, data []byte, expires time.Time) backend.Record {
	return backend.Record{ID: id, Data: data, Expires: expires}
}

// create stores r with Create, saying which id failed.
func create(ctx context.Context, b backend.Backend, r backend.Record) (backend.Token, error) {
	tok, err := b.Create(ctx, r)
	if err != nil {
		return tok, fmt.Errorf("Create(%q): %w", r.ID, err)
	}
	return tok, nil
}

// update stores r with Update, saying which id failed and why the
// property expected it to work.
func update(ctx context.Context, b backend.Backend, r backend.Record, why string) (backend.Token, error) {
	tok, err := b.Update(ctx, r)
	if err != nil {
		return tok, fmt.Errorf("Update(%q) %s: %w", r.ID, why, err)
	}
	return tok, nil
}

// get returns the live record stored under id, or an error saying why
// not.
func get(ctx context.Context, b backend.Backend, id string) (backend.Record, error) {
	r, found, err := b.Get(ctx, id)
	switch {
	case err != nil:
		return r, fmt.Errorf("Get(%q): %w", id, err)
	case !found:
		return r, fmt.Errorf("Get(%q) found nothing, want the record stored", id)
	case r.ID != id:
		return r, fmt.Errorf("Get(%q) returned a record with ID %q", id, r.ID)
	}
	return r, nil
}

// absent returns an error unless Get finds nothing under id; why says
// when.
func absent(ctx context.Context, b backend.Backend, id, why string) error {
	r, found, err := b.Get(ctx, id)
	switch {
	case err != nil:
		return fmt.Errorf("Get(%q) %s: %w; want found == false and no error", id, why, err)
	case found:
		return fmt.Errorf("Get(%q) %s found a record (%.60q, expires %v), want none", id, why, r.Data, r.Expires)
	}
	return nil
}

// holds returns an error unless Get finds data under id, expiring at
// expires; why says when.
func holds(ctx context.Context, b backend.Backend, id string, data []byte, expires time.Time, why string) error {
	r, err := get(ctx, b, id)
	if err != nil {
		return fmt.Errorf("%s: %w", why, err)
	}
	what := fmt.Sprintf("Get(%q) %s", id, why)
	if err := sameData(what, r.Data, data); err != nil {
		return err
	}
	return sameExpiry(what, r.Expires, expires)
}

func sameData(what string, got, want []byte) error {
	if bytes.Equal(got, want) {
		return nil
	}
	i := 0 // where they differ; show from a little before
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-20, 0)
	return fmt.Errorf("%s returned different data: %d bytes, want %d; from byte %d: %.60q, want %.60q",
		what, len(got), len(want), from, got[from:], want[from:])
}

// sameExpiry accepts an expiry from want−slack to want+expiryRound.
func sameExpiry(what string, got, want time.Time) error {
	if d := got.Sub(want); d >= -slack && d <= expiryRound {
		return nil
	}
	return fmt.Errorf("%s returned Expires %v, want %v (or up to %v later, for a backend that rounds it up)", what, got, want, expiryRound)
}

// sameTime accepts a time within slack of want.
func sameTime(got, want time.Time) bool {
	d := got.Sub(want)
	return d >= -slack && d <= slack
}

// expect returns nil if err matches target, and otherwise an error saying
// what op returned instead, wrapping it.
func expect(op string, err, target error) error {
	switch {
	case errors.Is(err, target):
		return nil
	case err == nil:
		return fmt.Errorf("%s returned no error, want one matching %s", op, errName(target))
	}
	return fmt.Errorf("%s: %w; want an error matching %s", op, err, errName(target))
}

func errName(err error) string {
	switch err {
	case backend.ErrNotFound:
		return "backend.ErrNotFound"
	case backend.ErrExists:
		return "backend.ErrExists"
	case backend.ErrConflict:
		return "backend.ErrConflict"
	case backend.ErrClosed:
		return "backend.ErrClosed"
	case context.Canceled:
		return "context.Canceled"
	case context.DeadlineExceeded:
		return "context.DeadlineExceeded"
	}
	return fmt.Sprintf("%q", err)
}

// sleepUntil waits until t, or until ctx is done.
func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("interrupted while waiting for an expiry to pass: %w", ctx.Err())
	}
}
