package dbserver

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/seshgo/sesh/bench/internal/proc"
)

// Redis is a running private redis-server.
type Redis struct {
	Proc *proc.Proc
	Addr string // 127.0.0.1:port
}

// URL returns the server's redis:// URL.
func (r *Redis) URL() string { return "redis://" + r.Addr + "/0" }

var redisReady = regexp.MustCompile(`Ready to accept connections`)

// StartRedis starts redis-server on a free port with no persistence (no
// RDB snapshots, no append-only file: nothing but the benchmark's work
// uses the CPU and the disk), its working directory dir, its log in
// logPath.
func StartRedis(ctx context.Context, dir, logPath string) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server is not installed (apt-get install redis-server): %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--protected-mode", "no",
		"--save", "", "--appendonly", "no", "--dir", dir, "--dbfilename", "unused.rdb",
		"--maxclients", "1000", "--loglevel", "notice")
	cmd.Dir = filepath.Clean(dir)
	p, _, err := proc.Start(ctx, cmd, logPath, redisReady, time.Minute)
	if err != nil {
		return nil, err
	}
	return &Redis{Proc: p, Addr: fmt.Sprintf("127.0.0.1:%d", port)}, nil
}
