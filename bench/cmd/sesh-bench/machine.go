package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/seshgo/sesh/bench/internal/dbserver"
)

// machine describes where and how the benchmark ran.
type machine struct {
	date               string
	cpu                string
	cores              int
	goVersion, nodeVer string
	redisVer, pgVer    string
	ferret             string
	loadStart, loadEnd string
}

func describeMachine(ctx context.Context, cfg config) machine {
	return machine{
		date:      time.Now().Format("2006-01-02 15:04 MST"),
		cpu:       cpuModel(),
		cores:     runtime.NumCPU(),
		goVersion: output(ctx, cfg.benchDir, "go", "env", "GOVERSION"),
		nodeVer:   output(ctx, cfg.benchDir, "node", "--version"),
		redisVer:  firstFields(output(ctx, cfg.benchDir, "redis-server", "--version"), 3),
		pgVer:     postgresVersion(ctx, cfg),
		loadStart: loadAverage(),
	}
}

// output returns the trimmed standard output of a command, or "unknown".
func output(ctx context.Context, dir, name string, args ...string) string {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	b, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// loadAverage returns the 1, 5 and 15-minute load averages, or "n/a".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " / ")
}

// firstFields returns the first n fields of s.
func firstFields(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// postgresVersion returns the version of the postgres server program the
// harness starts.
func postgresVersion(ctx context.Context, cfg config) string {
	dir, err := dbserver.PostgresBin()
	if err != nil {
		return "unknown"
	}
	v := output(ctx, cfg.benchDir, filepath.Join(dir, "postgres"), "--version")
	return strings.Replace(v, "postgres (PostgreSQL) ", "PostgreSQL ", 1)
}
