package redistest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/seshgo/sesh/internal/proctest"
)

// Servers' directories live under $TMPDIR/sesh-redistest, in a directory
// per test process named p<pid>-<random>. A test removes its servers'
// directories when it ends; a test binary that was killed cannot, so the
// first server a later test binary starts removes the directories of
// processes that no longer run.

var processDir = sync.OnceValues(func() (string, error) {
	base := filepath.Join(os.TempDir(), "sesh-redistest")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	sweepDead(base)
	return os.MkdirTemp(base, "p"+strconv.Itoa(os.Getpid())+"-")
})

// sweepDead removes the directories under base of processes that are gone.
func sweepDead(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), "p")
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(name, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if !proctest.Alive(pid) {
			os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
}

// serverDir returns a new directory for a server, removed when the test
// ends.
func serverDir(t testing.TB) string {
	t.Helper()
	parent, err := processDir()
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	dir, err := os.MkdirTemp(parent, "server-")
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
