package main

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/seshgo/sesh/bench/internal/serve"
)

// postgresReader runs connect-pg-simple's get, the primary-key lookup with
// the live condition, through a pgx pool (prepared statements cached per
// connection, pgx's default, as backend/postgres runs).
func postgresReader(env serve.Env) (reader, error) {
	pool, err := pgxpool.New(context.Background(), env.PostgresURL)
	if err != nil {
		return nil, err
	}
	query := "SELECT sess FROM " + pgx.Identifier{env.PGTable}.Sanitize() + " WHERE sid = $1 AND expire >= to_timestamp($2)"
	return func(ctx context.Context, id string) ([]byte, error) {
		now := math.Ceil(float64(time.Now().UnixMilli()) / 1000)
		var sess []byte
		err := pool.QueryRow(ctx, query, id, now).Scan(&sess)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, errNotFound
		}
		return sess, err
	}, nil
}
