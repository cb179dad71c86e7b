package main

import (
	"context"
	"strconv"

	"github.com/seshgo/sesh/bench/internal/load"
)

// runMemorySuite measures the contestants that have an in-memory variant
// on their own in-memory stores, and bare, over HTTP as on the databases.
// No database is involved, so the libraries' own costs decide the
// throughput.
func (h *harness) runMemorySuite(ctx context.Context, res *results) error {
	rows, err := h.runSuite(ctx, memorySuite, nil, h.cfg.memDuration, func(sys system) (*contestant, error) {
		return h.setupMemory(ctx, sys)
	})
	res.suites[memorySuite] = rows
	return err
}

// setupMemory starts sys on its in-memory store and creates the sessions
// the read and write paths use over HTTP; the store holds nothing else.
func (h *harness) setupMemory(ctx context.Context, sys system) (*contestant, error) {
	// With no database URL, sesh-compat uses backend/memory.
	p, g, err := h.start(ctx, sys, memorySuite, append(baseEnv(), "STORE=memory"))
	if err != nil {
		return nil, err
	}
	c := &contestant{sys: sys, proc: p, gen: g}
	if c.cookies, err = createSessions(ctx, h.cfg, g); err == nil && !sys.stateless {
		err = checkRead(ctx, g, c.cookies[0])
	}
	if err != nil {
		stop(sys, p, g)
		return nil, err
	}
	return c, nil
}

// createSessions creates -sessions sessions over HTTP, the i-th holding
// user=u<i>, and returns their cookies.
func createSessions(ctx context.Context, cfg config, g *load.Generator) ([]string, error) {
	return g.Sessions(ctx, cfg.sessions, cfg.concurrency, func(i int) string {
		return "/set?k=user&v=u" + strconv.Itoa(i)
	})
}
