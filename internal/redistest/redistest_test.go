package redistest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/internal/redistest"
)

func TestServerKillRestart(t *testing.T) {
	s := redistest.Start(t)
	c := s.Client(t)
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := c.Ping(short).Err(); err == nil {
		t.Fatal("PING answered after Kill")
	}
	s.Restart(t)
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Restart: %v", err)
	}
	if n, _ := c.Exists(ctx, "k").Result(); n != 0 {
		t.Fatal("a key survived a crash of a server without persistence")
	}
}

func TestClusterSpreadsKeysOverEveryMaster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	opts, err := goredis.ParseClusterURL(cl.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClusterClient(opts)
	defer c.Close()
	ctx := context.Background()
	for i := range 100 {
		if err := c.Set(ctx, fmt.Sprint("k", i), "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for _, s := range cl.Nodes {
		n, err := s.Client(t).DBSize(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("node %s holds no key of 100: the slots are not spread", s.Addr)
		}
		total += int(n)
	}
	if total != 100 {
		t.Errorf("the nodes hold %d keys, want 100", total)
	}
}

func TestSharedPrefixIsCleanedUp(t *testing.T) {
	var prefix, url string
	t.Run("use", func(t *testing.T) {
		url, prefix = redistest.Shared(t)
		opts, _ := goredis.ParseURL(url)
		c := goredis.NewClient(opts)
		defer c.Close()
		if err := c.Set(context.Background(), prefix+"x", "v", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
	})
	if prefix == "" {
		t.Skip("no shared server")
	}
	opts, _ := goredis.ParseURL(url)
	c := goredis.NewClient(opts)
	defer c.Close()
	if n, _ := c.Exists(context.Background(), prefix+"x").Result(); n != 0 {
		t.Fatalf("%sx survived the test's cleanup", prefix)
	}
}
