package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/seshgo/sesh/bench/internal/wireproxy"
)

// harness is what the contestants' runs share.
type harness struct {
	cfg    config
	bins   binaries
	work   string           // temporary directory: logs, SQLite files
	proxy  *wireproxy.Proxy // the contestants' way to FerretDB
	mongo  *mongo.Client    // direct to FerretDB, for seeding and checks
	ferret ferret
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
	if h.ferret, err = startFerret(ctx, cfg, h.bins.ferret, work); err != nil {
		return err
	}
	defer h.ferret.proc.Stop()
	mach.ferret = h.ferret.describe()
	logf("FerretDB %s at %s (%s handler)", ferretVersion, h.ferret.addr, h.ferret.handler)

	if h.proxy, err = wireproxy.Listen(h.ferret.addr); err != nil {
		return err
	}
	defer h.proxy.Close()
	// Every operation is bounded, so that a FerretDB that stops answering
	// fails the run rather than hanging it.
	opts := options.Client().ApplyURI("mongodb://" + h.ferret.addr + "/").SetTimeout(time.Minute)
	if h.mongo, err = mongo.Connect(opts); err != nil {
		return err
	}
	defer h.mongo.Disconnect(context.Background())

	var rows []row
	for _, name := range cfg.systems {
		sys, _ := systemByName(name)
		logf("%s: %s", sys.name, sys.about)
		r, err := h.runSystem(ctx, sys)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			logf("%s FAILED: %v", sys.name, err)
			r = failedRows(sys, err)
		}
		rows = append(rows, r...)
	}

	var mic *microResults
	if cfg.micro {
		logf("micro-benchmarks: go test -bench . -count %d -benchtime %v ./micro", cfg.microCount, cfg.microTime)
		if mic, err = runMicro(ctx, cfg, work); err != nil {
			if ctx.Err() != nil {
				return err
			}
			logf("micro-benchmarks FAILED: %v", err)
			mic = &microResults{err: err}
		}
	}
	mach.loadEnd = loadAverage()
	report := render(cfg, mach, rows, mic, time.Since(start))
	if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
		return err
	}
	fmt.Print(report)
	logf("wrote %s", cfg.out)
	if failed(rows) || (mic != nil && mic.err != nil) {
		return fmt.Errorf("some benchmarks failed; logs kept in %s", work)
	}
	return os.RemoveAll(work)
}
