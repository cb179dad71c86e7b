// Package redistest gives tests Redis servers: the shared server named by
// $REDIS_URL, with a key prefix of their own that is removed afterwards,
// and private redis-server processes (a single server that a test may
// crash and restart, and a Redis Cluster of several masters) started on
// free ports in temporary directories.
//
// When a server or the redis-server program is missing the test is
// skipped, with the reason, unless $SESH_REQUIRE_SERVICES is 1: then it
// fails (package testenv), so that a CI job meant to run these tests
// cannot pass by skipping them.
//
// Private processes are killed and their directories removed when the test
// ends; on Linux they also die with the test binary (a parent-death
// signal), should it be killed before it can clean up.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/internal/testenv"
)

// Environment variables read by this package.
const (
	// URLEnv holds the URL of the shared server; default DefaultURL.
	URLEnv = "REDIS_URL"
	// ServerEnv holds the path of the redis-server program; default: found
	// in $PATH.
	ServerEnv = "SESH_REDIS_SERVER"
)

// DefaultURL is the shared server tests use when $REDIS_URL is not set.
const DefaultURL = "redis://127.0.0.1:6379/0"

// Shared returns the URL of the shared server and a key prefix unique to
// this call ("sesh-test-<random>:"). Keys matching the prefix are deleted
// when the test ends. It skips (or fails) the test if the server does not
// answer PING within two seconds.
func Shared(t testing.TB) (url, prefix string) {
	t.Helper()
	url = os.Getenv(URLEnv)
	if url == "" {
		url = DefaultURL
	}
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatalf("redistest: $%s: %v", URLEnv, err)
	}
	c := goredis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		testenv.Missing(t, "no Redis at %s ($%s): %v", url, URLEnv, err)
	}
	prefix = Prefix()
	t.Cleanup(func() {
		defer c.Close()
		if err := DeleteMatching(context.Background(), c, prefix); err != nil {
			t.Errorf("redistest: removing the keys under %q: %v", prefix, err)
		}
	})
	return url, prefix
}

// Prefix returns a new key prefix for a test, "sesh-test-<random>:".
func Prefix() string { return "sesh-test-" + randomHex(8) + ":" }

// DeleteMatching deletes every key of c that starts with prefix, on every
// master when c is a cluster client. The prefix must contain no glob
// characters.
func DeleteMatching(ctx context.Context, c goredis.UniversalClient, prefix string) error {
	del := func(ctx context.Context, node *goredis.Client) error {
		iter := node.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	switch c := c.(type) {
	case *goredis.ClusterClient:
		return c.ForEachMaster(ctx, del)
	case *goredis.Client:
		return del(ctx, c)
	}
	return fmt.Errorf("redistest: cannot scan a %T", c)
}

// serverBinary returns the path of redis-server, skipping (or failing) the
// test when there is none.
func serverBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ServerEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("redistest: $%s: %v", ServerEnv, err)
		}
		return p
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		testenv.Missing(t, "no redis-server program in $PATH (or $%s): %v", ServerEnv, err)
	}
	return p
}

// cliBinary returns the path of redis-cli, next to redis-server or in
// $PATH.
func cliBinary(t testing.TB, server string) string {
	t.Helper()
	if p, err := exec.LookPath(server[:len(server)-len("server")] + "cli"); err == nil {
		return p
	}
	p, err := exec.LookPath("redis-cli")
	if err != nil {
		testenv.Missing(t, "no redis-cli program in $PATH: %v", err)
	}
	return p
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// waitFor calls ok every 20 ms until it returns nil or timeout passes,
// then returns its last error.
func waitFor(timeout time.Duration, ok func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ok()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %w", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
