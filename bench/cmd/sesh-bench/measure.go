package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seshgo/sesh/bench/internal/load"
	"github.com/seshgo/sesh/bench/internal/ops"
	"github.com/seshgo/sesh/bench/internal/proc"
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
	// ops are the database operations run during the measured time
	// (database suites), classified by classify.
	ops      ops.Counts
	classify ops.Classifier
	// serverCPU, dbCPU, selfCPU and machineCPU are the CPU time the
	// contestant's process, the database's processes, sesh-bench itself
	// (load generator and proxy) and the whole machine used during the
	// measured time; negative if unknown or, for the database, not running.
	serverCPU, dbCPU, selfCPU, machineCPU time.Duration
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

// baseEnv is the session configuration every contestant gets, in every
// suite; each suite adds where the sessions are kept. The database URLs
// are blanked, so that one in the environment selects nothing
// (sesh-compat picks its backend by which URL is set).
func baseEnv() []string {
	return []string{
		"MONGODB_URI=",
		"REDIS_URL=",
		"DATABASE_URL=",
		"PORT=0",
		"SECRET=" + secret,
		"RESAVE=false",
		"SAVE_UNINITIALIZED=false",
		"MAX_AGE_MS=3600000",
		"TOUCH_AFTER_S=3600",
		"AUTO_REMOVE=disabled",
	}
}

// start starts sys's program with env, logging to <system>-<suite>.log,
// and returns it with a load generator aimed at it.
func (h *harness) start(ctx context.Context, sys system, suite string, env []string) (*proc.Proc, *load.Generator, error) {
	cmd, err := sys.command(h, env)
	if err != nil {
		return nil, nil, err
	}
	logPath := filepath.Join(h.work, sys.name+"-"+suite+".log")
	p, port, err := proc.Start(ctx, cmd, logPath, listening, time.Minute)
	if err != nil {
		return nil, nil, err
	}
	return p, load.New("http://127.0.0.1:"+port, h.cfg.concurrency), nil
}

// stop stops what start started.
func stop(sys system, p *proc.Proc, g *load.Generator) {
	g.Close()
	if err := p.Stop(); err != nil {
		logf("%s: stopping: %v", sys.name, err)
	}
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

// checkRead verifies that cookie, the first session's, reads back its
// session, which holds user=u0.
func checkRead(ctx context.Context, g *load.Generator, cookie string) error {
	return checkHolds(ctx, g, cookie, `"u0"`)
}

// checkHolds verifies that the session of cookie reads back and that its
// body holds want.
func checkHolds(ctx context.Context, g *load.Generator, cookie, want string) error {
	status, body, err := g.Get(ctx, "/get", cookie)
	if err != nil {
		return err
	}
	if status != 200 || !strings.Contains(string(body), want) {
		return fmt.Errorf("GET /get with a stored session's cookie answered %d %q, not a session holding %s", status, body, want)
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
