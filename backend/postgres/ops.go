package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/seshgo/sesh/backend"
)

// token is what the Store puts in backend.Token: the row version's xmin,
// and the id it belongs to, so that a Token never vouches for another
// record (rows written by one transaction share their xmin).
type token struct {
	id   string
	xmin uint32
}

func newToken(id string, xmin uint32) backend.Token { return backend.NewToken(token{id, xmin}) }

// xminOf returns the xmin in rec.Token, if it is one of ours for rec.ID.
func xminOf(rec backend.Record) (uint32, bool) {
	t, ok := rec.Token.Sys().(token)
	return t.xmin, ok && t.id == rec.ID
}

// row is one row read from the table.
type row struct {
	sess    []byte
	expire  float64 // epoch seconds
	xmin    uint32
	owner   pgtype.Text
	created pgtype.Timestamptz
}

// dest returns the scan destinations of q's column list.
func (r *row) dest(q *queries) []any {
	if q.owners {
		return []any{&r.sess, &r.expire, &r.xmin, &r.owner, &r.created}
	}
	return []any{&r.sess, &r.expire, &r.xmin}
}

// record turns r into the Record of session id, or an error matching
// backend.ErrCorrupt if it cannot be read.
func (r *row) record(id string, q *queries) (backend.Record, error) {
	data, err := decodeData(r.sess, q.checkedJSON)
	if err != nil {
		return backend.Record{ID: id}, fmt.Errorf("%w: %w", backend.ErrCorrupt, err)
	}
	expires, ok := epochTime(r.expire)
	if !ok {
		return backend.Record{ID: id}, fmt.Errorf("%w: expire is not a finite time", backend.ErrCorrupt)
	}
	rec := backend.Record{ID: id, Data: data, Expires: expires, Token: newToken(id, r.xmin)}
	if r.owner.Valid {
		rec.Owner = r.owner.String
	}
	if r.created.Valid {
		rec.Created = r.created.Time
	}
	return rec, nil
}

// Get implements backend.Backend with connect-pg-simple's query, plus the
// expiry, the row's xmin and the owner columns. A row whose sess cannot be
// read is an error matching backend.ErrCorrupt; the row is left in place
// (connect-pg-simple deletes it).
func (s *Store) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	var rec backend.Record
	found := false
	err := s.do(ctx, "get", func(ctx context.Context, q *queries) error {
		if !storableID(id) {
			return nil
		}
		var r row
		err := s.pool.QueryRow(ctx, q.get, id, nowEpoch(s.opts.now())).Scan(r.dest(q)...)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		rec, err = r.record(id, q)
		return err
	})
	return rec, found && err == nil, err
}

// writeArgs returns the parameters of create, update and updateIf for rec
// ($1 to $6), or an error matching backend.ErrInvalidData.
func (s *Store) writeArgs(q *queries, rec backend.Record, now time.Time) ([]any, error) {
	if !storableID(rec.ID) {
		return nil, errBadID
	}
	sess, err := encodeData(rec.Data)
	if err != nil {
		return nil, err
	}
	// sess goes as a string: pgx sends a []byte as bytea in the simple
	// protocol and exec modes, where it does not know the column's type.
	args := []any{string(sess), expireEpoch(rec.Expires, now, s.opts.TTL), rec.ID, nowEpoch(now)}
	if q.owners {
		var created any // NULL: Update keeps the stored one
		if !rec.Created.IsZero() {
			created = rec.Created
		}
		args = append(args, rec.Owner, created)
	}
	return args, nil
}

// Create implements backend.Backend: connect-pg-simple's upsert, made to
// replace only an expired row.
func (s *Store) Create(ctx context.Context, rec backend.Record) (backend.Token, error) {
	var tok backend.Token
	err := s.do(ctx, "create", func(ctx context.Context, q *queries) error {
		now := s.opts.now()
		if rec.Created.IsZero() {
			rec.Created = now
		}
		args, err := s.writeArgs(q, rec, now)
		if err != nil {
			return err
		}
		var xmin uint32
		err = s.pool.QueryRow(ctx, q.create, args...).Scan(&xmin)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return backend.ErrExists
		case err != nil:
			return classifyWrite(err)
		}
		tok = newToken(rec.ID, xmin)
		return nil
	})
	return tok, err
}

// Update implements backend.Backend.
func (s *Store) Update(ctx context.Context, rec backend.Record) (backend.Token, error) {
	return s.update(ctx, "update", rec, false)
}

// UpdateIf implements backend.ConditionalUpdater by comparing the row's
// xmin with the one in rec.Token. Every write to the row, by any program,
// gives it a new xmin, so a write by an Express application that knows
// nothing of sesh is noticed; so is its touch, and sesh's, which change
// only the expiry: a conflict the middleware resolves by reading again.
func (s *Store) UpdateIf(ctx context.Context, rec backend.Record) (backend.Token, error) {
	return s.update(ctx, "updateif", rec, true)
}

func (s *Store) update(ctx context.Context, op string, rec backend.Record, conditional bool) (backend.Token, error) {
	var tok backend.Token
	err := s.do(ctx, op, func(ctx context.Context, q *queries) error {
		now := s.opts.now()
		args, err := s.writeArgs(q, rec, now)
		if err != nil {
			return err
		}
		stmt := q.update
		if conditional {
			xmin, ok := xminOf(rec)
			if !ok {
				return s.whyNot(ctx, q, rec.ID, now)
			}
			stmt = q.updateIf
			args = append(args, xmin)
		}
		var xmin uint32
		err = s.pool.QueryRow(ctx, stmt, args...).Scan(&xmin)
		switch {
		case errors.Is(err, pgx.ErrNoRows) && conditional:
			return s.whyNot(ctx, q, rec.ID, now)
		case errors.Is(err, pgx.ErrNoRows):
			return backend.ErrNotFound
		case err != nil:
			return classifyWrite(err)
		}
		tok = newToken(rec.ID, xmin)
		return nil
	})
	return tok, err
}

// whyNot tells why a conditional write did not happen: ErrConflict if a
// live row is there (another version), ErrNotFound if not.
func (s *Store) whyNot(ctx context.Context, q *queries, id string, now time.Time) error {
	var xmin uint32
	err := s.pool.QueryRow(ctx, q.probe, id, nowEpoch(now)).Scan(&xmin)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return backend.ErrNotFound
	case err != nil:
		return err
	}
	return backend.ErrConflict
}

// Touch implements backend.Backend with connect-pg-simple's touch, which
// changes only expire, restricted to a live row. Modified is not stored
// (connect-pg-simple has no column for it), and tok is not needed.
func (s *Store) Touch(ctx context.Context, id string, expires, _ time.Time, _ backend.Token) error {
	return s.do(ctx, "touch", func(ctx context.Context, q *queries) error {
		if !storableID(id) {
			return errBadID
		}
		now := s.opts.now()
		tag, err := s.pool.Exec(ctx, q.touch, expireEpoch(expires, now, s.opts.TTL), id, nowEpoch(now))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return backend.ErrNotFound
		}
		return nil
	})
}

// Destroy implements backend.Backend.
func (s *Store) Destroy(ctx context.Context, id string) error {
	return s.do(ctx, "destroy", func(ctx context.Context, q *queries) error {
		if !storableID(id) {
			return nil
		}
		_, err := s.pool.Exec(ctx, q.destroy, id)
		return err
	})
}
