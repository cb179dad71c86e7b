package compat

import (
	"errors"
	"log/slog"

	"github.com/seshgo/sesh/backend"
)

// openRedis opens the Redis backend. (backend/redis is not wired in yet.)
func openRedis(c Config, logger *slog.Logger) (backend.Backend, error) {
	return nil, errors.New("compat: REDIS_URL is not supported yet")
}
