package main

import (
	"context"
)

// runMemorySuite measures the contestants that have an in-memory variant
// on their own in-memory stores, over HTTP as on MongoDB. No database
// runs, so the libraries' own costs decide the throughput.
func (h *harness) runMemorySuite(ctx context.Context) ([]row, error) {
	return runSuite(ctx, h.cfg, func(sys system) ([]row, error) {
		if sys.memoryAbout == "" {
			logf("%s: not in the in-memory suite", sys.name)
			return nil, nil
		}
		logf("%s (in memory): %s", sys.name, sys.memoryAbout)
		return h.runMemory(ctx, sys)
	})
}

// runMemory measures every path of sys on its in-memory store. The
// sessions the read and write paths use are created over HTTP, and the
// store holds nothing else.
func (h *harness) runMemory(ctx context.Context, sys system) ([]row, error) {
	// An empty MONGODB_URI makes sesh-compat use backend/memory, and hides
	// one the environment may hold.
	env := append(sessionEnv(), "STORE=memory", "MONGODB_URI=")
	p, g, err := h.start(ctx, sys, memorySuite, env)
	if err != nil {
		return nil, err
	}
	defer stop(sys, p, g)
	cookies, err := createSessions(ctx, h.cfg, g)
	if err != nil {
		return nil, err
	}
	if err := checkRead(ctx, g, cookies[0]); err != nil {
		return nil, err
	}
	return h.measure(ctx, sys, p, g, cookies, h.cfg.memDuration, false)
}
