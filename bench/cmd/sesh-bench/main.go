// Command sesh-bench measures sesh against its peers on one machine, in one
// run, and writes the results to RESULTS.md, with an SVG chart per suite
// beside it:
//
//	cd bench && ./run            # or: go run ./cmd/sesh-bench
//
// It builds every program first, then runs the suites one after another;
// -suites picks some. In the database suites each contestant runs as its
// own process, with the same settings, on a fresh store holding the same
// filler sessions, driven by the same load generator (internal/load) on
// the read, write and create paths; all of a suite's contestants run at
// once and take turns being measured (interleave.go), and the database
// operations each request costs are counted:
//
//   - mongo: FerretDB (tools/ferretdb, PostgreSQL handler) behind a
//     counting wire-protocol proxy (internal/wireproxy);
//   - redis: a private redis-server; commands counted from INFO
//     commandstats;
//   - postgres: a private PostgreSQL cluster with pg_stat_statements;
//     statements counted from it, in each contestant's own database.
//
// The contestants are sesh (cmd/sesh-compat), Express 5 +
// express-session with the Express store of that database
// (interop/node/app.mjs), scs v2 with its store (cmd/scs) and the limit
// (cmd/limit), a bare server doing only the read path's database read.
//
// The memory suite runs sesh, Express, scs on their in-memory stores, and
// bare (cmd/bare), a net/http server with no session work, over HTTP with
// no database, so that the libraries' own costs decide the throughput.
//
// The growth suite measures sesh's read path at growing numbers of stored
// sessions on each database, seeded in bulk, then lists and counts the
// largest store through the backends' Go APIs (cmd/listing). The
// footprint suite measures the bytes per session of sesh's memory backend
// and scs's memstore (cmd/memsize) and lists a million sessions held in
// memory. Then it runs the micro-benchmarks of package micro and
// summarises them with benchstat. -h lists the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// config is what the flags set.
type config struct {
	benchDir, root string

	concurrency      int
	rounds           int // measured windows per path and contestant, interleaved
	warmup, duration time.Duration
	memDuration      time.Duration // measured time per path in the in-memory suite
	seed, sessions   int
	suites, systems  []string
	handler          string

	growthSizes    []int         // stored sessions at which the growth suite measures
	growthDBs      []string      // databases of the growth suite
	growthDuration time.Duration // measured time per size
	seedBudget     time.Duration // bound on seeding one database in the growth suite
	mongoMax       int           // largest growth size on MongoDB (FerretDB scans)
	footprintSizes []int         // sessions held in memory by the footprint suite
	owned          int           // sessions of one owner added before listing

	micro      bool
	microCount int
	microTime  time.Duration

	out     string
	timeout time.Duration
	// command is how this run was invoked, for the report.
	command string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sesh-bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "sesh-bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("sesh-bench", flag.ContinueOnError)
	fs.IntVar(&c.concurrency, "concurrency", 32, "concurrent client workers")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "warm-up before each measured path")
	fs.IntVar(&c.rounds, "rounds", 5, "windows each path's measured time is cut into, the contestants taking turns, so that a change in the machine's load falls on all alike")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time per path in the database suites")
	fs.DurationVar(&c.memDuration, "memory-duration", 5*time.Second, "measured time per path in the in-memory suite")
	fs.IntVar(&c.seed, "seed", 5000, "filler session documents in each contestant's collection")
	fs.IntVar(&c.sessions, "sessions", 1000, "live sessions created before measuring; the read and write paths cycle through them")
	suites := fs.String("suites", strings.Join(suiteNames, ","), "suites to run, comma-separated: "+strings.Join(suiteNames, ", "))
	growthSizes := fs.String("growth-sizes", "10000,100000,1000000", "growth suite: stored sessions at which sesh's read path is measured, ascending")
	growthDBs := fs.String("growth-dbs", strings.Join(growthDBNames, ","), "growth suite: databases, comma-separated")
	fs.DurationVar(&c.growthDuration, "growth-duration", 10*time.Second, "growth suite: measured time per size")
	fs.DurationVar(&c.seedBudget, "seed-budget", 15*time.Minute, "growth suite: a size whose seeding would take longer on a database is left out")
	fs.IntVar(&c.mongoMax, "growth-mongo-max", 100000, "growth suite: largest size on MongoDB; FerretDB's PostgreSQL handler scans the collection for every findOne by _id, so a read's cost grows with it")
	footprintSizes := fs.String("footprint-sizes", "100000,1000000", "footprint suite: sessions held in memory, ascending; the largest is listed")
	fs.IntVar(&c.owned, "owned", 10000, "growth and footprint suites: sessions of one owner added to the largest store before listing")
	systems := fs.String("systems", strings.Join(systemNames(), ","), "contestants to run, comma-separated")
	fs.StringVar(&c.handler, "handler", "auto", "FerretDB handler: auto (postgresql if 127.0.0.1:5432 answers), postgresql or sqlite")
	fs.BoolVar(&c.micro, "micro", true, "also run the micro-benchmarks of package micro")
	fs.IntVar(&c.microCount, "micro-count", 6, "go test -count for the micro-benchmarks (benchstat needs 6 for confidence intervals)")
	fs.DurationVar(&c.microTime, "micro-benchtime", 300*time.Millisecond, "go test -benchtime for the micro-benchmarks")
	fs.StringVar(&c.out, "out", "RESULTS.md", "report file, relative to the bench directory")
	fs.DurationVar(&c.timeout, "timeout", 90*time.Minute, "bound on the whole run")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.suites = strings.Split(*suites, ",")
	for _, s := range c.suites {
		if !slices.Contains(suiteNames, s) {
			return c, fmt.Errorf("unknown suite %q (known: %s)", s, strings.Join(suiteNames, ", "))
		}
	}
	var err error
	if c.growthSizes, err = sizes("-growth-sizes", *growthSizes); err != nil {
		return c, err
	}
	if c.footprintSizes, err = sizes("-footprint-sizes", *footprintSizes); err != nil {
		return c, err
	}
	c.growthDBs = strings.Split(*growthDBs, ",")
	for _, db := range c.growthDBs {
		if !slices.Contains(growthDBNames, db) {
			return c, fmt.Errorf("unknown growth database %q (known: %s)", db, strings.Join(growthDBNames, ", "))
		}
	}
	c.systems = strings.Split(*systems, ",")
	for _, s := range c.systems {
		if _, ok := systemByName(s); !ok {
			return c, fmt.Errorf("unknown system %q (known: %s)", s, strings.Join(systemNames(), ", "))
		}
	}
	switch {
	case c.concurrency < 1:
		return c, errors.New("-concurrency must be at least 1")
	case c.rounds < 1:
		return c, errors.New("-rounds must be at least 1")
	case c.sessions < c.concurrency:
		return c, errors.New("-sessions must be at least -concurrency, so that no two workers share a session")
	case c.duration <= 0 || c.memDuration <= 0 || c.growthDuration <= 0 || c.warmup < 0 || c.seed < 0 || c.owned < 0:
		return c, errors.New("-duration, -memory-duration and -growth-duration must be positive, -warmup, -seed and -owned not negative")
	case c.growthSizes[0] < c.sessions:
		return c, errors.New("-growth-sizes must be at least -sessions")
	}
	switch c.handler {
	case "auto", "postgresql", "sqlite":
	default:
		return c, fmt.Errorf("-handler must be auto, postgresql or sqlite, not %q", c.handler)
	}
	cmd := []string{"./run"}
	fs.Visit(func(f *flag.Flag) { cmd = append(cmd, "-"+f.Name+"="+f.Value.String()) })
	c.command = "cd bench && " + strings.Join(cmd, " ")

	if c.benchDir, err = findBenchDir(); err != nil {
		return c, err
	}
	c.root = filepath.Dir(c.benchDir)
	if !filepath.IsAbs(c.out) {
		c.out = filepath.Join(c.benchDir, c.out)
	}
	return c, nil
}

// sizes parses a comma-separated ascending list of positive counts.
func sizes(flag, list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 || (len(out) > 0 && n <= out[len(out)-1]) {
			return nil, fmt.Errorf("%s must be ascending positive counts, not %q", flag, list)
		}
		out = append(out, n)
	}
	return out, nil
}

// runs reports whether the suite named name is to run.
func (c config) runs(name string) bool { return slices.Contains(c.suites, name) }

// runsAny reports whether any of the suites named is to run.
func (c config) runsAny(names ...string) bool {
	return slices.ContainsFunc(names, c.runs)
}

// findBenchDir returns the directory of the bench module, the working
// directory or one of its parents.
func findBenchDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/seshgo/sesh/bench\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run sesh-bench inside sesh's bench directory (cd bench && ./run)")
		}
		dir = parent
	}
}

var start = time.Now()

// logf prints a progress line to standard error.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
}
