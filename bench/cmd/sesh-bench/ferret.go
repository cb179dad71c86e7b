package main

import (
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshgo/sesh/bench/internal/proc"
)

// ferretVersion is the FerretDB release tools/ferretdb embeds.
const ferretVersion = "v1.24.0"

// ferretDB is the database FerretDB's PostgreSQL handler keeps its data in,
// on the private PostgreSQL server.
const ferretDB = "ferretdb"

// ferret is the running FerretDB.
type ferret struct {
	proc    *proc.Proc
	addr    string // host:port
	handler string // postgresql or sqlite
}

var ferretReady = regexp.MustCompile(`^MONGODB_URI=(mongodb://\S+)$`)

// startFerret starts FerretDB with the handler -handler asks for: auto and
// postgresql use the private PostgreSQL server (auto falls back to SQLite
// if it cannot start).
func (h *harness) startFerret(ctx context.Context) (ferret, error) {
	f := ferret{handler: h.cfg.handler}
	var args []string
	if f.handler != "sqlite" {
		pgURL, err := h.ferretPostgres(ctx)
		switch {
		case err == nil:
			f.handler = "postgresql"
			args = []string{"-handler", "postgresql", "-postgresql-url", pgURL}
		case f.handler == "postgresql":
			return f, err
		default:
			logf("FerretDB: %v; using the SQLite handler", err)
			f.handler = "sqlite"
		}
	}
	if f.handler == "sqlite" {
		args = []string{"-handler", "sqlite", "-dir", filepath.Join(h.work, "sqlite")}
		h.ferretDesc = "FerretDB " + ferretVersion + ", sqlite handler"
	} else {
		h.ferretDesc = "FerretDB " + ferretVersion + ", postgresql handler on the private PostgreSQL"
	}
	cmd := exec.Command(h.bins.ferret, args...)
	p, uri, err := proc.Start(ctx, cmd, filepath.Join(h.work, "ferretdb.log"), ferretReady, time.Minute)
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

// ferretPostgres returns the URL of FerretDB's database on the private
// PostgreSQL server, creating the database afresh. FerretDB opens up to 50
// connections, which the private server's max_connections allows for.
func (h *harness) ferretPostgres(ctx context.Context) (string, error) {
	pg, err := h.postgres(ctx)
	if err != nil {
		return "", err
	}
	if err := recreateDatabase(ctx, pg.URL("postgres"), ferretDB); err != nil {
		return "", err
	}
	return pg.URL(ferretDB), nil
}

// recreateDatabase drops the database name, if it exists, and creates it
// empty.
func recreateDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	ident := pgx.Identifier{name}.Sanitize()
	for _, sql := range []string{"DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)", "CREATE DATABASE " + ident} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	return nil
}

// dropDatabase drops the database name, cutting its connections.
func dropDatabase(adminURL, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		logf("dropping database %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		logf("dropping database %s: %v", name, err)
	}
}
