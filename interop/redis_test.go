package interop

import (
	"errors"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/internal/redistest"
)

// keyspace is a test's own key prefix on the shared Redis server; its keys
// are deleted when the test ends.
type keyspace struct {
	url    string
	prefix string
	client *goredis.Client
}

func newKeyspace(t *testing.T) *keyspace {
	t.Helper()
	url, prefix := redistest.Shared(t)
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return &keyspace{url: url, prefix: prefix, client: c}
}

func (k *keyspace) place(t *testing.T, name string) place {
	return &redisPlace{ks: k, prefix: k.prefix + name + ":"}
}

// redisPlace is one prefix of a keyspace, as connect-redis's prefix
// option and sesh's Options.Prefix name it.
type redisPlace struct {
	ks     *keyspace
	prefix string
}

func (p *redisPlace) String() string  { return "Redis keys " + p.prefix + "*" }
func (p *redisPlace) kind() storeKind { return redisStore }

func (p *redisPlace) env() map[string]string {
	return map[string]string{"STORE": "redis", "REDIS_URL": p.ks.url, "REDIS_PREFIX": p.prefix}
}

func (p *redisPlace) get(t *testing.T, id string) *stored {
	t.Helper()
	return p.read(t, p.prefix+id)
}

// read returns the string value of key and its expiry, nil if there is no
// such key.
func (p *redisPlace) read(t *testing.T, key string) *stored {
	t.Helper()
	var (
		val *goredis.StringCmd
		exp *goredis.DurationCmd
	)
	_, err := p.ks.client.Pipelined(ctx(t), func(pipe goredis.Pipeliner) error {
		val = pipe.Get(ctx(t), key)
		exp = pipe.PExpireTime(ctx(t), key)
		return nil
	})
	if errors.Is(err, goredis.Nil) {
		return nil
	}
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	s := &stored{text: val.Val()}
	if ms := exp.Val(); ms > 0 {
		s.expires = time.UnixMilli(ms.Milliseconds()).UTC()
	}
	s.version = strconv.FormatInt(exp.Val().Milliseconds(), 10)
	s.shape = func(t *testing.T, dec decrypter, format string) docShape {
		fields := "string with TTL"
		if s.expires.IsZero() {
			fields = "string without TTL"
		}
		return textShape(t, fields, s.text, dec, format)
	}
	return s
}

func (p *redisPlace) all(t *testing.T) map[string]*stored {
	t.Helper()
	out := map[string]*stored{}
	iter := p.ks.client.Scan(ctx(t), 0, p.prefix+"*", 100).Iterator()
	for iter.Next(ctx(t)) {
		key := iter.Val()
		if s := p.read(t, key); s != nil {
			out[key[len(p.prefix):]] = s
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("listing %s: %v", p, err)
	}
	return out
}

func (p *redisPlace) setExpiry(t *testing.T, id string, when time.Time) {
	t.Helper()
	ok, err := p.ks.client.PExpireAt(ctx(t), p.prefix+id, when).Result()
	if err != nil || !ok {
		t.Fatalf("moving the expiry of session %s in %s: %v (key found: %v)", id, p, err, ok)
	}
}
