package dbserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"github.com/seshgo/sesh/bench/internal/proc"
)

// Postgres is a running private PostgreSQL cluster.
type Postgres struct {
	Proc *proc.Proc // the postmaster; TreeCPU adds its backends
	Port int
	dir  string
}

// PostgresSettings are the server settings StartPostgres gives the
// cluster, besides its port and socket directory: pg_stat_statements
// loaded, to count statements; enough connections for FerretDB's pool
// (50) and the contestants'; and shared buffers large enough to hold a
// million sessions. Durability settings are PostgreSQL's defaults (fsync
// and synchronous commits on), as a deployment would have them.
var PostgresSettings = []string{
	"listen_addresses=127.0.0.1",
	"shared_preload_libraries=pg_stat_statements",
	"pg_stat_statements.max=1000",
	"pg_stat_statements.track=top",
	"max_connections=300",
	"shared_buffers=512MB",
	"timezone=UTC",
}

// URL returns the connection string of database db on the server.
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, db)
}

var postgresReady = regexp.MustCompile(`database system is ready to accept connections`)

// StartPostgres creates a cluster with initdb in a new temporary
// directory (trust authentication, user postgres, UTF-8, no locale) and
// starts it on a free port with PostgresSettings, logging to logPath. When
// run as root, the server runs as the postgres user, since PostgreSQL
// refuses root. Stop stops it and removes the directory.
func StartPostgres(ctx context.Context, logPath string) (_ *Postgres, err error) {
	bin, err := PostgresBin()
	if err != nil {
		return nil, err
	}
	// A directory of its own, outside the caller's (which the postgres
	// user may not be allowed to enter).
	dir, err := os.MkdirTemp("", "sesh-bench-pg-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running PostgreSQL as root needs a postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	as := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.Dir = dir
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return cmd
	}
	data := filepath.Join(dir, "data")
	initdb := as(exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-N", "-E", "UTF8", "--no-locale"))
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", dir}
	for _, s := range PostgresSettings {
		args = append(args, "-c", s)
	}
	// postgres logs to standard error; proc.Start watches standard output
	// for the ready line. The shell hands over to postgres (exec), so the
	// process proc stops is the postmaster.
	cmd := as(exec.Command("sh", append([]string{"-c", `exec "$0" "$@" 2>&1`, filepath.Join(bin, "postgres")}, args...)...))
	p, _, err := proc.Start(ctx, cmd, logPath, postgresReady, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	return &Postgres{Proc: p, Port: port, dir: dir}, nil
}

// Stop stops the server with a fast shutdown (open connections are cut)
// and removes its directory.
func (p *Postgres) Stop() error {
	err := p.Proc.StopWith(syscall.SIGINT)
	if rerr := os.RemoveAll(p.dir); err == nil {
		err = rerr
	}
	return err
}

// PostgresBin finds the directory of initdb and postgres.
func PostgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", errors.New("PostgreSQL's initdb is not installed (apt-get install postgresql)")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}
