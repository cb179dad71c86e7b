package redis_test

import (
	"context"
	"testing"
	"time"

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

// private opens a Store on a redis-server of its own (the default prefix
// unless opts sets one).
func private(t *testing.T, opts redis.Options) (*redis.Store, *redistest.Server, *goredis.Client) {
	t.Helper()
	srv := redistest.Start(t)
	opts.URL = srv.URL
	s, err := redis.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, srv, srv.Client(t)
}

// expressJSON is a session as express-session 1.19 serializes it.
func expressJSON(expires time.Time, user string) []byte {
	return []byte(`{"cookie":{"originalMaxAge":3600000,"expires":"` + expires.UTC().Format("2006-01-02T15:04:05.000Z") + `","httpOnly":true,"path":"/"},"user":"` + user + `"}`)
}

// args returns the arguments of cmds, one string per command.
func args(cmds []redistest.Command) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.String()
		if c.Lua {
			out[i] = "lua: " + out[i]
		}
	}
	return out
}

// opener opens an empty Store with opts (Prefix and OwnersPrefix chosen
// unless set) and returns it with a client of the same server or cluster
// and the session prefix.
type opener func(t *testing.T, opts redis.Options) (*redis.Store, goredis.UniversalClient, string)

func sharedOpener(t *testing.T, opts redis.Options) (*redis.Store, goredis.UniversalClient, string) {
	s, c, prefix := shared(t, opts)
	return s, c, prefix
}

// clusterOpener opens Stores on cl, by URL, each under a prefix of its own
// removed when the test ends.
func clusterOpener(cl *redistest.Cluster) opener {
	return func(t *testing.T, opts redis.Options) (*redis.Store, goredis.UniversalClient, string) {
		t.Helper()
		base := redistest.Prefix()
		if opts.Prefix == "" && !opts.NoPrefix {
			opts.Prefix = base + "sess:"
		}
		if opts.Owners && opts.OwnersPrefix == "" {
			opts.OwnersPrefix = base + "owners:"
		}
		opts.URL, opts.Cluster = cl.URL(), true
		c := cl.Client(t)
		t.Cleanup(func() {
			if err := redistest.DeleteMatching(ctx, c, base); err != nil {
				t.Errorf("removing %s*: %v", base, err)
			}
		})
		s, err := redis.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, c, opts.Prefix
	}
}
