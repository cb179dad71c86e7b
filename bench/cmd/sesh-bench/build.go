package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// binaries are the programs the contestants run. A contestant whose
// program failed to build has its error instead.
type binaries struct {
	ferret, compat, scs, limit string
	errs                       map[string]error // by system name
}

// build builds every program into dir, FerretDB only if the MongoDB suite
// runs; go build relinks only what changed. Only FerretDB's failure is
// fatal.
func build(ctx context.Context, cfg config, dir string) (binaries, error) {
	b := binaries{
		ferret: filepath.Join(dir, "ferretdb"),
		compat: filepath.Join(dir, "sesh-compat"),
		scs:    filepath.Join(dir, "scs-mongo"),
		limit:  filepath.Join(dir, "limit"),
		errs:   map[string]error{},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return b, err
	}
	logf("building the programs into %s", dir)
	if cfg.runs(mongoSuite) {
		if err := goBuild(ctx, filepath.Join(cfg.root, "tools", "ferretdb"), b.ferret, "."); err != nil {
			return b, err
		}
	}
	for _, p := range []struct {
		system, dir, out, pkg string
	}{
		{"sesh", cfg.root, b.compat, "./cmd/sesh-compat"},
		{"scs", cfg.benchDir, b.scs, "./cmd/scs-mongo"},
		{"limit", cfg.benchDir, b.limit, "./cmd/limit"},
	} {
		if err := goBuild(ctx, p.dir, p.out, p.pkg); err != nil {
			logf("%s: %v", p.system, err)
			b.errs[p.system] = err
		}
	}
	if err := nodeReady(ctx, cfg); err != nil {
		logf("express: %v", err)
		b.errs["express"] = err
	}
	return b, nil
}

func goBuild(ctx context.Context, dir, out, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %v\n%s", pkg, dir, err, strings.TrimSpace(string(msg)))
	}
	return nil
}

// nodeReady checks for node and installs the Express application's
// dependencies if they are missing.
func nodeReady(ctx context.Context, cfg config) error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("node is not installed: %w", err)
	}
	dir := filepath.Join(cfg.root, "interop", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "connect-mongo")); err == nil {
		return nil
	}
	logf("express: npm ci in %s", dir)
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci: %v\n%s", err, strings.TrimSpace(string(msg)))
	}
	return nil
}
