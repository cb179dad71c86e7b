package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/seshgo/sesh/backend/postgres"
	"github.com/seshgo/sesh/bench/internal/dbserver"
	"github.com/seshgo/sesh/bench/internal/ops"
)

// goPoolSize is the pool size of the Go contestants' pgx pools
// (pool_max_conns), node-postgres's default pool size, which the Express
// contestant uses, so that every contestant keeps as many connections.
const goPoolSize = 10

// pgDB is the private PostgreSQL server; each contestant gets a database of
// its own on it.
type pgDB struct {
	server *dbserver.Postgres
	admin  *pgxpool.Pool // the postgres database: creates databases, reads pg_stat_statements
}

func (h *harness) startPostgres(ctx context.Context) (*pgDB, error) {
	srv, err := h.postgres(ctx)
	if err != nil {
		return nil, err
	}
	admin, err := pgxpool.New(ctx, srv.URL("postgres"))
	if err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("pg_stat_statements: %w", err)
	}
	return &pgDB{server: srv, admin: admin}, nil
}

func (p *pgDB) close() { p.admin.Close() }

func (p *pgDB) classify(key string) (string, ops.Class) { return ops.SQL(key) }

func (p *pgDB) cpu() (time.Duration, error) { return p.server.Proc.TreeCPU() }

// snapshot reads the calls of each statement run in st's database from
// pg_stat_statements, keyed by its normalised text. The harness's own
// queries run in another database.
func (p *pgDB) snapshot(ctx context.Context, st store) (ops.Counts, error) {
	rows, err := p.admin.Query(ctx, `SELECT s.query, sum(s.calls)::bigint FROM pg_stat_statements s
		JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 GROUP BY s.query`, st.(*pgStore).name)
	if err != nil {
		return nil, err
	}
	c := ops.Counts{}
	var q string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&q, &n}, func() error {
		c[q] += n
		return nil
	})
	return c, err
}

// fresh gives sys a new database holding the table its store uses: sesh's
// (created by backend/postgres's CreateTable) for sesh and the limit,
// connect-pg-simple's table.sql for Express, scs's README schema for scs.
func (p *pgDB) fresh(ctx context.Context, sys system) (store, error) {
	name := fmt.Sprintf("sesh_bench_%d_%s", os.Getpid(), sys.name)
	s, err := p.newStore(ctx, name, sys.layout)
	if err != nil {
		return nil, err
	}
	s.goClient = sys.name != "express"
	var ddl []string
	switch {
	case sys.layout == scsLayout:
		ddl = scsTable
	case sys.name == "express":
		ddl = connectPGSimpleTable
	default:
		err = createSeshTable(ctx, s.pool)
	}
	for _, stmt := range ddl {
		if _, err = s.pool.Exec(ctx, stmt); err != nil {
			break
		}
	}
	if err != nil {
		s.drop()
		return nil, fmt.Errorf("creating the table: %w", err)
	}
	return s, nil
}

// newStore creates the database name afresh and connects to it.
func (p *pgDB) newStore(ctx context.Context, name string, l layout) (*pgStore, error) {
	if err := recreateDatabase(ctx, p.server.URL("postgres"), name); err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, p.server.URL(name))
	if err != nil {
		dropDatabase(p.server.URL("postgres"), name)
		return nil, err
	}
	return &pgStore{p: p, name: name, pool: pool, layout: l}, nil
}

// connectPGSimpleTable is connect-pg-simple 10's table.sql, verbatim.
var connectPGSimpleTable = []string{
	`CREATE TABLE "session" (
  "sid" varchar NOT NULL COLLATE "default",
  "sess" json NOT NULL,
  "expire" timestamp(6) NOT NULL
)
WITH (OIDS=FALSE)`,
	`ALTER TABLE "session" ADD CONSTRAINT "session_pkey" PRIMARY KEY ("sid") NOT DEFERRABLE INITIALLY IMMEDIATE`,
	`CREATE INDEX "IDX_session_expire" ON "session" ("expire")`,
}

// scsTable is the schema scs's postgresstore and pgxstore document.
var scsTable = []string{
	`CREATE TABLE sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL)`,
	`CREATE INDEX sessions_expiry_idx ON sessions (expiry)`,
}

// createSeshTable creates the table as sesh-compat creates it
// (backend/postgres with CreateTable: connect-pg-simple's columns plus
// owner and created), by asking a store on pool to count its rows.
func createSeshTable(ctx context.Context, pool *pgxpool.Pool) error {
	st, err := postgres.New(postgres.Options{Pool: pool, CreateTable: true, PruneInterval: -1})
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.Len(ctx)
	return err
}

// pgStore is a contestant's database.
type pgStore struct {
	p        *pgDB
	name     string
	pool     *pgxpool.Pool
	layout   layout
	goClient bool // the contestant connects with pgx (pool_max_conns applies)
}

// env points the contestant at its database. Go contestants get
// pool_max_conns; node-postgres's pool is 10 by default.
func (s *pgStore) env() []string {
	url := s.p.server.URL(s.name)
	if s.goClient {
		url += fmt.Sprintf("&pool_max_conns=%d", goPoolSize)
	}
	return []string{"STORE=postgres", "DATABASE_URL=" + url, "PG_TABLE=session"}
}

// put copies the sessions in (COPY): connect-pg-simple's (sid, sess,
// expire), expire being the session's expiry in whole seconds, rounded up,
// as a timestamp in the server's time zone (UTC); or scs's (token, data,
// expiry).
func (s *pgStore) put(ctx context.Context, l layout, ids, users []string, expires time.Time) error {
	rows := make([][]any, len(ids))
	table, cols := pgx.Identifier{"session"}, []string{"sid", "sess", "expire"}
	if l == scsLayout {
		table, cols = pgx.Identifier{"sessions"}, []string{"token", "data", "expiry"}
	}
	expire := expires.UTC().Truncate(time.Second).Add(time.Second)
	for i, id := range ids {
		if l == scsLayout {
			data, err := scsData(users[i], expires)
			if err != nil {
				return err
			}
			rows[i] = []any{id, data, expires}
			continue
		}
		rows[i] = []any{id, sessionJSON(users[i], expires), expire}
	}
	_, err := s.pool.CopyFrom(ctx, table, cols, pgx.CopyFromRows(rows))
	return err
}

func (s *pgStore) count(ctx context.Context) (int64, error) {
	table := `"session"`
	if s.layout == scsLayout {
		table = "sessions"
	}
	var n int64
	err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

func (s *pgStore) drop() {
	s.pool.Close()
	dropDatabase(s.p.server.URL("postgres"), s.name)
}
