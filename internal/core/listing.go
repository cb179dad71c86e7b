package core

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
)

// Listed is a stored session, decoded.
type Listed struct {
	Record  backend.Record // Data is nil
	Payload *codec.Payload
	// LastSeen is when the session was last written or touched, as far as
	// the backend says; zero when unknown.
	LastSeen time.Time
}

// List yields the live sessions of owner, or every session for "",
// decoded. owner's sessions come from the backend's owner index
// (backend.Owners), or, where it has none or declines, from a scan of
// every record (backend.Lister). A session that cannot be read is yielded
// with an error matching ErrCorrupt, and the listing goes on; any other
// error ends it. A scan cannot attribute a record it cannot read to an
// owner: for an owner, it leaves such records out.
func (m *Manager) List(ctx context.Context, owner string) iter.Seq2[Listed, error] {
	return func(yield func(Listed, error) bool) {
		indexed := false
		for rec, err := range m.records(ctx, owner, &indexed) {
			mine := owner == "" || indexed || rec.Owner == owner
			if err != nil {
				if !errors.Is(err, backend.ErrCorrupt) {
					yield(Listed{}, backendError("list", err))
					return
				}
				if mine && !yield(Listed{Record: rec}, fail("list", ErrCorrupt, err)) {
					return
				}
				continue
			}
			if !mine || backend.Expired(rec.Expires, m.now()) {
				continue
			}
			p, err := m.decode(rec.ID, rec.Data)
			rec.Data = nil
			if err != nil {
				if !yield(Listed{Record: rec}, fail("list", ErrCorrupt, fmt.Errorf("session %s: %w", redact(rec.ID), err))) {
					return
				}
				continue
			}
			if !yield(Listed{Record: rec, Payload: p, LastSeen: lastWrite(rec.Modified, rec.Expires, &p.Cookie)}, nil) {
				return
			}
		}
	}
}

// records yields the backend records List reads, and sets *indexed when
// they come from the owner index rather than a scan.
func (m *Manager) records(ctx context.Context, owner string, indexed *bool) iter.Seq2[backend.Record, error] {
	all := func(yield func(backend.Record, error) bool) {
		l, ok := m.cfg.Backend.(backend.Lister)
		if !ok {
			yield(backend.Record{}, fmt.Errorf("%T can neither list its sessions (backend.Lister) nor index their owners (backend.Owners): %w", m.cfg.Backend, errors.ErrUnsupported))
			return
		}
		for rec, err := range l.All(ctx) {
			if !yield(rec, err) {
				return
			}
		}
	}
	o, ok := m.cfg.Backend.(backend.Owners)
	if owner == "" || !ok {
		return all
	}
	return func(yield func(backend.Record, error) bool) {
		*indexed = true
		first := true
		for rec, err := range o.Owned(ctx, owner) {
			if first && errors.Is(err, errors.ErrUnsupported) {
				*indexed = false // the index is off: scan instead
				all(yield)
				return
			}
			first = false
			if !yield(rec, err) {
				return
			}
		}
	}
}

// Destroy removes the session stored under id, for listings' callers.
func (m *Manager) Destroy(ctx context.Context, id string) error {
	return m.destroy(ctx, "destroy", id)
}

// destroy removes the record stored under id, observed, for operation op.
func (m *Manager) destroy(ctx context.Context, op, id string) error {
	start := m.start()
	if err := m.cfg.Backend.Destroy(ctx, id); err != nil {
		m.observe(ctx, "destroy", "failed", start, err)
		return backendError(op, err)
	}
	m.observe(ctx, "destroy", "destroyed", start, nil)
	return nil
}

// lastWrite returns when a record was last written or touched, as far as
// its backend says: its Modified, or, for a backend that keeps none, its
// expiry minus the cookie's lifetime (every write and touch, Express's
// included, sets the expiry to now plus that lifetime). Zero when unknown.
func lastWrite(modified, expires time.Time, c *codec.Cookie) time.Time {
	if !modified.IsZero() || expires.IsZero() || !c.Persistent() || c.OriginalMaxAge <= 0 {
		return modified
	}
	return expires.Add(-c.OriginalMaxAge)
}

// Lookup reads the session stored under id, decoded, for listings'
// callers: a session that cannot be read is an error matching ErrCorrupt.
func (m *Manager) Lookup(ctx context.Context, id string) (Listed, bool, error) {
	var corrupt error
	got, status, err := m.read(ctx, "lookup", id, reporterFunc(func(err error) { corrupt = err }))
	switch {
	case err != nil:
		return Listed{}, false, err
	case status == readCorrupt:
		return Listed{}, false, corrupt
	case status == readMissing:
		return Listed{}, false, nil
	}
	return Listed{Record: got.rec, Payload: got.payload, LastSeen: lastWrite(got.rec.Modified, got.rec.Expires, &got.payload.Cookie)}, true, nil
}

type reporterFunc func(error)

func (f reporterFunc) Report(err error) { f(err) }
