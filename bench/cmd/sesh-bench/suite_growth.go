package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/seshgo/sesh/bench/internal/load"
	"github.com/seshgo/sesh/bench/internal/ops"
)

// growthRow is sesh's read path at one store size on one database.
type growthRow struct {
	db   string // redis, postgres, mongo
	size int    // sessions stored
	res  load.Result
	// seeded is how long seeding up to size took, in all.
	seeded           time.Duration
	serverCPU, dbCPU time.Duration
	ops              ops.Counts
	classify         ops.Classifier
	err              string
}

// growthDB is a database of the growth suite: its server, and how the
// listing tool reaches the store.
type growthDB struct {
	db      database
	close   func()
	listing func(st store) []string // cmd/listing's flags for the store
}

// runGrowthSuite measures sesh's read path on each database as the store
// grows, then lists the largest store.
func (h *harness) runGrowthSuite(ctx context.Context, res *results) error {
	sesh, _ := systemByName("sesh")
	for _, name := range h.cfg.growthDBs {
		g, err := h.openGrowthDB(ctx, name)
		if err != nil {
			res.notes = append(res.notes, fmt.Sprintf("growth on %s: %v", name, err))
			logf("growth on %s FAILED: %v", name, err)
			continue
		}
		rows, list, err := h.growOne(ctx, name, g, sesh)
		g.close()
		res.growth = append(res.growth, rows...)
		res.listing = append(res.listing, list...)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			res.notes = append(res.notes, fmt.Sprintf("growth on %s: %v", name, err))
			logf("growth on %s FAILED: %v", name, err)
		}
	}
	return nil
}

func (h *harness) openGrowthDB(ctx context.Context, name string) (growthDB, error) {
	db, closeDB, err := h.openDB(ctx, name)
	if err != nil {
		return growthDB{}, err
	}
	g := growthDB{db: db, close: closeDB}
	switch db := db.(type) {
	case *redisDB:
		g.listing = func(st store) []string {
			return []string{"-backend", "redis", "-url", st.(*redisStore).url(), "-prefix", expressPrefix}
		}
	case *pgDB:
		g.listing = func(st store) []string {
			return []string{"-backend", "postgres", "-url", db.server.URL(st.(*pgStore).name), "-table", "session"}
		}
	case *mongoDB:
		g.listing = func(st store) []string {
			return []string{"-backend", "mongo", "-url", "mongodb://" + db.ferret.addr + "/", "-db", st.(*mongoStore).db.Name()}
		}
	}
	return g, nil
}

// growOne seeds one database up to each size in turn and measures sesh's
// read path at each, then lists the store.
func (h *harness) growOne(ctx context.Context, name string, g growthDB, sesh system) ([]growthRow, []listRow, error) {
	st, err := g.db.fresh(ctx, sesh)
	if err != nil {
		return nil, nil, err
	}
	defer st.drop()
	p, gen, err := h.start(ctx, sesh, growthSuite+"-"+name, append(baseEnv(), st.env()...))
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if p != nil {
			stop(sesh, p, gen)
		}
	}()

	var rows []growthRow
	var ids []string
	var seeded time.Duration
	runner := load.NewRunner(gen, h.cfg.concurrency)
	for _, size := range h.cfg.growthSizes {
		if name == mongoSuite && size > h.cfg.mongoMax {
			rows = append(rows, growthRow{db: name, size: size,
				err: fmt.Sprintf("left out (-growth-mongo-max %d): FerretDB's PostgreSQL handler scans the collection for each findOne by _id", h.cfg.mongoMax)})
			logf("growth %s %d: left out", name, size)
			break
		}
		// Leave out a size whose seeding would overrun the budget, at
		// the rate seen so far.
		if len(ids) > 0 {
			rate := float64(len(ids)) / seeded.Seconds()
			if need := time.Duration(float64(size-len(ids)) / rate * float64(time.Second)); seeded+need > h.cfg.seedBudget {
				rows = append(rows, growthRow{db: name, size: size,
					err: fmt.Sprintf("left out: seeding would take about %v more at %.0f sessions/s (budget %v)", need.Round(time.Second), rate, h.cfg.seedBudget)})
				logf("growth %s %d: left out", name, size)
				break
			}
		}
		logf("growth %s: seeding up to %d sessions", name, size)
		t0 := time.Now()
		more, err := putSessions(ctx, st, expressLayout, "g", len(ids), size)
		if err != nil {
			return rows, nil, err
		}
		seeded += time.Since(t0)
		ids = append(ids, more...)
		if n, err := st.count(ctx); err != nil || n != int64(size) {
			return rows, nil, fmt.Errorf("the store holds %d sessions (%v), want %d", n, err, size)
		}
		r := h.measureGrowth(ctx, runner, gen, p, g.db, st, ids)
		r.db, r.size, r.seeded = name, size, seeded
		rows = append(rows, r)
		logf("growth %s %d (seeded in %v): %.0f req/s, p50 %v, p99 %v, %s", name, size, seeded.Round(time.Second),
			r.res.Rate(), r.res.P50, r.res.P99, r.err)
	}
	stop(sesh, p, gen)
	p = nil
	if len(ids) == 0 {
		return rows, nil, nil
	}
	list, err := h.runListing(ctx, name, len(ids), g.listing(st))
	return rows, list, err
}

// measureGrowth measures the read path on -sessions sessions drawn at
// random from all those stored.
func (h *harness) measureGrowth(ctx context.Context, runner *load.Runner, gen *load.Generator, p procCPU, db database, st store, ids []string) growthRow {
	cookies := make([]string, h.cfg.sessions)
	for i := range cookies {
		cookies[i] = cookieOf(ids[rand.IntN(len(ids))])
	}
	var r growthRow
	if err := checkHolds(ctx, gen, cookies[0], `"user":"g`); err != nil {
		r.err = err.Error()
		return r
	}
	target := h.target("read", cookies)
	runner.Run(ctx, h.cfg.warmup, target)
	before, err := db.snapshot(ctx, st)
	if err != nil {
		r.err = err.Error()
		return r
	}
	serverCPU, dbCPU := cpu(p.CPU), cpu(db.cpu)
	r.res = runner.Run(ctx, h.cfg.growthDuration, target)
	r.serverCPU, r.dbCPU = since(cpu(p.CPU), serverCPU), since(cpu(db.cpu), dbCPU)
	if after, err := db.snapshot(ctx, st); err == nil {
		r.ops, r.classify = after.Sub(before), db.classify
	}
	if r.res.Errors > 0 {
		r.err = fmt.Sprintf("%d of %d requests failed; first: %s", r.res.Errors, r.res.Errors+r.res.Requests, r.res.FirstError)
	}
	return r
}

// procCPU is what measureGrowth needs of the server's process.
type procCPU interface {
	CPU() (time.Duration, error)
}
