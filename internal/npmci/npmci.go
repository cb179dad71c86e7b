// Package npmci installs the packages of a Node.js application with npm ci
// when its node_modules was not installed from its package-lock.json as it
// is now. The hash of the lock file the packages came from is kept in
// node_modules, so that the interop tests and the benchmark, which run
// the same application (interop/node), install it once between them and
// again only when the lock file changes.
package npmci

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// stampName is the file in node_modules holding the hash of the
// package-lock.json its packages were installed from.
const stampName = ".sesh-interop-lock.sha256"

// Ensure runs npm ci in dir unless dir/node_modules was installed from
// dir/package-lock.json as it is now. It returns npm's output when npm
// ran, "" when the packages were already there.
func Ensure(ctx context.Context, dir string) (output string, err error) {
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:]) + "\n"
	stamp := filepath.Join(dir, "node_modules", stampName)
	if got, err := os.ReadFile(stamp); err == nil && bytes.Equal(got, []byte(want)) {
		return "", nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("%s/node_modules is missing or older than package-lock.json, and npm is not on PATH to install it: %w", dir, err)
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("npm ci in %s: %w", dir, err)
	}
	return string(out), os.WriteFile(stamp, []byte(want), 0o644)
}
