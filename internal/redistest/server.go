package redistest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/internal/proctest"
)

// startTimeout bounds how long a server may take to accept connections.
const startTimeout = 20 * time.Second

// Server is a private redis-server process.
type Server struct {
	// Addr is the server's address, 127.0.0.1:PORT; Restart keeps it.
	Addr string
	// URL is redis://Addr/0.
	URL string
	// Dir is the server's working directory (its log and, for cluster
	// nodes, nodes.conf).
	Dir string
	// TLS is the client configuration of a server from StartTLS, nil for
	// others.
	TLS *tls.Config

	bin  string
	args []string
	proc proctest.Process
}

// Start runs a redis-server with persistence off on a free port, in a
// directory of its own, and waits until it answers PING. It is stopped,
// and its directory removed, when the test ends; its log is shown if the
// test failed.
func Start(t testing.TB) *Server {
	t.Helper()
	s := newServer(t, nil)
	if err := s.start(); err != nil {
		t.Fatalf("redistest: %v\n%s", err, s.Log())
	}
	return s
}

// StartDurable is Start with an append-only file fsynced before every
// reply (appendonly yes, appendfsync always): a write the server
// acknowledged survives a Kill and comes back with Restart, as on a
// production Redis configured for it.
func StartDurable(t testing.TB) *Server {
	t.Helper()
	s := newServer(t, []string{"--appendonly", "yes", "--appendfsync", "always"})
	if err := s.start(); err != nil {
		t.Fatalf("redistest: %v\n%s", err, s.Log())
	}
	return s
}

// newServer prepares a server on a free port, with extra arguments, and
// registers its cleanup, without starting it.
func newServer(t testing.TB, extra []string) *Server {
	t.Helper()
	bin := serverBinary(t)
	port, err := freePort()
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	dir := serverDir(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &Server{Addr: addr, URL: "redis://" + addr + "/0", Dir: dir, bin: bin}
	s.args = append([]string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"),
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
	}, extra...)
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("redistest: log of redis-server %s:\n%s", s.Addr, s.Log())
		}
	})
	return s
}

// freePort returns a TCP port on 127.0.0.1 that is free, and whose cluster
// bus port (port+10000) is free too.
func freePort() (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		if port+10000 > 65535 {
			l.Close()
			continue
		}
		bus, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		l.Close()
		if err != nil {
			continue
		}
		bus.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port pair found")
}

// Log returns the server's log so far, across restarts.
func (s *Server) Log() string {
	b, err := os.ReadFile(filepath.Join(s.Dir, "redis.log"))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return string(b)
}

func (s *Server) start() error {
	var err error
	// The port of a killed process is normally free at once; retry in
	// case the system is slow to release it.
	for range 5 {
		if err = s.startOnce(); err == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}

func (s *Server) startOnce() error {
	cmd := exec.Command(s.bin, s.args...)
	done, err := s.proc.Start(cmd)
	if err != nil {
		return fmt.Errorf("starting %s: %w", s.bin, err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr, TLSConfig: s.TLS, MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	err = waitFor(startTimeout, func() error {
		select {
		case <-done:
			return fmt.Errorf("redis-server exited (%v)", cmd.ProcessState)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return c.Ping(ctx).Err()
	})
	if err != nil {
		s.proc.Kill() // not to leave it running when start tries again
	}
	return err
}

// Kill stops the process with SIGKILL, as a crash would, and waits for it
// to exit. With persistence off, its data is lost.
func (s *Server) Kill() { s.proc.Kill() }

// Stop stops the process with SIGTERM and waits for it to exit, killing it
// after ten seconds. Stop is idempotent.
func (s *Server) Stop() { s.proc.Stop() }

// Restart starts the server again after Kill or Stop (stopping it first if
// it runs), on the same port and directory, and waits until it answers.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		t.Fatalf("redistest: restart: %v\n%s", err, s.Log())
	}
}

// Client returns a go-redis client of the server, closed when the test
// ends.
func (s *Server) Client(t testing.TB) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr, TLSConfig: s.TLS})
	t.Cleanup(func() { c.Close() })
	return c
}
