package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

// system is one contestant.
type system struct {
	name   string
	about  string
	format docFormat
	// command returns the contestant's process; env is the shared
	// configuration.
	command func(h *harness, env []string) (*exec.Cmd, error)
	// readOnly contestants serve the read path only; their sessions are
	// inserted into the database directly rather than created over HTTP.
	readOnly bool
	// memoryAbout describes the contestant in the in-memory suite, where
	// it runs with STORE=memory; empty if it has no part in it.
	memoryAbout string
}

var systems = []system{
	{
		name:   "sesh",
		about:  "cmd/sesh-compat, sesh's middleware on backend/mongo",
		format: connectMongo,
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			return goProgram(h, "sesh", h.bins.compat, env)
		},
		memoryAbout: "cmd/sesh-compat with no MONGODB_URI, sesh's middleware on backend/memory (whose sweeper runs every minute)",
	},
	{
		name:   "express",
		about:  "interop/node/app.mjs, Express 5 + express-session 1.19 + connect-mongo 6",
		format: connectMongo,
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			if err := h.bins.errs["express"]; err != nil {
				return nil, err
			}
			cmd := exec.Command("node", "app.mjs")
			cmd.Dir = filepath.Join(h.cfg.root, "interop", "node")
			cmd.Env = append(os.Environ(), append(env, "NODE_ENV=production")...)
			return cmd, nil
		},
		memoryAbout: "interop/node/app.mjs with STORE=memory, Express 5 + express-session 1.19's MemoryStore",
	},
	{
		name:   "scs",
		about:  "cmd/scs-mongo, scs v2 + mongodbstore (mongo-driver v1)",
		format: scsDocs,
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			return goProgram(h, "scs", h.bins.scs, env)
		},
		memoryAbout: "cmd/scs-mongo with STORE=memory, scs v2 + memstore (cleanup off)",
	},
	{
		name:     "limit",
		about:    "cmd/limit, only the findOne of sesh's read path",
		format:   connectMongo,
		readOnly: true,
		command: func(h *harness, env []string) (*exec.Cmd, error) {
			return goProgram(h, "limit", h.bins.limit, env)
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
