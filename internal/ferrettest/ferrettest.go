// Package ferrettest runs FerretDB, a MongoDB wire-protocol server, as a
// child process for tests, so that sesh's MongoDB code is tested against a
// real server on machines with no MongoDB and no Docker.
//
// The server is the program in tools/ferretdb (FerretDB v1.24.0 embedded in
// a small main package, in a module of its own). Binary builds it once and
// caches it; Start runs it with the SQLite handler in a temporary directory
// or with the PostgreSQL handler; Kill, Stop and Restart let a test crash
// and revive it on the same data and port.
//
// FerretDB v1.24.0 differs from MongoDB in ways tests must allow for: it
// has no TTL indexes (createIndexes with expireAfterSeconds fails with
// NotImplemented), and it answers writes sent with an unacknowledged write
// concern, which shifts the replies on that connection.
package ferrettest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/proctest"
	"github.com/seshgo/sesh/internal/testenv"
)

// Version is the FerretDB release that tools/ferretdb embeds.
const Version = "v1.24.0"

// PostgreSQLURL is the PostgreSQL server the postgresql handler uses unless
// Options.PostgreSQLURL says otherwise.
const PostgreSQLURL = "postgres://root@127.0.0.1:5432/test"

// BinaryEnv names the environment variable that, when set, holds the path
// of a ready-built tools/ferretdb binary. scripts/test sets it so that test
// binaries do not build their own.
const BinaryEnv = "SESH_FERRETDB_BIN"

// startTimeout bounds how long Start waits for the server to accept
// connections.
const startTimeout = 60 * time.Second

var build struct {
	mu   sync.Mutex
	path string
}

// Binary returns the path of the FerretDB program: $SESH_FERRETDB_BIN when
// set, otherwise tools/ferretdb built once into the user cache directory
// (os.UserCacheDir()/sesh/ferretdb-v1.24.0/<hash of its sources>). Building
// writes a temporary file and renames it into place, so test binaries that
// build at the same time do not see a half-written program. It fails the
// test if the program cannot be found or built.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(BinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("ferrettest: $%s: %v", BinaryEnv, err)
		}
		return p
	}
	build.mu.Lock()
	defer build.mu.Unlock()
	if build.path != "" {
		return build.path
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	p, err := buildBinary(t, cache)
	if err != nil {
		t.Fatalf("ferrettest: %v", err)
	}
	build.path = p
	return p
}

// buildBinary builds tools/ferretdb under cache, unless it is there.
func buildBinary(t testing.TB, cache string) (string, error) {
	src, err := sourceDir()
	if err != nil {
		return "", err
	}
	key, err := sourceKey(src)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "sesh", "ferretdb-"+Version, key)
	bin := filepath.Join(dir, "ferretdb")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building %s needs the go command: %w", src, err)
	}
	tmp, err := os.CreateTemp(dir, "ferretdb-*.tmp")
	if err != nil {
		return "", err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	t.Logf("ferrettest: building FerretDB %s from %s (once; cached in %s)", Version, src, dir)
	cmd := exec.Command(goTool, "build", "-C", src, "-o", tmp.Name(), ".")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -C %s: %v\n%s", src, err, out)
	}
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// sourceDir finds tools/ferretdb: next to this file when the sources are
// available, else above the working directory.
func sourceDir() (string, error) {
	var candidates []string
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "..", "..", "tools", "ferretdb"))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			candidates = append(candidates, filepath.Join(d, "tools", "ferretdb"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "main.go")); err == nil {
			return filepath.Clean(c), nil
		}
	}
	return "", errors.New("cannot find tools/ferretdb; set " + BinaryEnv)
}

