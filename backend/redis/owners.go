package redis

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
)

// clockSlack is how long past its expiry an index entry is kept, and how
// long an index outlives its last entry, so that application servers whose
// clocks disagree a little do not drop entries of live sessions.
const clockSlack = time.Minute

// indexCall adds session id, which expires in ttl seconds, to owner's
// index.
func (s *Store) indexCall(owner, id string, ttl int64, now time.Time) call {
	ms := now.UnixMilli()
	return call{indexScript, []string{s.indexKey(owner)}, []any{id, ms + ttl*1000, ms, s.cfg.slack.Milliseconds()}}
}

// Owned implements backend.Owners when Options.Owners is set; otherwise it
// yields one error matching errors.ErrUnsupported (or backend.ErrClosed,
// or the context's error, which come first).
//
// It reads owner's index (ZSCAN, in batches of Options.ScanCount) and
// then each listed session as Get does, one pipeline per batch. The index
// is only a list of candidates: a session is yielded when it exists and
// its companion hash names owner, whatever else wrote to the index or the
// session. Entries of sessions that are gone or now belong to another
// owner are removed once their expiry has passed (earlier, they may be a
// Create in progress). Records are yielded in no particular order.
func (s *Store) Owned(ctx context.Context, owner string) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		if !s.cfg.owners {
			err := s.step(ctx, "owned", func(context.Context) error {
				return fmt.Errorf("the owner index is off (Options.Owners): %w", errors.ErrUnsupported)
			})
			yield(backend.Record{}, err)
			return
		}
		key := s.indexKey(owner)
		seen := make(map[string]struct{})
		var cursor uint64
		for {
			var members []string
			err := s.step(ctx, "owned", func(ctx context.Context) (err error) {
				members, cursor, err = s.c.ZScan(ctx, key, cursor, "", int64(s.cfg.scanCount)).Result()
				return err
			})
			if err != nil {
				yield(backend.Record{}, err)
				return
			}
			ids := make([]string, 0, len(members)/2)
			expired := make(map[string]bool, len(members)/2)
			now := time.Now()
			for i := 0; i+1 < len(members); i += 2 {
				id := members[i]
				if _, dup := seen[id]; dup {
					continue
				}
				seen[id] = struct{}{}
				ids = append(ids, id)
				score, _ := strconv.ParseFloat(members[i+1], 64)
				expired[id] = score < float64(now.Add(-s.cfg.slack).UnixMilli())
			}
			var stale []any
			ok := s.readBatch(ctx, "owned", ids, func(rec backend.Record, found bool, err error) bool {
				if err == nil && (!found || rec.Owner != owner) {
					if expired[rec.ID] {
						stale = append(stale, rec.ID)
					}
					return true
				}
				return yield(rec, err)
			})
			if !ok {
				return
			}
			if len(stale) > 0 {
				// Best effort: an entry left is checked again next time.
				_ = s.step(ctx, "owned", func(ctx context.Context) error {
					return s.c.ZRem(ctx, key, stale...).Err()
				})
			}
			if cursor == 0 {
				return
			}
		}
	}
}

// step runs one round trip of a long operation (an iteration): checked
// and bounded as a whole operation is, its error wrapped with op.
func (s *Store) step(ctx context.Context, op string, f func(ctx context.Context) error) error {
	ctx, cancel, err := s.begin(ctx, op)
	defer cancel()
	if err != nil {
		return err
	}
	if err := f(ctx); err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

// readBatch reads the sessions ids in one pipeline and calls f with each,
// in order, as Get would return it; a session that cannot be read comes
// with an error matching backend.ErrCorrupt. A failure of the round trip
// itself is passed to f once, with found false. readBatch returns false
// when f does, or after a failure.
func (s *Store) readBatch(ctx context.Context, op string, ids []string, f func(rec backend.Record, found bool, err error) bool) bool {
	if len(ids) == 0 {
		return true
	}
	reads := make([]read, len(ids))
	err := s.step(ctx, op, func(ctx context.Context) error {
		pipe := s.c.Pipeline()
		for i, id := range ids {
			reads[i] = s.queueRead(ctx, pipe, id)
		}
		_, err := pipe.Exec(ctx)
		if err != nil && !isReplyError(err) {
			return err // the round trip failed
		}
		return nil
	})
	if err != nil {
		f(backend.Record{}, false, err)
		return false
	}
	now := time.Now()
	for _, r := range reads {
		rec, found, err := r.record(now)
		if err != nil {
			err = s.fail(ctx, op, err)
			if !errors.Is(err, backend.ErrCorrupt) {
				f(rec, false, err)
				return false
			}
		}
		if !f(rec, found, err) {
			return false
		}
	}
	return true
}

// isReplyError reports whether err is an error reply of the server to one
// command (WRONGTYPE, for one), rather than a failure of the connection.
func isReplyError(err error) bool {
	var re goredis.Error
	return errors.As(err, &re)
}
