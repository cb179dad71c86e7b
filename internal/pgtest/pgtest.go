// Package pgtest gives tests a PostgreSQL server: the shared one named by
// $DATABASE_URL, or a private one they can crash and restart.
//
// URL checks that the shared server answers and skips the test when it does
// not, or fails it when services are required (package testenv).
//
// New creates a private cluster with initdb in a temporary directory, on a
// free port, not yet running: Start, Stop (pg_ctl stop -m immediate), Kill
// (SIGKILL to the postmaster and every backend, as a crash) and Restart
// work on the same directory and port, so that a test can take the server
// away under a client and bring it back with its data. The cluster is
// stopped and removed when the test ends.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshgo/sesh/internal/testenv"
)

// Environment variables read by this package.
const (
	// URLEnv holds the connection string of the shared server.
	URLEnv = "DATABASE_URL"
)

// DefaultURL is the shared server when $DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test"

var shared struct {
	once sync.Once
	err  error
}

// URL returns the connection string of the shared server ($DATABASE_URL,
// default DefaultURL) once it has answered a query.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(URLEnv)
	if url == "" {
		url = DefaultURL
	}
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			shared.err = err
			return
		}
		defer conn.Close(ctx)
		shared.err = conn.Ping(ctx)
	})
	if shared.err != nil {
		testenv.Missing(t, "no PostgreSQL at $%s (%s): %v", URLEnv, url, shared.err)
	}
	return url
}

// Server is a private PostgreSQL cluster.
type Server struct {
	dir  string // owned by the server's user; holds data/, the socket and the log
	bin  string // directory of initdb and pg_ctl
	port int

	mu      sync.Mutex
	running bool
}

// New creates a cluster with initdb (trust authentication, user postgres)
// on a free port of 127.0.0.1, without starting it. It skips the test when
// PostgreSQL's programs are not installed (fails it under
// $SESH_REQUIRE_SERVICES=1). When run as root, the server runs as the
// postgres user, since PostgreSQL refuses root.
func New(t testing.TB) *Server {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		testenv.Missing(t, "pgtest: %v", err)
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{dir: dir, bin: bin}
	t.Cleanup(s.cleanup)
	if os.Geteuid() == 0 {
		if err := chownToPostgres(dir); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	if s.port, err = freePort(); err != nil {
		t.Fatal(err)
	}
	if out, err := s.run("initdb", "-D", s.data(), "-A", "trust", "-U", "postgres", "-N", "-E", "UTF8", "--no-locale"); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	return s
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// Port returns the server's TCP port.
func (s *Server) Port() int { return s.port }

// URL returns the connection string of the server's postgres database.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Start starts the server and waits until it accepts connections.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -F", s.port, s.dir)
	if out, err := s.run("pg_ctl", "-D", s.data(), "-o", opts, "-l", filepath.Join(s.dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		t.Fatalf("pgtest: pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	s.running = true
}

// Stop stops the server at once (pg_ctl stop -m immediate): connections
// are cut, and the next start recovers from the write-ahead log.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.stop(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

func (s *Server) stop() error {
	if !s.running {
		return nil
	}
	if out, err := s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	s.running = false
	return nil
}

// Kill sends SIGKILL to the postmaster and all its processes, as a crash
// of the machine would end them, and waits until they are gone.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return
	}
	pid, err := s.postmaster()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	procs := append(children(pid), pid)
	for _, p := range procs {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range procs {
		for alive(p) {
			if time.Now().After(deadline) {
				t.Fatalf("pgtest: process %d survived SIGKILL", p)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// A killed postmaster may stay a zombie until init reaps it, and the
	// next postmaster would take its pid for a live server's: remove the
	// lock files it left, as PostgreSQL would for a dead process.
	sock := filepath.Join(s.dir, fmt.Sprintf(".s.PGSQL.%d", s.port))
	for _, f := range []string{filepath.Join(s.data(), "postmaster.pid"), sock + ".lock", sock} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("pgtest: %v", err)
		}
	}
	s.running = false
}

// Restart stops the server at once and starts it again on the same data
// directory and port.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop(t)
	s.Start(t)
}

// cleanup stops the server and removes its directory.
func (s *Server) cleanup() {
	s.mu.Lock()
	if err := s.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	s.mu.Unlock()
	os.RemoveAll(s.dir)
}

// run runs one of PostgreSQL's programs, as the postgres user when root.
func (s *Server) run(prog string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// postmaster returns the pid in postmaster.pid.
func (s *Server) postmaster() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.data(), "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

// children returns the pids whose parent is pid, from /proc.
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			kids = append(kids, p)
		}
	}
	return kids
}

// alive reports whether process p exists and is not a zombie.
func alive(p int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
	if err != nil {
		return false
	}
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
	fields := strings.Fields(rest)
	return len(fields) > 0 && fields[0] != "Z"
}

// binDir finds the directory of initdb and pg_ctl.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", errors.New("PostgreSQL's initdb is not installed (apt-get install postgresql)")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

// chownToPostgres gives dir to the postgres user.
func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running PostgreSQL as root needs a postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
