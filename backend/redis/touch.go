package redis

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
)

// Touch implements backend.Backend: EXPIRE prefix+id ttl, connect-redis's
// touch, which extends a live key and creates nothing (a reply of 0 is
// backend.ErrNotFound). An expires already past makes Redis delete the
// key, as connect-redis's touch does. modified is not stored.
func (s *Store) Touch(ctx context.Context, id string, expires, _ time.Time, tok backend.Token) error {
	ctx, cancel, err := s.begin(ctx, "touch")
	defer cancel()
	if err != nil {
		return err
	}
	now := time.Now()
	ttl := s.ttl(expires, now)
	key := s.key(id)
	if s.cfg.owners {
		err = s.touchOwned(ctx, id, key, ttl, versionOf(tok), now)
	} else {
		cmd := goredis.NewIntCmd(ctx, "EXPIRE", key, ttl)
		_ = s.c.Process(ctx, cmd)
		var n int64
		if n, err = cmd.Result(); err == nil && n == 0 {
			err = backend.ErrNotFound
		}
	}
	if err != nil {
		return s.fail(ctx, "touch", err)
	}
	return nil
}

// touchOwned extends a session, its companion hash and its owner's index.
// The owner is the Token's, so that the index is extended first (see
// writeOwned); if the session turns out to have another owner, that one's
// index is extended after.
func (s *Store) touchOwned(ctx context.Context, id, key string, ttl int64, v *version, now time.Time) error {
	known := ""
	var calls []call
	if v != nil && v.owner != "" && ttl > 0 {
		known = v.owner
		calls = append(calls, s.indexCall(known, id, ttl, now))
	}
	calls = append(calls, call{touchScript, []string{key, s.metaKey(key)}, []any{ttl}})
	cmds, err := s.runInOrder(ctx, calls...)
	if err != nil {
		return err
	}
	owner, err := cmds[len(cmds)-1].Text()
	switch {
	case errors.Is(err, goredis.Nil):
		return backend.ErrNotFound
	case err != nil:
		return err
	case owner != "" && owner != known && ttl > 0:
		_, err = s.runInOrder(ctx, s.indexCall(owner, id, ttl, now))
		return err
	}
	return nil
}

// Destroy implements backend.Backend: DEL prefix+id (and, with the owner
// index on, the companion hash and the index entry).
func (s *Store) Destroy(ctx context.Context, id string) error {
	ctx, cancel, err := s.begin(ctx, "destroy")
	defer cancel()
	if err != nil {
		return err
	}
	key := s.key(id)
	if s.cfg.owners {
		var owner string
		owner, err = destroyScript.Run(ctx, s.c, []string{key, s.metaKey(key)}).Text()
		if err == nil && owner != "" {
			err = s.c.ZRem(ctx, s.indexKey(owner), id).Err()
		}
	} else {
		_, err = s.del(ctx, key)
	}
	if err != nil {
		return s.fail(ctx, "destroy", err)
	}
	return nil
}
