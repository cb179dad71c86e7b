package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/seshgo/sesh/bench/internal/load"
	"github.com/seshgo/sesh/bench/internal/proc"
	"github.com/seshgo/sesh/bench/internal/wireproxy"
)

// paths are the measured paths, in the order they run: create last, as it
// grows the collection.
var paths = []string{"read", "write", "create"}

// row is the measurement of one path of one contestant.
type row struct {
	system, path string
	skipped      bool   // the path does not apply (the limit's write and create)
	err          string // the contestant failed
	res          load.Result
	ops          wireproxy.Counts // commands sent during the measured time
	// serverCPU, ferretCPU, selfCPU and machineCPU are the CPU time the
	// contestant's process, FerretDB, sesh-bench itself (load generator and
	// proxy) and the whole machine used during the measured time; negative
	// if unknown.
	serverCPU, ferretCPU, selfCPU, machineCPU time.Duration
}

func failedRows(sys system, err error) []row {
	rows := make([]row, len(paths))
	for i, p := range paths {
		rows[i] = row{system: sys.name, path: p, err: strings.SplitN(err.Error(), "\n", 2)[0]}
	}
	return rows
}

func failed(rows []row) bool {
	for _, r := range rows {
		if r.err != "" {
			return true
		}
	}
	return false
}

var listening = regexp.MustCompile(`^listening on (\d+)$`)

// runSystem measures every path of sys in a fresh database.
func (h *harness) runSystem(ctx context.Context, sys system) ([]row, error) {
	dbName := fmt.Sprintf("sesh_bench_%d_%s", os.Getpid(), sys.name)
	db := h.mongo.Database(dbName)
	coll := db.Collection("sessions")
	if err := db.Drop(ctx); err != nil {
		return nil, fmt.Errorf("dropping %s: %w", dbName, err)
	}
	defer db.Drop(context.Background())
	if err := prepare(ctx, coll, sys.format, h.cfg.seed); err != nil {
		return nil, err
	}
	env := []string{
		"PORT=0",
		"MONGODB_URI=mongodb://" + h.proxy.Addr() + "/",
		"DB=" + dbName,
		"COLLECTION=sessions",
		"SECRET=" + secret,
		"RESAVE=false",
		"SAVE_UNINITIALIZED=false",
		"MAX_AGE_MS=3600000",
		"TOUCH_AFTER_S=3600",
		"AUTO_REMOVE=disabled",
	}
	cmd, err := sys.command(h, env)
	if err != nil {
		return nil, err
	}
	p, port, err := proc.Start(ctx, cmd, filepath.Join(h.work, sys.name+".log"), listening, time.Minute)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := p.Stop(); err != nil {
			logf("%s: stopping: %v", sys.name, err)
		}
	}()
	g := load.New("http://127.0.0.1:"+port, h.cfg.concurrency)
	defer g.Close()

	var cookies []string
	if sys.readOnly {
		cookies, err = insertSessions(ctx, coll, h.cfg.sessions)
	} else {
		cookies, err = g.Sessions(ctx, h.cfg.sessions, h.cfg.concurrency, func(i int) string {
			return "/set?k=user&v=u" + strconv.Itoa(i)
		})
	}
	if err != nil {
		return nil, err
	}
	if err := h.check(ctx, g, coll, cookies); err != nil {
		return nil, err
	}

	var rows []row
	runner := load.NewRunner(g, h.cfg.concurrency)
	for _, path := range paths {
		if sys.readOnly && path != "read" {
			rows = append(rows, row{system: sys.name, path: path, skipped: true})
			continue
		}
		target := h.target(path, cookies)
		runner.Run(ctx, h.cfg.warmup, target)
		before := h.proxy.Snapshot()
		serverCPU, ferretCPU := cpu(p.CPU), cpu(h.ferret.proc.CPU)
		selfCPU, machineCPU := cpu(proc.SelfCPU), cpu(proc.MachineCPU)
		res := runner.Run(ctx, h.cfg.duration, target)
		r := row{
			system: sys.name, path: path, res: res,
			ops:        h.proxy.Snapshot().Sub(before),
			serverCPU:  since(cpu(p.CPU), serverCPU),
			ferretCPU:  since(cpu(h.ferret.proc.CPU), ferretCPU),
			selfCPU:    since(cpu(proc.SelfCPU), selfCPU),
			machineCPU: since(cpu(proc.MachineCPU), machineCPU),
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if res.Errors > 0 {
			r.err = fmt.Sprintf("%d of %d requests failed; first: %s", res.Errors, res.Errors+res.Requests, res.FirstError)
		}
		rows = append(rows, r)
		logf("%s %s: %.0f req/s, p50 %v, p99 %v, %s", sys.name, path, res.Rate(), res.P50, res.P99, opsSummary(r))
	}
	return rows, nil
}

// cpu returns what read returns, or -1 if it fails.
func cpu(read func() (time.Duration, error)) time.Duration {
	d, err := read()
	if err != nil {
		return -1
	}
	return d
}

// since returns now - then, or -1 if either is unknown.
func since(now, then time.Duration) time.Duration {
	if now < 0 || then < 0 {
		return -1
	}
	return now - then
}

// check verifies the collection holds the same number of documents for
// every contestant and that the first cookie reads back its session.
func (h *harness) check(ctx context.Context, g *load.Generator, coll *mongo.Collection, cookies []string) error {
	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		return err
	}
	if want := int64(h.cfg.seed + h.cfg.sessions); n != want {
		return fmt.Errorf("the collection holds %d documents, want %d", n, want)
	}
	status, body, err := g.Get(ctx, "/get", cookies[0])
	if err != nil {
		return err
	}
	if status != 200 || !strings.Contains(string(body), `"u0"`) {
		return fmt.Errorf("GET /get with the first session's cookie answered %d %q, not its session", status, body)
	}
	return nil
}

// target returns the requests of path: worker w cycles through the
// sessions whose index is w modulo the concurrency, so no two workers use
// one session at the same time.
func (h *harness) target(path string, cookies []string) load.Target {
	conc := h.cfg.concurrency
	var counter atomic.Int64
	cookie := func(w, i int) string {
		mine := (len(cookies)-1-w)/conc + 1
		return cookies[w+conc*(i%mine)]
	}
	switch path {
	case "read":
		return func(w, i int) (string, string) { return "/get", cookie(w, i) }
	case "write":
		return func(w, i int) (string, string) {
			return "/set?k=n&v=" + strconv.FormatInt(counter.Add(1), 10), cookie(w, i)
		}
	default: // create
		return func(w, i int) (string, string) {
			return "/set?k=n&v=" + strconv.FormatInt(counter.Add(1), 10), ""
		}
	}
}
