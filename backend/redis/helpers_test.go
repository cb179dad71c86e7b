package redis_test

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/internal/redistest"
)

// shared opens a Store on the shared server, under a prefix of its own
// that is removed when the test ends, and returns it with a client of the
// same server for looking at the keys.
func shared(t *testing.T, opts redis.Options) (*redis.Store, *goredis.Client, string) {
	t.Helper()
	url, base := redistest.Shared(t)
	if opts.Prefix == "" && !opts.NoPrefix {
		opts.Prefix = base + "sess:"
	}
	if opts.Owners && opts.OwnersPrefix == "" {
		opts.OwnersPrefix = base + "owners:"
	}
	opts.URL = url
	s, err := redis.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	o, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return s, c, opts.Prefix
}

var ctx = context.Background()
