package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/bench/internal/dbserver"
	"github.com/seshgo/sesh/bench/internal/ops"
)

// Key prefixes of the layouts: connect-redis's default, which sesh's
// backend shares, and goredisstore's.
const (
	expressPrefix = "sess:"
	scsPrefix     = "scs:session:"
)

// redisDB is the private redis-server. Each contestant's keys are in a
// logical database of their own (SELECT n, /n in the URL).
type redisDB struct {
	server *dbserver.Redis
	client *redis.Client // database 0: INFO
	next   int           // the last database given to a contestant
}

// redisDatabases is the number of logical databases of a redis-server by
// default; database 0 is the harness's.
const redisDatabases = 16

func (h *harness) startRedis(ctx context.Context) (*redisDB, error) {
	srv, err := h.redisServer(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := redis.ParseURL(srv.URL())
	if err != nil {
		return nil, err
	}
	return &redisDB{server: srv, client: redis.NewClient(opts)}, nil
}

func (r *redisDB) close() { r.client.Close() }

func (r *redisDB) classify(key string) (string, ops.Class) { return ops.Redis(key) }

func (r *redisDB) cpu() (time.Duration, error) { return r.server.Proc.CPU() }

// snapshot reads the calls of each command from INFO commandstats. The
// server counts every client's commands, the harness's INFO included
// (upkeep): the counts are those of the contestant being measured because
// the others, idle meanwhile, send none, and no other program uses the
// server.
func (r *redisDB) snapshot(ctx context.Context, _ store) (ops.Counts, error) {
	info, err := r.client.Info(ctx, "commandstats").Result()
	if err != nil {
		return nil, err
	}
	return parseCommandStats(info), nil
}

// parseCommandStats reads lines such as
// cmdstat_get:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0.
func parseCommandStats(info string) ops.Counts {
	c := ops.Counts{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, stats, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		name, isCmd := strings.CutPrefix(name, "cmdstat_")
		if !ok || !isCmd {
			continue
		}
		for _, kv := range strings.Split(stats, ",") {
			if v, ok := strings.CutPrefix(kv, "calls="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					c[name] = n
				}
			}
		}
	}
	return c
}

// fresh gives sys the next logical database, emptied.
func (r *redisDB) fresh(ctx context.Context, sys system) (store, error) {
	r.next = r.next%(redisDatabases-1) + 1
	opts, err := redis.ParseURL(r.server.URL())
	if err != nil {
		return nil, err
	}
	opts.DB, opts.ReadTimeout = r.next, time.Minute // FLUSHDB of a million keys
	s := &redisStore{r: r, db: r.next, client: redis.NewClient(opts)}
	if err := s.client.FlushDB(ctx).Err(); err != nil {
		s.client.Close()
		return nil, err
	}
	return s, nil
}

// redisStore is a contestant's logical database.
type redisStore struct {
	r      *redisDB
	db     int
	client *redis.Client
}

// url is the store's redis:// URL.
func (s *redisStore) url() string { return fmt.Sprintf("redis://%s/%d", s.r.server.Addr, s.db) }

// env points the contestant at its database, with each store's default
// key prefix (sess: for sesh, Express and the limit; scs:session: for
// scs).
func (s *redisStore) env() []string {
	return []string{"STORE=redis", "REDIS_URL=" + s.url()}
}

// put writes the sessions in one pipeline: connect-redis's SET key value
// EX ttl, or goredisstore's SET key value PX ttl.
func (s *redisStore) put(ctx context.Context, l layout, ids, users []string, expires time.Time) error {
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			if l == scsLayout {
				data, err := scsData(users[i], expires)
				if err != nil {
					return err
				}
				p.Set(ctx, scsPrefix+id, data, time.Until(expires).Round(time.Millisecond))
				continue
			}
			ttl := int64(time.Until(expires).Seconds() + 0.999)
			p.Do(ctx, "SET", expressPrefix+id, sessionJSON(users[i], expires), "EX", ttl)
		}
		return nil
	})
	return err
}

func (s *redisStore) count(ctx context.Context) (int64, error) {
	return s.client.DBSize(ctx).Result()
}

func (s *redisStore) drop() {
	if err := s.client.FlushDB(context.Background()).Err(); err != nil {
		logf("redis: FLUSHDB: %v", err)
	}
	s.client.Close()
}
