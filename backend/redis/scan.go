package redis

import (
	"context"
	"iter"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
)

// scanner is a client SCAN can run on: one server, or one master of a
// cluster.
type scanner interface {
	Scan(ctx context.Context, cursor uint64, match string, count int64) *goredis.ScanCmd
}

// nodes returns what holds the keys: every master of a Redis Cluster
// (ForEachMaster), every shard of a Ring, or the client itself.
func (s *Store) nodes(ctx context.Context) ([]scanner, error) {
	var (
		mu    sync.Mutex
		nodes []scanner
	)
	collect := func(_ context.Context, c *goredis.Client) error {
		mu.Lock()
		nodes = append(nodes, c)
		mu.Unlock()
		return nil
	}
	var err error
	switch c := s.c.(type) {
	case *goredis.ClusterClient:
		err = c.ForEachMaster(ctx, collect)
	case *goredis.Ring:
		err = c.ForEachShard(ctx, collect)
	default:
		nodes = []scanner{s.c}
	}
	return nodes, err
}

// scan calls f with the keys that start with prefix, in batches of about
// Options.ScanCount: SCAN cursor MATCH <prefix with glob characters
// escaped>* COUNT n on each node in turn, never KEYS. It keeps nothing
// from one batch to the next, so that listing a million sessions takes no
// more memory than listing a thousand; the price is SCAN's own: a key may
// come twice when Redis resizes its table during the iteration
// (connect-redis instead remembers every key seen, some 100 bytes each).
// Owner-index keys (which an empty Prefix matches) are left out. scan
// stops when f returns false and returns the first error, wrapped with op.
func (s *Store) scan(ctx context.Context, op, prefix string, f func(keys []string) bool) error {
	var nodes []scanner
	err := s.step(ctx, op, func(ctx context.Context) (err error) {
		nodes, err = s.nodes(ctx)
		return err
	})
	if err != nil {
		return err
	}
	match := escapeGlob(prefix) + "*"
	for _, node := range nodes {
		var cursor uint64
		for {
			var keys []string
			err := s.step(ctx, op, func(ctx context.Context) (err error) {
				keys, cursor, err = node.Scan(ctx, cursor, match, int64(s.cfg.scanCount)).Result()
				return err
			})
			if err != nil {
				return err
			}
			fresh := keys[:0]
			for _, k := range keys {
				if prefix == s.cfg.prefix && s.isOwnerKey(k) {
					continue
				}
				fresh = append(fresh, k)
			}
			if len(fresh) > 0 && !f(fresh) {
				return nil
			}
			if cursor == 0 {
				break
			}
		}
	}
	return nil
}

// All implements backend.Lister, as connect-redis's all: SCAN, then the
// sessions read in batches (GET and PTTL of each key in one pipeline per
// batch, rather than connect-redis's MGET, which a cluster refuses for keys
// of several slots). It streams, in constant memory: a batch is read when
// the previous one has been yielded. A session may come twice if Redis
// resizes its table meanwhile (SCAN's guarantee).
func (s *Store) All(ctx context.Context) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		stopped := false
		err := s.scan(ctx, "all", s.cfg.prefix, func(keys []string) bool {
			ids := make([]string, len(keys))
			for i, k := range keys {
				ids[i] = strings.TrimPrefix(k, s.cfg.prefix)
			}
			return s.readBatch(ctx, "all", ids, func(rec backend.Record, found bool, err error) bool {
				if !found && err == nil {
					return true // expired or deleted since SCAN
				}
				if !yield(rec, err) || err != nil && !isCorrupt(err) {
					stopped = true
					return false
				}
				return true
			})
		})
		if err != nil && !stopped {
			yield(backend.Record{}, err)
		}
	}
}

// Len implements backend.Counter: the number of keys SCAN finds, as
// connect-redis's length (while Redis resizes its table a key may be
// counted twice). Redis removes expired keys itself, so the count holds no
// expired session once Redis has noticed.
func (s *Store) Len(ctx context.Context) (int, error) {
	n := 0
	err := s.scan(ctx, "len", s.cfg.prefix, func(keys []string) bool {
		n += len(keys)
		return true
	})
	return n, err
}

// Clear implements backend.Clearer, as connect-redis's clear: SCAN, then
// DEL of what it found, one pipeline of single-key DELs per batch (a
// cluster refuses a DEL of keys of several slots). With the owner index on,
// the companion hashes and indexes go too.
func (s *Store) Clear(ctx context.Context) error {
	prefixes := []string{s.cfg.prefix}
	if s.cfg.owners {
		prefixes = append(prefixes, s.cfg.ownersPrefix)
	}
	for _, prefix := range prefixes {
		var err error
		scanErr := s.scan(ctx, "clear", prefix, func(keys []string) bool {
			err = s.step(ctx, "clear", func(ctx context.Context) error {
				pipe := s.c.Pipeline()
				for _, k := range keys {
					pipe.Process(ctx, goredis.NewIntCmd(ctx, "DEL", k))
				}
				_, err := pipe.Exec(ctx)
				return err
			})
			return err == nil
		})
		if err == nil {
			err = scanErr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
