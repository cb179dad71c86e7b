// The harness: it builds cmd/sesh-compat, installs the Express side's
// packages (npm ci, once, when package-lock.json changed), and runs both
// servers as child processes configured by the same environment
// variables, each reporting its port. node is required (without it the
// tests skip, or fail under SESH_REQUIRE_SERVICES=1).

package interop

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/npmci"
	"github.com/seshgo/sesh/internal/proctest"
	"github.com/seshgo/sesh/internal/testenv"
)

// raceEnabled is set by race_test.go when the test binary is built with
// -race; the compat server is then built with -race too.
var raceEnabled bool

// startTimeout bounds how long a server may take to print "listening on".
const startTimeout = 30 * time.Second

// configKeys are the variables both servers read; the environment of the
// test is stripped of them so that only a test's own settings apply.
var configKeys = []string{
	"PORT", "STORE", "REDIS_URL", "REDIS_PREFIX", "DATABASE_URL", "PG_TABLE",
	"MONGODB_URI", "DB", "COLLECTION", "SECRET", "RESAVE",
	"SAVE_UNINITIALIZED", "ROLLING", "MAX_AGE_MS", "TTL_S", "TOUCH_AFTER_S",
	"STRINGIFY", "CRYPTO_SECRET", "CRYPTO_FORMAT", "COOKIE_NAME", "SAME_SITE",
	"COOKIE_SECURE", "TRUST_PROXY", "TIMESTAMPS", "AUTO_REMOVE",
	"AUTO_REMOVE_INTERVAL_MIN", "CONCURRENCY", "OP_TIMEOUT_MS", "NODE_OPTIONS",
	"DEBUG", "NODE_ENV",
}

var tempRoot string // removed by TestMain

func TestMain(m *testing.M) {
	code := m.Run()
	if tempRoot != "" {
		os.RemoveAll(tempRoot)
	}
	os.Exit(code)
}

// nodeDir returns the absolute path of interop/node.
func nodeDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("node")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// requireNode skips the test when node is not installed: the one reason
// this suite skips on its own.
func requireNode(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "interop tests need Node.js to run the Express side (node/app.mjs), and no node is on PATH: %v", err)
	}
	return p
}

var npmOnce struct {
	once sync.Once
	err  error
	log  string
}

// ensureNodeModules installs the Express side's packages, once per test
// binary, unless node_modules was installed from the current
// package-lock.json (by an earlier run or by the benchmark).
func ensureNodeModules(t testing.TB) {
	t.Helper()
	npmOnce.once.Do(func() {
		npmOnce.log, npmOnce.err = npmci.Ensure(context.Background(), nodeDir(t))
		if npmOnce.err == nil && npmOnce.log != "" {
			t.Logf("node_modules was missing or older than package-lock.json; npm ci said:\n%s", npmOnce.log)
		}
	})
	if npmOnce.err != nil {
		t.Fatalf("installing the Express side's packages: %v\n%s", npmOnce.err, npmOnce.log)
	}
}

var compatBuild struct {
	once sync.Once
	path string
	err  error
	out  string
}

// compatBinary builds ./cmd/sesh-compat once per test binary (with -race
// when the tests run with it, so that the server's races are caught too).
func compatBinary(t testing.TB) string {
	t.Helper()
	compatBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "sesh-interop-")
		if err != nil {
			compatBuild.err = err
			return
		}
		tempRoot = dir
		bin := filepath.Join(dir, "sesh-compat")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			compatBuild.err = fmt.Errorf("building it needs the go command: %w", err)
			return
		}
		args := []string{"build", "-o", bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, "github.com/seshgo/sesh/cmd/sesh-compat")
		cmd := exec.Command(goTool, args...)
		out, err := cmd.CombinedOutput()
		compatBuild.path, compatBuild.err, compatBuild.out = bin, err, string(out)
	})
	if compatBuild.err != nil {
		t.Fatalf("building cmd/sesh-compat: %v\n%s", compatBuild.err, compatBuild.out)
	}
	return compatBuild.path
}

// Side names a server implementation.
type Side string

const (
	Express Side = "express"
	Sesh    Side = "sesh"
)

// server is a running Express app or compat server.
type server struct {
	side Side
	name string // for messages: side plus what distinguishes it
	url  string // http://127.0.0.1:PORT
	env  map[string]string

	cmd  *exec.Cmd
	proc proctest.Process
	done <-chan struct{} // closed when the process has exited
	out  *syncBuffer     // stdout and stderr
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// environ returns the test's environment without the servers' settings,
// plus env.
func environ(env map[string]string) []string {
	drop := map[string]bool{}
	for _, k := range configKeys {
		drop[k] = true
	}
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

var listening = regexp.MustCompile(`(?m)^listening on (\d+)\r?$`)

// startServer runs side with env and waits until it listens.
func startServer(t *testing.T, side Side, name string, env map[string]string) *server {
	t.Helper()
	s := launch(t, side, name, env)
	s.await(t)
	return s
}

// launch starts side with a copy of env (PORT set to 0) and stops the
// process when the test ends. Its output is shown if the test fails, and a
// data race reported by the compat server fails the test. Call await
// before using it.
func launch(t *testing.T, side Side, name string, env map[string]string) *server {
	t.Helper()
	var cmd *exec.Cmd
	switch side {
	case Express:
		node := requireNode(t)
		ensureNodeModules(t)
		cmd = exec.Command(node, "app.mjs")
		cmd.Dir = nodeDir(t)
	case Sesh:
		cmd = exec.Command(compatBinary(t))
	default:
		t.Fatalf("unknown side %q", side)
	}
	env = merge(env, map[string]string{"PORT": "0"})
	cmd.Env = environ(env)
	if side == Sesh && raceEnabled && os.Getenv("GORACE") == "" {
		// The race runtime waits a second before exiting, by default.
		cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0")
	}
	s := &server{side: side, name: name, env: env, cmd: cmd, out: &syncBuffer{}}
	cmd.Stdout = s.out
	cmd.Stderr = s.out
	var err error
	if s.done, err = s.proc.Start(cmd); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Cleanup(func() {
		s.proc.Stop()
		out := s.out.String()
		if strings.Contains(out, "DATA RACE") {
			t.Errorf("%s reported a data race:\n%s", name, out)
		} else if t.Failed() && strings.TrimSpace(out) != "" {
			t.Logf("output of %s:\n%s", name, out)
		}
	})
	return s
}

// await waits until the server prints "listening on PORT".
func (s *server) await(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		if m := listening.FindStringSubmatch(s.out.String()); m != nil {
			s.url = "http://127.0.0.1:" + m[1]
			return
		}
		if s.exited(10 * time.Millisecond) {
			t.Fatalf("%s exited before listening (%v):\n%s", s.name, s.cmd.ProcessState, s.out.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not print \"listening on PORT\" within %v:\n%s", s.name, startTimeout, s.out.String())
		}
	}
}

// exited reports whether the process has ended, waiting up to d.
func (s *server) exited(d time.Duration) bool {
	select {
	case <-s.done:
		return true
	case <-time.After(d):
		return false
	}
}
