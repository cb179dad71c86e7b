package main

import (
	"context"
	"fmt"
	"time"

	"github.com/seshgo/sesh/bench/internal/load"
	"github.com/seshgo/sesh/bench/internal/ops"
	"github.com/seshgo/sesh/bench/internal/proc"
)

// contestant is a started contestant of a suite, ready to be measured.
type contestant struct {
	sys     system
	proc    *proc.Proc
	gen     *load.Generator
	runner  *load.Runner
	cookies []string // the sessions the read and write paths cycle through
	store   store    // its store in the suite's database; nil in memory
	rows    map[string]*row
}

// close stops the contestant's process and removes its store.
func (c *contestant) close() {
	stop(c.sys, c.proc, c.gen)
	if c.store != nil {
		c.store.drop()
	}
}

// runSuite sets up every contestant of -systems that takes part in suite
// with setup, all of them, then measures them on each path, interleaved
// (measureInterleaved), and stops them. A contestant whose setup fails
// gets failed rows; only the end of ctx ends the suite early.
func (h *harness) runSuite(ctx context.Context, suite string, db database, duration time.Duration,
	setup func(sys system) (*contestant, error)) ([]row, error) {
	var cs []*contestant
	defer func() {
		for _, c := range cs {
			c.close()
		}
	}()
	failures := map[string][]row{}
	for _, name := range h.cfg.systems {
		sys, _ := systemByName(name)
		about, ok := sys.about[suite]
		if !ok {
			continue
		}
		logf("%s (%s): %s", sys.name, suite, about)
		c, err := setup(sys)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			logf("%s FAILED: %v", sys.name, err)
			failures[sys.name] = failedRows(sys, err)
			continue
		}
		c.runner = load.NewRunner(c.gen, h.cfg.concurrency)
		cs = append(cs, c)
	}
	if err := h.measureInterleaved(ctx, cs, duration, db); err != nil {
		return nil, err
	}
	var rows []row
	for _, name := range h.cfg.systems {
		rows = append(rows, failures[name]...)
		for _, c := range cs {
			if c.sys.name == name {
				for _, path := range paths {
					rows = append(rows, *c.rows[path])
				}
			}
		}
	}
	return rows, nil
}

// measureInterleaved measures every contestant on each path in turn: a
// warm-up each, then -rounds windows of duration/rounds each, the
// contestants taking turns (in an order that rotates from one round to
// the next), so that a change in the machine's load, which other programs
// cause, falls on every contestant alike. Each window adds its requests,
// latencies, CPU times and database operations to the contestant's row.
func (h *harness) measureInterleaved(ctx context.Context, cs []*contestant, duration time.Duration, db database) error {
	rounds := h.cfg.rounds
	window := duration / time.Duration(rounds)
	for _, c := range cs {
		c.rows = map[string]*row{}
	}
	for _, path := range paths {
		var active []*contestant
		for _, c := range cs {
			r := &row{system: c.sys.name, path: path, skipped: c.sys.readOnly && path != "read"}
			c.rows[path] = r
			if !r.skipped {
				if db == nil {
					r.dbCPU = -1 // no database: unknown, not zero
				}
				active = append(active, c)
			}
		}
		for _, c := range active {
			c.runner.Run(ctx, h.cfg.warmup, h.target(path, c.cookies))
		}
		for round := range rounds {
			for k := range active {
				c := active[(k+round)%len(active)]
				if err := h.window(ctx, c, c.rows[path], h.target(path, c.cookies), window, db); err != nil {
					return err
				}
			}
		}
		for _, c := range active {
			r := c.rows[path]
			if r.res.Errors > 0 {
				r.err = fmt.Sprintf("%d of %d requests failed; first: %s", r.res.Errors, r.res.Errors+r.res.Requests, r.res.FirstError)
			}
			summary := "server CPU " + perRequest(r.serverCPU, *r) + "/req"
			if db != nil {
				summary += ", " + opsSummary(*r)
			}
			logf("%s %s: %.0f req/s, p50 %v, p99 %v, %s", c.sys.name, path, r.res.Rate(), r.res.P50, r.res.P99, summary)
		}
	}
	return ctx.Err()
}

// window measures one window of d on c and adds it to r. A CPU time that
// cannot be read makes r's unknown (-1) for good.
func (h *harness) window(ctx context.Context, c *contestant, r *row, target load.Target, d time.Duration, db database) error {
	var opsBefore ops.Counts
	dbBefore := time.Duration(-1)
	if db != nil {
		var err error
		if opsBefore, err = db.snapshot(ctx, c.store); err != nil {
			return fmt.Errorf("counting operations: %w", err)
		}
		dbBefore = cpu(db.cpu)
	}
	serverCPU, selfCPU, machineCPU := cpu(c.proc.CPU), cpu(proc.SelfCPU), cpu(proc.MachineCPU)
	res := c.runner.Run(ctx, d, target)
	r.res = r.res.Merge(res)
	add(&r.serverCPU, since(cpu(c.proc.CPU), serverCPU))
	add(&r.selfCPU, since(cpu(proc.SelfCPU), selfCPU))
	add(&r.machineCPU, since(cpu(proc.MachineCPU), machineCPU))
	if db != nil {
		add(&r.dbCPU, since(cpu(db.cpu), dbBefore))
		after, err := db.snapshot(ctx, c.store)
		if err != nil {
			return fmt.Errorf("counting operations: %w", err)
		}
		if r.ops == nil {
			r.ops = ops.Counts{}
		}
		for k, n := range after.Sub(opsBefore) {
			r.ops[k] += n
		}
		r.classify = db.classify
	}
	return ctx.Err()
}

// add adds d to *sum, unless either is unknown (negative): then *sum is.
func add(sum *time.Duration, d time.Duration) {
	if *sum < 0 || d < 0 {
		*sum = -1
		return
	}
	*sum += d
}
