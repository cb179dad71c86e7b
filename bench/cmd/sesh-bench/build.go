package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/seshgo/sesh/internal/npmci"
)

// binaries are the programs the run uses, all built before anything is
// measured, so that no compiler or download runs meanwhile and no tool's
// chatter reaches the results. A program that failed to build has its
// error instead.
type binaries struct {
	ferret, compat, scs, limit, bare string
	listing, memsize                 string
	micro, benchstat                 string           // the micro-benchmarks' test binary, benchstat
	errs                             map[string]error // by system or program name
}

// build builds every program into dir, FerretDB only if a suite needs it;
// go build relinks only what changed. Only FerretDB's failure is fatal.
func build(ctx context.Context, cfg config, dir string) (binaries, error) {
	b := binaries{
		ferret:    filepath.Join(dir, "ferretdb"),
		compat:    filepath.Join(dir, "sesh-compat"),
		scs:       filepath.Join(dir, "scs"),
		limit:     filepath.Join(dir, "limit"),
		bare:      filepath.Join(dir, "bare"),
		listing:   filepath.Join(dir, "listing"),
		memsize:   filepath.Join(dir, "memsize"),
		micro:     filepath.Join(dir, "micro.test"),
		benchstat: filepath.Join(dir, "benchstat"),
		errs:      map[string]error{},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return b, err
	}
	logf("building the programs into %s", dir)
	if cfg.runs(mongoSuite) || (cfg.runs(growthSuite) && slices.Contains(cfg.growthDBs, mongoSuite)) {
		if err := goBuild(ctx, filepath.Join(cfg.root, "tools", "ferretdb"), "build", b.ferret, "."); err != nil {
			return b, err
		}
	}
	for _, p := range []struct {
		name, dir, out, pkg string
	}{
		{"sesh", cfg.root, b.compat, "./cmd/sesh-compat"},
		{"scs", cfg.benchDir, b.scs, "./cmd/scs"},
		{"limit", cfg.benchDir, b.limit, "./cmd/limit"},
		{"bare", cfg.benchDir, b.bare, "./cmd/bare"},
		{"listing", cfg.benchDir, b.listing, "./cmd/listing"},
		{"memsize", cfg.benchDir, b.memsize, "./cmd/memsize"},
		{"benchstat", cfg.benchDir, b.benchstat, "golang.org/x/perf/cmd/benchstat"},
	} {
		if err := goBuild(ctx, p.dir, "build", p.out, p.pkg); err != nil {
			logf("%s: %v", p.name, err)
			b.errs[p.name] = err
		}
	}
	if cfg.micro {
		if err := goBuild(ctx, cfg.benchDir, "test", b.micro, "./micro"); err != nil {
			logf("micro: %v", err)
			b.errs["micro"] = err
		}
	}
	if cfg.runsAny(mongoSuite, redisSuite, postgresSuite, memorySuite) && slices.Contains(cfg.systems, "express") {
		if err := nodeReady(ctx, cfg); err != nil {
			logf("express: %v", err)
			b.errs["express"] = err
		}
	}
	return b, nil
}

// goBuild runs go build (or go test -c) of pkg in dir into out.
func goBuild(ctx context.Context, dir, verb, out, pkg string) error {
	args := []string{"build", "-o", out, pkg}
	if verb == "test" {
		args = []string{"test", "-c", "-o", out, pkg}
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s %s in %s: %v\n%s", verb, pkg, dir, err, strings.TrimSpace(string(msg)))
	}
	return nil
}

// nodeReady checks for node and installs the Express application's
// packages unless they were installed from its package-lock.json as it
// is now (by an earlier run or by the interop tests).
func nodeReady(ctx context.Context, cfg config) error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("node is not installed: %w", err)
	}
	dir := filepath.Join(cfg.root, "interop", "node")
	out, err := npmci.Ensure(ctx, dir)
	if err != nil {
		return fmt.Errorf("%v\n%s", err, strings.TrimSpace(out))
	}
	if out != "" {
		logf("express: installed the packages of %s (npm ci)", dir)
	}
	return nil
}
