package main

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/bench/internal/serve"
)

// redisReader sends GET prefix+id through a go-redis client made from the
// URL as backend/redis makes its own (context deadlines honoured on the
// network).
func redisReader(env serve.Env) (reader, error) {
	opts, err := redis.ParseURL(env.RedisURL)
	if err != nil {
		return nil, err
	}
	opts.ContextTimeoutEnabled = true
	client := redis.NewClient(opts)
	prefix := env.RedisPrefix
	if prefix == "" {
		prefix = "sess:"
	}
	return func(ctx context.Context, id string) ([]byte, error) {
		b, err := client.Get(ctx, prefix+id).Bytes()
		if errors.Is(err, redis.Nil) {
			return nil, errNotFound
		}
		return b, err
	}, nil
}
