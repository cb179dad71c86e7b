package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/seshgo/sesh/bench/internal/wireproxy"
)

// The suites, as -suites names them: where the contestants keep their
// sessions.
const (
	mongoSuite  = "mongo"  // one FerretDB, behind the counting proxy
	memorySuite = "memory" // each library's in-memory store; no database
)

// suiteNames are the suites in the order they run.
var suiteNames = []string{mongoSuite, memorySuite}

// harness is what the contestants' runs share.
type harness struct {
	cfg  config
	bins binaries
	work string // temporary directory: logs, SQLite files

	// The MongoDB suite's: FerretDB, the proxy the contestants reach it
	// through, and a direct client for seeding and checks.
	ferret ferret
	proxy  *wireproxy.Proxy
	mongo  *mongo.Client
}

// results are what one run measured; a suite that did not run has no
// rows, and micro is nil if the micro-benchmarks did not run.
type results struct {
	mongo, memory []row
	micro         *microResults
}

// failed reports whether any measurement failed.
func (r results) failed() bool {
	return failed(r.mongo) || failed(r.memory) || (r.micro != nil && r.micro.err != nil)
}

func run(ctx context.Context, cfg config) error {
	work, err := os.MkdirTemp("", "sesh-bench-")
	if err != nil {
		return err
	}
	logf("logs in %s", work)
	h := &harness{cfg: cfg, work: work}
	mach := describeMachine(ctx, cfg)

	binDir, err := os.UserCacheDir()
	if err != nil {
		binDir = os.TempDir()
	}
	if h.bins, err = build(ctx, cfg, filepath.Join(binDir, "sesh-bench")); err != nil {
		return err
	}

	var res results
	if cfg.runs(mongoSuite) {
		if res.mongo, err = h.runMongoSuite(ctx, &mach); err != nil {
			return err
		}
	}
	if cfg.runs(memorySuite) {
		if res.memory, err = h.runMemorySuite(ctx); err != nil {
			return err
		}
	}
	if cfg.micro {
		logf("micro-benchmarks: go test -bench . -count %d -benchtime %v ./micro", cfg.microCount, cfg.microTime)
		if res.micro, err = runMicro(ctx, cfg, work); err != nil {
			if ctx.Err() != nil {
				return err
			}
			logf("micro-benchmarks FAILED: %v", err)
			res.micro = &microResults{err: err}
		}
	}
	mach.loadEnd = loadAverage()
	report := render(cfg, mach, res, time.Since(start))
	if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
		return err
	}
	fmt.Print(report)
	logf("wrote %s", cfg.out)
	if res.failed() {
		return fmt.Errorf("some benchmarks failed; logs kept in %s", work)
	}
	return os.RemoveAll(work)
}

// runSuite measures each contestant of -systems with measure, one after
// another. A contestant that fails gets failed rows; only the end of ctx
// ends the suite early.
func runSuite(ctx context.Context, cfg config, measure func(system) ([]row, error)) ([]row, error) {
	var rows []row
	for _, name := range cfg.systems {
		sys, _ := systemByName(name)
		r, err := measure(sys)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			logf("%s FAILED: %v", sys.name, err)
			r = failedRows(sys, err)
		}
		rows = append(rows, r...)
	}
	return rows, nil
}
