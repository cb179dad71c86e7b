package redis_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/internal/redistest"
)

// On a Ring, listings cover every shard; the owner index is refused.
func TestRing(t *testing.T) {
	a, b := redistest.Start(t), redistest.Start(t)
	ring := goredis.NewRing(&goredis.RingOptions{Addrs: map[string]string{"a": a.Addr, "b": b.Addr}})
	defer ring.Close()
	if _, err := redis.New(redis.Options{Client: ring, Owners: true}); err == nil || !strings.Contains(err.Error(), "Ring") {
		t.Errorf("New with Owners on a Ring = %v, want a refusal", err)
	}
	s, err := redis.New(redis.Options{Client: ring})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 60
	for i := range n {
		if _, err := s.Create(ctx, backend.Record{ID: fmt.Sprint(i), Data: sessJSON(``), Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, srv := range []*redistest.Server{a, b} {
		if k := srv.Client(t).DBSize(ctx).Val(); k == 0 || k == n {
			t.Fatalf("a shard holds %d of %d sessions: the ring does not spread them", k, n)
		}
	}
	count := 0
	for _, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != n {
		t.Errorf("All yielded %d sessions, want %d", count, n)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Len(ctx); got != 0 {
		t.Errorf("Len after Clear = %d", got)
	}
}
