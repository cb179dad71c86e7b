package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

// layout is how a contestant stores a session, whatever the database.
type layout int

const (
	// expressLayout is the Express store's, which sesh writes too:
	// connect-mongo's documents, connect-redis's keys (sess:<id> holding
	// the session's JSON), connect-pg-simple's rows (sid, sess, expire).
	expressLayout layout = iota
	// scsLayout is scs's stores': a token, gob-encoded data and an expiry
	// (mongodbstore's documents, goredisstore's scs:session:<token> keys,
	// pgxstore's sessions table).
	scsLayout
)

// system is one contestant.
type system struct {
	name   string
	layout layout
	// about describes the contestant in each suite it takes part in; a
	// suite it is absent from has no entry.
	about map[string]string
	// command returns the contestant's process; env is the suite's
	// configuration.
	command func(h *harness, env []string) (*exec.Cmd, error)
	// readOnly contestants serve the read path only; their sessions are
	// inserted into the database directly rather than created over HTTP.
	readOnly bool
	// stateless contestants keep no sessions: their /get answers a fixed
	// session, so the harness does not check that it reads back.
	stateless bool
}

var systems = []system{
	{
		name: "sesh",
		about: map[string]string{
			mongoSuite:    "cmd/sesh-compat, sesh's middleware on backend/mongo",
			redisSuite:    "cmd/sesh-compat with REDIS_URL, sesh's middleware on backend/redis (no owner index)",
			postgresSuite: "cmd/sesh-compat with DATABASE_URL, sesh's middleware on backend/postgres (CreateTable's table)",
			memorySuite:   "cmd/sesh-compat with no database URL, sesh's middleware on backend/memory (whose sweeper runs every minute)",
		},
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			return goProgram(h, "sesh", h.bins.compat, env)
		},
	},
	{
		name: "express",
		about: map[string]string{
			mongoSuite:    "interop/node/app.mjs, Express 5 + express-session 1.19 + connect-mongo 6",
			redisSuite:    "interop/node/app.mjs with STORE=redis, Express 5 + express-session 1.19 + connect-redis 10 (node-redis 6)",
			postgresSuite: "interop/node/app.mjs with STORE=postgres, Express 5 + express-session 1.19 + connect-pg-simple 10 (pg 8)",
			memorySuite:   "interop/node/app.mjs with STORE=memory, Express 5 + express-session 1.19's MemoryStore",
		},
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			if err := h.bins.errs["express"]; err != nil {
				return nil, err
			}
			cmd := exec.Command("node", "app.mjs")
			cmd.Dir = filepath.Join(h.cfg.root, "interop", "node")
			cmd.Env = append(os.Environ(), append(env, "NODE_ENV=production")...)
			return cmd, nil
		},
	},
	{
		name:   "scs",
		layout: scsLayout,
		about: map[string]string{
			mongoSuite:    "cmd/scs, scs v2 + mongodbstore (mongo-driver v1)",
			redisSuite:    "cmd/scs with STORE=redis, scs v2 + goredisstore (go-redis v9)",
			postgresSuite: "cmd/scs with STORE=postgres, scs v2 + pgxstore (pgx v5)",
			memorySuite:   "cmd/scs with STORE=memory, scs v2 + memstore (cleanup off)",
		},
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			return goProgram(h, "scs", h.bins.scs, env)
		},
	},
	{
		name:     "limit",
		readOnly: true,
		about: map[string]string{
			mongoSuite:    "cmd/limit, only the findOne of sesh's read path",
			redisSuite:    "cmd/limit with STORE=redis, only the GET of the read path, through go-redis",
			postgresSuite: "cmd/limit with STORE=postgres, only the primary-key SELECT of the read path (connect-pg-simple's), through a pgx pool",
		},
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			return goProgram(h, "limit", h.bins.limit, env)
		},
	},
	{
		name:      "bare",
		stateless: true,
		about: map[string]string{
			memorySuite: "cmd/bare, net/http answering the same routes with bodies of the same shape and no session work",
		},
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			return goProgram(h, "bare", h.bins.bare, env)
		},
	},
}

func goProgram(h *harness, name, bin string, env []string) (*exec.Cmd, error) {
	if err := h.bins.errs[name]; err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	return cmd, nil
}

func systemNames() []string {
	names := make([]string, len(systems))
	for i, s := range systems {
		names[i] = s.name
	}
	return names
}

func systemByName(name string) (system, bool) {
	for _, s := range systems {
		if s.name == name {
			return s, true
		}
	}
	return system{}, false
}
