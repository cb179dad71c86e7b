package compat

import (
	"log/slog"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
)

// openRedis opens the Redis backend with connect-redis's layout: REDIS_PREFIX
// as the key prefix (default sess:), TTL_S for browser-session cookies
// (default connect-redis's 86,400 s).
func openRedis(c Config, logger *slog.Logger) (backend.Backend, error) {
	return redis.New(redis.Options{
		URL:              c.RedisURL,
		Prefix:           c.RedisPrefix,
		TTL:              c.TTL,
		OperationTimeout: c.OpTimeout,
	})
}
