package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/seshgo/sesh/bench/internal/dbserver"
)

// The suites, as -suites names them.
const (
	mongoSuite     = "mongo"     // one FerretDB, behind the counting proxy
	redisSuite     = "redis"     // a private redis-server
	postgresSuite  = "postgres"  // a private PostgreSQL
	memorySuite    = "memory"    // each library's in-memory store; no database
	growthSuite    = "growth"    // sesh's read path at growing store sizes; listing
	footprintSuite = "footprint" // bytes per session in memory; listing in memory
)

// suiteNames are the suites in the order they run.
var suiteNames = []string{mongoSuite, redisSuite, postgresSuite, memorySuite, growthSuite, footprintSuite}

// dbSuites are the suites that measure the contestants on a database.
var dbSuites = []string{mongoSuite, redisSuite, postgresSuite}

// growthDBNames are the databases the growth suite can measure, named as
// their suites.
var growthDBNames = []string{redisSuite, postgresSuite, mongoSuite}

// harness is what the suites share.
type harness struct {
	cfg  config
	bins binaries
	work string // temporary directory: logs, SQLite files

	// The private servers, started when a suite first needs them and
	// stopped at the end of the run.
	pg    *dbserver.Postgres
	redis *dbserver.Redis
	// ferretDesc describes FerretDB's handler, once it has run.
	ferretDesc string
}

// results are what one run measured; a suite that did not run has no
// rows, and micro is nil if the micro-benchmarks did not run.
type results struct {
	suites    map[string][]row // by suite name: the HTTP suites
	growth    []growthRow
	listing   []listRow
	footprint []footRow
	micro     *microResults
	// loads are the load averages at the start of each suite.
	loads []loadSample
	// notes are problems the suites met without failing: sizes left out,
	// listings that failed.
	notes []string
}

type loadSample struct{ suite, load string }

// failed reports whether any measurement failed.
func (r results) failed() bool {
	for _, rows := range r.suites {
		if failed(rows) {
			return true
		}
	}
	return r.micro != nil && r.micro.err != nil
}

func run(ctx context.Context, cfg config) error {
	work, err := os.MkdirTemp("", "sesh-bench-")
	if err != nil {
		return err
	}
	logf("logs in %s", work)
	h := &harness{cfg: cfg, work: work}
	defer h.stopServers()
	mach := describeMachine(ctx, cfg)

	binDir, err := os.UserCacheDir()
	if err != nil {
		binDir = os.TempDir()
	}
	if h.bins, err = build(ctx, cfg, filepath.Join(binDir, "sesh-bench")); err != nil {
		return err
	}

	res := results{suites: map[string][]row{}}
	suites := map[string]func(context.Context, *results) error{
		mongoSuite:     h.dbSuite(mongoSuite),
		redisSuite:     h.dbSuite(redisSuite),
		postgresSuite:  h.dbSuite(postgresSuite),
		memorySuite:    h.runMemorySuite,
		growthSuite:    h.runGrowthSuite,
		footprintSuite: h.runFootprintSuite,
	}
	for _, name := range suiteNames {
		if !cfg.runs(name) {
			continue
		}
		res.loads = append(res.loads, loadSample{name, loadAverage()})
		logf("suite %s (load average %s)", name, loadAverage())
		if err := suites[name](ctx, &res); err != nil {
			if ctx.Err() != nil {
				return err
			}
			logf("suite %s FAILED: %v", name, err)
			res.notes = append(res.notes, fmt.Sprintf("The %s suite failed: %v", name, err))
		}
	}
	h.stopServers()
	if cfg.micro {
		res.loads = append(res.loads, loadSample{"micro", loadAverage()})
		logf("micro-benchmarks: %s", microCommand(cfg))
		if res.micro, err = runMicro(ctx, cfg, h.bins, work); err != nil {
			if ctx.Err() != nil {
				return err
			}
			logf("micro-benchmarks FAILED: %v", err)
			res.micro = &microResults{err: err}
		}
	}
	mach.loadEnd = loadAverage()
	mach.ferret = h.ferretDesc
	report := render(cfg, mach, res, time.Since(start))
	if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
		return err
	}
	if err := writeCharts(cfg, res); err != nil {
		return err
	}
	fmt.Print(report)
	logf("wrote %s", cfg.out)
	if res.failed() || len(res.notes) > 0 {
		return fmt.Errorf("some benchmarks failed; logs kept in %s", work)
	}
	return os.RemoveAll(work)
}

// postgres returns the private PostgreSQL server, starting it the first
// time.
func (h *harness) postgres(ctx context.Context) (*dbserver.Postgres, error) {
	if h.pg != nil {
		return h.pg, nil
	}
	pg, err := dbserver.StartPostgres(ctx, filepath.Join(h.work, "postgres.log"))
	if err != nil {
		return nil, fmt.Errorf("starting a private PostgreSQL: %w", err)
	}
	logf("private PostgreSQL on port %d", pg.Port)
	h.pg = pg
	return pg, nil
}

// redisServer returns the private redis-server, starting it the first
// time.
func (h *harness) redisServer(ctx context.Context) (*dbserver.Redis, error) {
	if h.redis != nil {
		return h.redis, nil
	}
	dir := filepath.Join(h.work, "redis")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r, err := dbserver.StartRedis(ctx, dir, filepath.Join(h.work, "redis.log"))
	if err != nil {
		return nil, fmt.Errorf("starting a private redis-server: %w", err)
	}
	logf("private redis-server at %s", r.Addr)
	h.redis = r
	return r, nil
}

// stopServers stops the private servers, if they run.
func (h *harness) stopServers() {
	if h.pg != nil {
		if err := h.pg.Stop(); err != nil {
			logf("stopping PostgreSQL: %v", err)
		}
		h.pg = nil
	}
	if h.redis != nil {
		if err := h.redis.Proc.Stop(); err != nil {
			logf("stopping redis-server: %v", err)
		}
		h.redis = nil
	}
}
