package main

import (
	"bufio"
	"context"
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

// redisDB is the private redis-server, which holds one contestant's keys
// at a time.
type redisDB struct {
	server *dbserver.Redis
	client *redis.Client
}

func (h *harness) startRedis(ctx context.Context) (*redisDB, error) {
	srv, err := h.redisServer(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := redis.ParseURL(srv.URL())
	if err != nil {
		return nil, err
	}
	opts.ReadTimeout = time.Minute // FLUSHALL of a million keys
	return &redisDB{server: srv, client: redis.NewClient(opts)}, nil
}

func (r *redisDB) close() { r.client.Close() }

func (r *redisDB) classify(key string) (string, ops.Class) { return ops.Redis(key) }

func (r *redisDB) cpu() (time.Duration, error) { return r.server.Proc.CPU() }

// snapshot reads the calls of each command from INFO commandstats. The
// server counts every client's commands, the harness's INFO included
// (upkeep), which is why each contestant has the server to itself.
func (r *redisDB) snapshot(ctx context.Context) (ops.Counts, error) {
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

// fresh empties the server: each contestant has it to itself.
func (r *redisDB) fresh(ctx context.Context, sys system) (store, error) {
	if err := r.client.FlushAll(ctx).Err(); err != nil {
		return nil, err
	}
	return &redisStore{r: r}, nil
}

type redisStore struct{ r *redisDB }

// env points the contestant at the server, with each store's default key
// prefix (sess: for sesh, Express and the limit; scs:session: for scs).
func (s *redisStore) env() []string {
	return []string{"STORE=redis", "REDIS_URL=" + s.r.server.URL()}
}

// put writes the sessions in one pipeline: connect-redis's SET key value
// EX ttl, or goredisstore's SET key value PX ttl.
func (s *redisStore) put(ctx context.Context, l layout, ids, users []string, expires time.Time) error {
	_, err := s.r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
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
	return s.r.client.DBSize(ctx).Result()
}

func (s *redisStore) drop() {
	if err := s.r.client.FlushAll(context.Background()).Err(); err != nil {
		logf("redis: FLUSHALL: %v", err)
	}
}