// sourceKey hashes the files that determine the program, so that a change
// to tools/ferretdb, or another Go release, builds a new binary.
func sourceKey(src string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, name := range []string{"go.mod", "go.sum", "main.go"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Options configure Start.
type Options struct {
	// Handler is FerretDB's storage: "sqlite" (default) or "postgresql".
	Handler string

	// Dir holds the SQLite databases. Empty means a new t.TempDir().
	Dir string

	// Port is the TCP port on 127.0.0.1. Zero lets the system pick a free
	// one.
	Port int

	// PostgreSQLURL is the server the postgresql handler uses. Default
	// PostgreSQLURL.
	PostgreSQLURL string
}

// Server is a running FerretDB process.
type Server struct {
	// URI is the server's connection string, mongodb://127.0.0.1:PORT/.
	URI string
	// Dir is the SQLite directory (empty for the postgresql handler).
	Dir string
	// Port is the TCP port the server listens on; Restart keeps it.
	Port int

	opts Options
	bin  string
	log  string // path of the file holding the process output

	mu   sync.Mutex // held while the process starts
	proc proctest.Process
}

// Start runs FerretDB and waits until it accepts connections. The process
// is stopped when the test ends, and its output is shown if the test
// failed.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Handler == "" {
		opts.Handler = "sqlite"
	}
	if opts.PostgreSQLURL == "" {
		opts.PostgreSQLURL = PostgreSQLURL
	}
	switch opts.Handler {
	case "sqlite":
		if opts.Dir == "" {
			opts.Dir = t.TempDir()
		}
	case "postgresql":
		if !PostgresReachable() {
			testenv.Missing(t, "ferrettest: PostgreSQL is not reachable on 127.0.0.1:5432")
		}
	default:
		t.Fatalf("ferrettest: unknown handler %q", opts.Handler)
	}
	logDir := t.TempDir()
	s := &Server{Dir: opts.Dir, Port: opts.Port, opts: opts, bin: Binary(t), log: filepath.Join(logDir, "ferretdb.log")}
	if opts.Handler != "sqlite" {
		s.Dir = ""
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("ferrettest: output of FerretDB (%s handler):\n%s", s.opts.Handler, s.Output())
		}
	})
	if err := s.start(); err != nil {
		t.Fatalf("ferrettest: %v\n%s", err, s.Output())
	}
	return s
}

// Output returns what the process has written to stdout and stderr so far,
// across restarts.
func (s *Server) Output() string {
	b, err := os.ReadFile(s.log)
	if err != nil {
		return "(no output: " + err.Error() + ")"
	}
	return string(b)
}

func (s *Server) start() error {
	var err error
	// A port just released by a killed process is normally free at once;
	// retry a few times in case the system is slow to release it.
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.startOnce(); err == nil {
			return nil
		}
		if s.Port == 0 {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}

func (s *Server) startOnce() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	args := []string{"-handler", s.opts.Handler, "-listen", "127.0.0.1:" + strconv.Itoa(s.Port)}
	switch s.opts.Handler {
	case "sqlite":
		args = append(args, "-dir", s.opts.Dir)
	case "postgresql":
		args = append(args, "-postgresql-url", s.opts.PostgreSQLURL)
	}
	logFile, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	fmt.Fprintf(logFile, "--- %s %s\n", s.bin, strings.Join(args, " "))
	offset, err := logFile.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}

	cmd := exec.Command(s.bin, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	done, err := s.proc.Start(cmd)
	if err != nil {
		return fmt.Errorf("starting %s: %w", s.bin, err)
	}

	deadline := time.Now().Add(startTimeout)
	for {
		if uri, ok := readURI(s.log, offset); ok {
			port, err := portOf(uri)
			if err != nil {
				return err
			}
			s.URI, s.Port = uri, port
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("FerretDB exited before it was ready (%v)", cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("FerretDB was not ready after %v", startTimeout)
		}
	}
}

// readURI looks for the MONGODB_URI line past offset in the log file.
func readURI(path string, offset int64) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return "", false
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if uri, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "MONGODB_URI="); ok {
			return uri, true
		}
	}
	return "", false
}

func portOf(uri string) (int, error) {
	rest := strings.TrimPrefix(uri, "mongodb://")
	host, _, _ := strings.Cut(rest, "/")
	_, port, err := net.SplitHostPort(host)
	if err != nil {
		return 0, fmt.Errorf("unexpected URI %q: %w", uri, err)
	}
	return strconv.Atoi(port)
}

// Kill stops the process with SIGKILL, as a crash would, and waits for it
// to exit. Data the server acknowledged before stays on disk.
func (s *Server) Kill() { s.proc.Kill() }

// Stop stops the process with SIGTERM and waits for it to exit (killing it
// if it has not exited after ten seconds). Stop is idempotent.
func (s *Server) Stop() { s.proc.Stop() }

// Restart starts the server again after Kill or Stop (stopping it first if
// it is running), on the same directory and port, and waits until it
// accepts connections.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		t.Fatalf("ferrettest: restart: %v\n%s", err, s.Output())
	}
}

// PostgresReachable reports whether something accepts TCP connections on
// 127.0.0.1:5432, where FerretDB's postgresql handler expects PostgreSQL.
func PostgresReachable() bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:5432", 300*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
