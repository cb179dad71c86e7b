package dbserver

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/testenv"
)

// roundTrip sends one request on the wire and returns the first line of
// the answer.
func roundTrip(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		testenv.Missing(t, "redis-server is not installed: %v", err)
	}
	dir := t.TempDir()
	r, err := StartRedis(context.Background(), dir, filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, r.Addr, "PING\r\n"); got != "+PONG\r\n" {
		t.Errorf("PING answered %q", got)
	}
	if !strings.HasPrefix(r.URL(), "redis://127.0.0.1:") {
		t.Errorf("URL %q", r.URL())
	}
	if err := r.Proc.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

func TestPostgres(t *testing.T) {
	if _, err := PostgresBin(); err != nil {
		testenv.Missing(t, "%v", err)
	}
	if testing.Short() {
		t.Skip("initdb takes seconds")
	}
	log := filepath.Join(t.TempDir(), "log")
	p, err := StartPostgres(context.Background(), log)
	if err != nil {
		t.Fatal(err)
	}
	// An SSLRequest: a server that speaks PostgreSQL's protocol answers
	// with one byte, N (no TLS here).
	if got := roundTrip(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Port)), "\x00\x00\x00\x08\x04\xd2\x16\x2f"); got != "N" {
		t.Errorf("SSLRequest answered %q", got)
	}
	if cpu, err := p.Proc.TreeCPU(); err != nil || cpu <= 0 {
		t.Errorf("TreeCPU = %v, %v", cpu, err)
	}
	dir := p.dir
	if err := p.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s survived Stop (%v)", dir, err)
	}
}
