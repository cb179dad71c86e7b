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

// mode is the condition of a write, named as writeScript's ARGV[1].
type mode string

const (
	create   mode = "nx"  // no live record
	update   mode = "xx"  // a live record
	updateIf mode = "cas" // a live record unchanged since the Token
)

// Create implements backend.Backend: SET prefix+id value EX ttl NX, with
// connect-redis's TTL (ceil((Expires − now) / 1 s), or Options.TTL for a
// zero Expires). A nil reply (a live key exists) is backend.ErrExists. A
// record that has already expired is not stored (connect-redis deletes
// instead of SET): Create then only reports ErrExists if a key exists.
func (s *Store) Create(ctx context.Context, rec backend.Record) (backend.Token, error) {
	return s.write(ctx, "create", create, rec)
}

// Update implements backend.Backend: SET prefix+id value EX ttl XX, so that
// a session destroyed or expired since it was read is never written back
// (a nil reply is backend.ErrNotFound). A record that has expired is
// deleted (DEL), as connect-redis does.
func (s *Store) Update(ctx context.Context, rec backend.Record) (backend.Token, error) {
	return s.write(ctx, "update", update, rec)
}

// UpdateIf implements backend.ConditionalUpdater with a script that
// compares the SHA-1 of the stored value with the Token's, then SETs
// (or DELs) as Update does, in one round trip: a change by any writer,
// connect-redis included, is a conflict. With the zero Token it only asks
// EXISTS: a stored record is a conflict.
func (s *Store) UpdateIf(ctx context.Context, rec backend.Record) (backend.Token, error) {
	return s.write(ctx, "updateif", updateIf, rec)
}

func (s *Store) write(ctx context.Context, op string, m mode, rec backend.Record) (backend.Token, error) {
	if len(rec.Data) > maxValue {
		return backend.Token{}, fmt.Errorf("redis: %s: %w: %d bytes, Redis stores at most %d", op, backend.ErrTooLarge, len(rec.Data), maxValue)
	}
	ctx, cancel, err := s.begin(ctx, op)
	defer cancel()
	if err != nil {
		return backend.Token{}, err
	}
	now := time.Now()
	ttl := s.ttl(rec.Expires, now)
	key := s.key(rec.ID)
	v := versionOf(rec.Token)
	switch {
	case m == updateIf && v == nil:
		err = s.existsConflict(ctx, key)
	case s.cfg.owners:
		err = s.writeOwned(ctx, m, key, rec, v, ttl, now)
	case m == updateIf:
		c := writeCall([]string{key}, m, rec.Data, ttl, v, "", "")
		status, _, werr := writeReply(c.script.Run(ctx, s.c, c.keys, c.args...))
		err = statusErr(m, status, werr)
	default:
		err = s.writePlain(ctx, m, key, rec.Data, ttl)
	}
	if err != nil {
		return backend.Token{}, s.fail(ctx, op, err)
	}
	return newToken(rec.Data, rec.Owner), nil
}

// writePlain is Create and Update without the owner index: connect-redis's
// very commands.
func (s *Store) writePlain(ctx context.Context, m mode, key string, data []byte, ttl int64) error {
	if ttl <= 0 {
		if m == create {
			n, err := s.c.Exists(ctx, key).Result()
			if err == nil && n > 0 {
				err = backend.ErrExists
			}
			return err
		}
		n, err := s.del(ctx, key)
		if err == nil && n == 0 {
			err = backend.ErrNotFound
		}
		return err
	}
	flag := "NX"
	if m == update {
		flag = "XX"
	}
	// Built by hand: go-redis's Set sends PX for durations that are not
	// whole seconds, and no expiry at all for zero or less.
	cmd := goredis.NewStatusCmd(ctx, "SET", key, data, "EX", ttl, flag)
	_ = s.c.Process(ctx, cmd)
	return statusErr(m, statusWritten, cmd.Err())
}

// del is connect-redis's destroy: DEL key.
func (s *Store) del(ctx context.Context, key string) (int64, error) {
	cmd := goredis.NewIntCmd(ctx, "DEL", key)
	_ = s.c.Process(ctx, cmd)
	return cmd.Result()
}

// existsConflict is UpdateIf with the zero Token: a stored record is a
// conflict, none is ErrNotFound.
func (s *Store) existsConflict(ctx context.Context, key string) error {
	n, err := s.c.Exists(ctx, key).Result()
	switch {
	case err != nil:
		return err
	case n > 0:
		return backend.ErrConflict
	}
	return backend.ErrNotFound
}

// writeOwned writes a session and its companion hash with writeScript,
// after adding the session to its owner's index (runInOrder): a failure
// between the two leaves an index entry that Owned skips, never an owned
// session missing from the index.
func (s *Store) writeOwned(ctx context.Context, m mode, key string, rec backend.Record, v *version, ttl int64, now time.Time) error {
	created := ""
	switch {
	case !rec.Created.IsZero():
		created = strconv.FormatInt(rec.Created.UnixMilli(), 10)
	case m == create:
		created = strconv.FormatInt(now.UnixMilli(), 10)
	}
	var calls []call
	if rec.Owner != "" && ttl > 0 {
		calls = append(calls, s.indexCall(rec.Owner, rec.ID, ttl, now))
	}
	calls = append(calls, writeCall([]string{key, s.metaKey(key)}, m, rec.Data, ttl, v, rec.Owner, created))
	cmds, err := s.runInOrder(ctx, calls...)
	if err != nil {
		return err
	}
	status, prev, err := writeReply(cmds[len(cmds)-1])
	if err = statusErr(m, status, err); err != nil {
		return err
	}
	if prev != "" && (prev != rec.Owner || ttl <= 0) {
		// Best effort: an entry left behind is skipped by Owned, which
		// checks each session's owner, and dropped when it expires.
		_ = s.c.ZRem(ctx, s.indexKey(prev), rec.ID).Err()
	}
	return nil
}

// writeCall is writeScript's call.
func writeCall(keys []string, m mode, data []byte, ttl int64, v *version, owner, created string) call {
	sum, expOwner := "", ""
	if v != nil {
		sum, expOwner = v.hex(), v.owner
	}
	return call{writeScript, keys, []any{string(m), data, ttl, sum, expOwner, owner, created}}
}

// writeReply returns writeScript's status and the owner stored before.
func writeReply(cmd *goredis.Cmd) (int64, string, error) {
	res, err := cmd.Slice()
	if err != nil {
		return 0, "", err
	}
	status, ok := res[0].(int64)
	if !ok {
		return 0, "", fmt.Errorf("unexpected script reply %v", res)
	}
	prev := ""
	if len(res) > 1 {
		prev, _ = res[1].(string)
	}
	return status, prev, nil
}

// statusErr turns a write's status, or the nil reply of a conditional SET,
// into the backend error it means for mode m.
func statusErr(m mode, status int64, err error) error {
	switch {
	case errors.Is(err, goredis.Nil):
		status = statusMissing
		if m == create {
			status = statusRefused
		}
	case err != nil:
		return err
	}
	switch status {
	case statusWritten:
		return nil
	case statusRefused:
		if m == create {
			return backend.ErrExists
		}
		return backend.ErrConflict
	}
	return backend.ErrNotFound
}
