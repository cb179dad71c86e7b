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
	rows, err := runSuite(ctx, h.cfg, memorySuite, func(sys system) ([]row, error) {
		return h.runMemory(ctx, sys)
	})
	res.suites[memorySuite] = rows
	return err
}

// runMemory measures every path of sys on its in-memory store. The
// sessions the read and write paths use are created over HTTP, and the
// store holds nothing else.
func (h *harness) runMemory(ctx context.Context, sys system) ([]row, error) {
	// With no database URL, sesh-compat uses backend/memory.
	p, g, err := h.start(ctx, sys, memorySuite, append(baseEnv(), "STORE=memory"))
	if err != nil {
		return nil, err
	}
	defer stop(sys, p, g)
	cookies, err := createSessions(ctx, h.cfg, g)
	if err != nil {
		return nil, err
	}
	if !sys.stateless {
		if err := checkRead(ctx, g, cookies[0]); err != nil {
			return nil, err
		}
	}
	return h.measure(ctx, sys, p, g, cookies, h.cfg.memDuration, nil)
}

// createSessions creates -sessions sessions over HTTP, the i-th holding
// user=u<i>, and returns their cookies.
func createSessions(ctx context.Context, cfg config, g *load.Generator) ([]string, error) {
	return g.Sessions(ctx, cfg.sessions, cfg.concurrency, func(i int) string {
		return "/set?k=user&v=u" + strconv.Itoa(i)
	})
}
