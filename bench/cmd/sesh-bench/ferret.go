package main

import (
	"context"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"github.com/seshgo/sesh/bench/internal/proc"
)

// ferretVersion is the FerretDB release tools/ferretdb embeds.
const ferretVersion = "v1.24.0"

// postgresURL is the PostgreSQL server of the postgresql handler. FerretDB
// opens up to 50 connections to it (fewer starve FerretDB under the
// benchmark's load: it stops answering), half of PostgreSQL's default
// max_connections, so other programs using that server at the same time
// can make requests fail with "too many clients".
const postgresURL = "postgres://root@127.0.0.1:5432/test"

// ferret is the running FerretDB.
type ferret struct {
	proc    *proc.Proc
	addr    string // host:port
	handler string // postgresql or sqlite
}

func (f ferret) describe() string {
	if f.handler == "postgresql" {
		return "FerretDB " + ferretVersion + ", postgresql handler (PostgreSQL at 127.0.0.1:5432)"
	}
	return "FerretDB " + ferretVersion + ", sqlite handler (no PostgreSQL on 127.0.0.1:5432)"
}

var ferretReady = regexp.MustCompile(`^MONGODB_URI=(mongodb://\S+)$`)

// startFerret starts FerretDB with the handler cfg asks for.
func startFerret(ctx context.Context, cfg config, bin, work string) (ferret, error) {
	f := ferret{handler: cfg.handler}
	if f.handler == "auto" {
		f.handler = "sqlite"
		if c, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second); err == nil {
			c.Close()
			f.handler = "postgresql"
		}
	}
	args := []string{"-handler", f.handler}
	if f.handler == "postgresql" {
		args = append(args, "-postgresql-url", postgresURL)
	} else {
		args = append(args, "-dir", filepath.Join(work, "sqlite"))
	}
	cmd := exec.Command(bin, args...)
	p, uri, err := proc.Start(ctx, cmd, filepath.Join(work, "ferretdb.log"), ferretReady, time.Minute)
	if err != nil {
		return f, err
	}
	u, err := url.Parse(uri)
	if err != nil {
		p.Stop()
		return f, err
	}
	f.proc, f.addr = p, u.Host
	return f, nil
}
