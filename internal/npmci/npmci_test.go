package npmci_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/seshgo/sesh/internal/npmci"
)

// fakeNPM puts an npm on PATH that makes node_modules and counts its runs
// in the returned file.
func fakeNPM(t *testing.T) (runs string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake npm is a shell script")
	}
	bin := t.TempDir()
	runs = filepath.Join(t.TempDir(), "runs")
	script := "#!/bin/sh\nmkdir -p node_modules && echo \"$*\" >> " + runs + " && echo installed\n"
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return runs
}

func runCount(t *testing.T, runs string) int {
	t.Helper()
	b, err := os.ReadFile(runs)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func TestInstallsOncePerLockFile(t *testing.T) {
	runs := fakeNPM(t)
	app := t.TempDir()
	lock := filepath.Join(app, "package-lock.json")
	if err := os.WriteFile(lock, []byte(`{"lockfileVersion": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := npmci.Ensure(t.Context(), app)
	if err != nil || !strings.Contains(out, "installed") || runCount(t, runs) != 1 {
		t.Fatalf("first call: output %q, error %v, %d npm runs; want npm ci to run once", out, err, runCount(t, runs))
	}
	if b, _ := os.ReadFile(runs); !strings.HasPrefix(string(b), "ci ") {
		t.Errorf("npm ran as npm %s, want npm ci", b)
	}
	out, err = npmci.Ensure(t.Context(), app)
	if err != nil || out != "" || runCount(t, runs) != 1 {
		t.Fatalf("second call, lock unchanged: output %q, error %v, %d npm runs; want no install", out, err, runCount(t, runs))
	}
	if err := os.WriteFile(lock, []byte(`{"lockfileVersion": 3, "packages": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := npmci.Ensure(t.Context(), app); err != nil || runCount(t, runs) != 2 {
		t.Fatalf("after the lock changed: error %v, %d npm runs; want a second install", err, runCount(t, runs))
	}
}

func TestWithoutNPM(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	app := t.TempDir()
	if err := os.WriteFile(filepath.Join(app, "package-lock.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := npmci.Ensure(t.Context(), app); err == nil || !strings.Contains(err.Error(), "npm is not on PATH") {
		t.Fatalf("without npm and node_modules: %v; want an error saying npm is missing", err)
	}
}
