package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/seshgo/sesh/backend"
)

// All implements backend.Lister. It reads the live rows in pages of 256 in
// sid order, each page one query bounded by OperationTimeout, and holds no
// connection while the loop body runs: the body may use the Store, and a
// long iteration keeps no transaction open. A row written or removed
// during the iteration may or may not be seen. connect-pg-simple has no
// all.
func (s *Store) All(ctx context.Context) iter.Seq2[backend.Record, error] {
	return s.pages(ctx, "all", func(q *queries, after *string, now float64) (string, []any) {
		if after == nil {
			return q.firstPage, []any{now}
		}
		return q.nextPage, []any{now, *after}
	})
}

// Owned implements backend.Owners, as All, through the owner index. On a
// table without the owner column it yields one error matching
// errors.ErrUnsupported (see Options.Owners).
func (s *Store) Owned(ctx context.Context, owner string) iter.Seq2[backend.Record, error] {
	return s.pages(ctx, "owned", func(q *queries, after *string, now float64) (string, []any) {
		if !q.owners {
			return "", nil
		}
		if after == nil {
			return q.firstOwned, []any{owner, now}
		}
		return q.nextOwned, []any{owner, now, *after}
	})
}

// errNoOwners is Owned's error on a table without sesh's columns.
var errNoOwners = fmt.Errorf("the table has no owner and created columns (set Options.Owners or Options.CreateTable): %w", errors.ErrUnsupported)

// pages yields the records of the queries that page returns: after is the
// last sid of the previous page, nil for the first; an empty statement
// means the table cannot answer.
func (s *Store) pages(ctx context.Context, op string, page func(q *queries, after *string, now float64) (string, []any)) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		var after *string
		for {
			var batch []backend.Record
			var bad []error // per record: ErrCorrupt, or nil
			err := s.do(ctx, op, func(ctx context.Context, q *queries) error {
				stmt, args := page(q, after, nowEpoch(s.opts.now()))
				if stmt == "" {
					return errNoOwners
				}
				rows, err := s.pool.Query(ctx, stmt, args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id string
					var r row
					if err := rows.Scan(append([]any{&id}, r.dest(q)...)...); err != nil {
						return err
					}
					rec, err := r.record(id, q)
					batch = append(batch, rec)
					bad = append(bad, err)
				}
				return rows.Err()
			})
			if err != nil {
				yield(backend.Record{}, err)
				return
			}
			for i, rec := range batch {
				err := bad[i]
				if err != nil {
					err = fmt.Errorf("postgres: %s: %w", op, err)
				}
				if !yield(rec, err) {
					return
				}
			}
			if len(batch) < pageSize {
				return
			}
			after = &batch[len(batch)-1].ID
		}
	}
}

// Len implements backend.Counter: count(*), expired rows not yet pruned
// included.
func (s *Store) Len(ctx context.Context) (int, error) {
	var n int64
	err := s.do(ctx, "len", func(ctx context.Context, q *queries) error {
		return s.pool.QueryRow(ctx, q.count).Scan(&n)
	})
	return int(n), err
}

// Clear implements backend.Clearer: it deletes every row; the table and its
// indexes stay.
func (s *Store) Clear(ctx context.Context) error {
	return s.do(ctx, "clear", func(ctx context.Context, q *queries) error {
		_, err := s.pool.Exec(ctx, q.clear)
		return err
	})
}
