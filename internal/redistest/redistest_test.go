package redistest_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/internal/redistest"
	"github.com/seshgo/sesh/internal/testenv"
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

// fakeTB records how a helper ended the test.
type fakeTB struct {
	testing.TB
	fatal, skip bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Fatalf(string, ...any) { f.fatal = true; runtime.Goexit() }
func (f *fakeTB) Skip(...any)           { f.skip = true; runtime.Goexit() }

// run calls f with a fakeTB in a goroutine of its own (Fatalf and Skipf
// end it) and returns the fakeTB.
func run(f func(t testing.TB)) *fakeTB {
	tb := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(tb)
	}()
	<-done
	return tb
}

// A missing server or program skips, unless SESH_REQUIRE_SERVICES=1: then
// it fails.
func TestMissingServicesSkipOrFail(t *testing.T) {
	for _, require := range []string{"", "1"} {
		t.Setenv(testenv.RequireEnv, require)
		t.Setenv(redistest.URLEnv, "redis://127.0.0.1:1/0")
		t.Setenv(redistest.ServerEnv, "")
		t.Setenv("PATH", t.TempDir())
		for name, f := range map[string]func(testing.TB){
			"Shared": func(tb testing.TB) { redistest.Shared(tb) },
			"Start":  func(tb testing.TB) { redistest.Start(tb) },
		} {
			tb := run(f)
			if require == "1" && (!tb.fatal || tb.skip) {
				t.Errorf("%s with %s=1 and no service: fatal %v, skip %v; want a failure", name, testenv.RequireEnv, tb.fatal, tb.skip)
			}
			if require == "" && (!tb.skip || tb.fatal) {
				t.Errorf("%s with no service: fatal %v, skip %v; want a skip", name, tb.fatal, tb.skip)
			}
		}
	}
}

func TestTLSServer(t *testing.T) {
	s := redistest.StartTLS(t)
	if err := s.Client(t).Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PING over TLS: %v", err)
	}
	plain := goredis.NewClient(&goredis.Options{Addr: s.Addr, MaxRetries: -1})
	defer plain.Close()
	if err := plain.Ping(context.Background()).Err(); err == nil {
		t.Error("the TLS server answered a plain connection")
	}
}
