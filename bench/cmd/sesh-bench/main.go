// Command sesh-bench measures sesh against its peers on one machine, in one
// run, and writes the results to RESULTS.md:
//
//	cd bench && ./run            # or: go run ./cmd/sesh-bench
//
// It builds and starts FerretDB (tools/ferretdb; the PostgreSQL handler
// when a server answers on 127.0.0.1:5432, SQLite otherwise) behind a
// counting wire-protocol proxy (internal/wireproxy), then, one at a time
// and with the same settings, each contestant as its own process:
//
//   - sesh: cmd/sesh-compat on backend/mongo;
//   - express: interop/node/app.mjs, Express 5 + express-session 1.19 +
//     connect-mongo 6;
//   - scs: cmd/scs-mongo, scs v2 with its mongodbstore;
//   - limit: cmd/limit, the database work of sesh's read path and nothing
//     else.
//
// Each gets a fresh database seeded with the same number of documents and
// the same number of live sessions, and is driven by the same load
// generator (internal/load) on the read, write and create paths. The
// proxy counts the database commands each request costs.
//
// On the 2-core machine it was written on, FerretDB and PostgreSQL take
// most of the CPU, so every contestant's req/s converges. A second suite
// therefore runs sesh, Express and scs again, over HTTP in the same way
// but on their in-memory stores (STORE=memory; sesh-compat with no
// MONGODB_URI), with FerretDB stopped, so that the libraries' own costs
// decide the throughput. Then it runs the micro-benchmarks of package
// micro and summarises them with benchstat. Flags change the load, the
// suites, the contestants and the output; -h lists them.
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
	"strings"
	"syscall"
	"time"
)

// config is what the flags set.
type config struct {
	benchDir, root string

	concurrency      int
	warmup, duration time.Duration
	memDuration      time.Duration // measured time per path in the in-memory suite
	seed, sessions   int
	suites, systems  []string
	handler          string

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
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time per path on MongoDB")
	fs.DurationVar(&c.memDuration, "memory-duration", 5*time.Second, "measured time per path in the in-memory suite")
	fs.IntVar(&c.seed, "seed", 5000, "filler session documents in each contestant's collection")
	fs.IntVar(&c.sessions, "sessions", 1000, "live sessions created before measuring; the read and write paths cycle through them")
	suites := fs.String("suites", strings.Join(suiteNames, ","), "suites to run, comma-separated: "+mongoSuite+" (one FerretDB), "+memorySuite+" (in-memory stores)")
	systems := fs.String("systems", strings.Join(systemNames(), ","), "contestants to run, comma-separated")
	fs.StringVar(&c.handler, "handler", "auto", "FerretDB handler: auto (postgresql if 127.0.0.1:5432 answers), postgresql or sqlite")
	fs.BoolVar(&c.micro, "micro", true, "also run the micro-benchmarks of package micro")
	fs.IntVar(&c.microCount, "micro-count", 6, "go test -count for the micro-benchmarks (benchstat needs 6 for confidence intervals)")
	fs.DurationVar(&c.microTime, "micro-benchtime", 300*time.Millisecond, "go test -benchtime for the micro-benchmarks")
	fs.StringVar(&c.out, "out", "RESULTS.md", "report file, relative to the bench directory")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "bound on the whole run")
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
	c.systems = strings.Split(*systems, ",")
	for _, s := range c.systems {
		if _, ok := systemByName(s); !ok {
			return c, fmt.Errorf("unknown system %q (known: %s)", s, strings.Join(systemNames(), ", "))
		}
	}
	switch {
	case c.concurrency < 1:
		return c, errors.New("-concurrency must be at least 1")
	case c.sessions < c.concurrency:
		return c, errors.New("-sessions must be at least -concurrency, so that no two workers share a session")
	case c.duration <= 0 || c.memDuration <= 0 || c.warmup < 0 || c.seed < 0:
		return c, errors.New("-duration and -memory-duration must be positive, -warmup and -seed not negative")
	}
	switch c.handler {
	case "auto", "postgresql", "sqlite":
	default:
		return c, fmt.Errorf("-handler must be auto, postgresql or sqlite, not %q", c.handler)
	}
	cmd := []string{"./run"}
	fs.Visit(func(f *flag.Flag) { cmd = append(cmd, "-"+f.Name+"="+f.Value.String()) })
	c.command = "cd bench && " + strings.Join(cmd, " ")

	var err error
	if c.benchDir, err = findBenchDir(); err != nil {
		return c, err
	}
	c.root = filepath.Dir(c.benchDir)
	if !filepath.IsAbs(c.out) {
		c.out = filepath.Join(c.benchDir, c.out)
	}
	return c, nil
}

// runs reports whether the suite named name is to run.
func (c config) runs(name string) bool { return slices.Contains(c.suites, name) }

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
