package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
)

// read is the commands that read one session, queued on a pipeline: GET
// and PTTL of its key and, with the owner index on, HMGET of its companion
// hash. They go to one node (the companion shares the key's slot), so a
// pipeline of any number of reads costs one round trip per node.
type read struct {
	id    string
	value *goredis.StringCmd
	pttl  *goredis.IntCmd
	meta  *goredis.SliceCmd
}

func (s *Store) queueRead(ctx context.Context, p goredis.Pipeliner, id string) read {
	key := s.key(id)
	r := read{id: id, value: goredis.NewStringCmd(ctx, "GET", key), pttl: goredis.NewIntCmd(ctx, "PTTL", key)}
	_ = p.Process(ctx, r.value)
	_ = p.Process(ctx, r.pttl)
	if s.cfg.owners {
		r.meta = p.HMGet(ctx, s.metaKey(key), "owner", "created")
	}
	return r
}

// record returns the session that r read, after the pipeline ran, at time
// now. found is false, with a nil error, when there is none. A value or
// companion hash that cannot be read is an error matching
// backend.ErrCorrupt (once passed to fail).
func (r read) record(now time.Time) (rec backend.Record, found bool, err error) {
	rec.ID = r.id
	if err := r.value.Err(); err != nil {
		if err == goredis.Nil {
			return rec, false, nil
		}
		return rec, false, err
	}
	ms, err := r.pttl.Result()
	switch {
	case err != nil:
		return rec, false, err
	case ms == -2: // deleted between GET and PTTL
		return rec, false, nil
	case ms >= 0: // -1: a key without expiry (connect-redis's disableTTL)
		rec.Expires = time.UnixMilli(now.UnixMilli() + ms)
	}
	rec.Data = []byte(r.value.Val())
	if r.meta != nil {
		vals, err := r.meta.Result()
		if err != nil {
			return rec, false, err
		}
		rec.Owner, _ = vals[0].(string)
		if c, ok := vals[1].(string); ok {
			n, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				return rec, false, fmt.Errorf("%w: the companion hash holds created %q", backend.ErrCorrupt, c)
			}
			rec.Created = time.UnixMilli(n)
		}
	}
	rec.Token = newToken(rec.Data, rec.Owner)
	return rec, true, nil
}

// Get implements backend.Backend: GET and PTTL of prefix+id in one round
// trip (and HMGET of the companion hash with the owner index on). Expires
// is the key's expiry, which connect-redis's whole-second TTLs put up to a
// second after the Expires written; a key without expiry gives a zero
// Expires. Modified is always zero: connect-redis's layout has nowhere to
// keep it. A key holding another type than a string is an error matching
// backend.ErrCorrupt.
func (s *Store) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	ctx, cancel, err := s.begin(ctx, "get")
	defer cancel()
	if err != nil {
		return backend.Record{}, false, err
	}
	pipe := s.c.Pipeline()
	r := s.queueRead(ctx, pipe, id)
	_, _ = pipe.Exec(ctx) // each command holds its own error
	rec, found, err := r.record(time.Now())
	if err != nil {
		return backend.Record{}, false, s.fail(ctx, "get", err)
	}
	return rec, found, nil
}

func isCorrupt(err error) bool { return errors.Is(err, backend.ErrCorrupt) }
