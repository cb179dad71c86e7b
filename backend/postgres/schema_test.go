package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/internal/pgtest"
)

// tableSQL is connect-pg-simple 10's table.sql, verbatim, for table.
func tableSQL(table string) string {
	return strings.ReplaceAll(`CREATE TABLE "session" (
  "sid" varchar NOT NULL COLLATE "default",
  "sess" json NOT NULL,
  "expire" timestamp(6) NOT NULL
)
WITH (OIDS=FALSE);

ALTER TABLE "session" ADD CONSTRAINT "session_pkey" PRIMARY KEY ("sid") NOT DEFERRABLE INITIALLY IMMEDIATE;

CREATE INDEX "IDX_session_expire" ON "session" ("expire");`, `"session"`, table)
}

// expressTable makes connect-pg-simple's default table, "session" with its
// table.sql, in a schema of its own, and returns the Options naming it.
func expressTable(t *testing.T) Options {
	t.Helper()
	schema := uniqueName("sesh_schema_")
	createSchema(t, schema)
	if _, err := admin(t).Exec(ctxT(t), "SET LOCAL search_path TO "+quoteIdent(schema)+"; "+tableSQL(`"session"`)); err != nil {
		t.Fatal(err)
	}
	return Options{Schema: schema, Table: "session"}
}

// indexes returns the sorted names of table's indexes.
func indexes(t *testing.T, table string) []string {
	t.Helper()
	rows, err := admin(t).Query(ctxT(t), "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = to_regclass($1) ORDER BY 1", table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// columns returns table's columns and types, in order.
func columns(t *testing.T, table string) string {
	t.Helper()
	var cols string
	err := admin(t).QueryRow(ctxT(t), `SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END, ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`, table).Scan(&cols)
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

// CreateTable makes connect-pg-simple's table plus sesh's columns, with
// names derived from the table's, and does nothing the second time.
func TestCreateTable(t *testing.T) {
	table := uniqueName("Sesh Test \"")
	dropTable(t, quoteIdent(table))
	s := newStore(t, Options{Table: table, CreateTable: true})
	mustCreate(t, s, "x", time.Now().Add(time.Hour), "")
	q := s.names.table
	want := "sid character varying not null, sess json not null, expire timestamp(6) without time zone not null, owner text, created timestamp with time zone"
	if got := columns(t, q); got != want {
		t.Fatalf("columns: %s\nwant     %s", got, want)
	}
	wantIdx := []string{
		quoteIdent("IDX_" + table + "_expire"),
		quoteIdent("IDX_" + table + "_owner"),
		quoteIdent(table + "_pkey"),
	}
	if got := indexes(t, q); strings.Join(got, " ") != strings.Join(wantIdx, " ") {
		t.Fatalf("indexes %q, want %q", got, wantIdx)
	}
	again := newStore(t, Options{Table: table, CreateTable: true})
	mustGet(t, again, "x")
	if got := indexes(t, q); len(got) != 3 {
		t.Fatalf("a second CreateTable changed the indexes: %q", got)
	}
}

// Several processes starting at once on a missing table all succeed.
func TestCreateTableConcurrent(t *testing.T) {
	url := pgtest.URL(t)
	table := uniqueName("sesh_test_")
	dropTable(t, quoteIdent(table))
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			s, err := New(Options{URL: url, Table: table, CreateTable: true, PruneInterval: -1})
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			id := string(rune('a' + i))
			if _, err := s.Create(ctxT(t), backend.Record{ID: id, Data: []byte("{}"), Expires: time.Now().Add(time.Hour)}); err != nil {
				t.Errorf("first operation of store %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	var n int
	if err := admin(t).QueryRow(ctxT(t), "SELECT count(*) FROM "+quoteIdent(table)).Scan(&n); err != nil || n != 6 {
		t.Fatalf("%d rows (%v), want 6", n, err)
	}
}

// Two session tables can share a schema with CreateTable, where
// connect-pg-simple's table.sql fails on the second.
func TestTwoTablesInOneSchema(t *testing.T) {
	schema := uniqueName("sesh_schema_")
	createSchema(t, schema)
	a := newStore(t, Options{Schema: schema, Table: "session", CreateTable: true})
	b := newStore(t, Options{Schema: schema, Table: "session_admin", CreateTable: true})
	mustCreate(t, a, "x", time.Now().Add(time.Hour), `,"a":1`)
	mustCreate(t, b, "x", time.Now().Add(time.Hour), `,"b":1`)
	if string(mustGet(t, a, "x").Data) == string(mustGet(t, b, "x").Data) {
		t.Fatal("the two tables share their rows")
	}
	if got := indexes(t, a.names.table); strings.Join(got, " ") != schema+`."IDX_session_expire" `+schema+`."IDX_session_owner" `+schema+`.session_pkey` {
		t.Fatalf("the default table's indexes are not connect-pg-simple's names: %q", got)
	}

	// What connect-pg-simple does for a second table in the same schema.
	_, err := admin(t).Exec(ctxT(t), "SET LOCAL search_path TO "+quoteIdent(schema)+"; "+tableSQL(`"other"`))
	if err == nil || !strings.Contains(err.Error(), `"session_pkey" already exists`) {
		t.Fatalf("connect-pg-simple's table.sql for a second table: %v; want its known failure", err)
	}
}

func createSchema(t *testing.T, schema string) {
	t.Helper()
	pool := admin(t)
	if _, err := pool.Exec(ctxT(t), "CREATE SCHEMA "+quoteIdent(schema)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+quoteIdent(schema)+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
}

// Schema names the table's schema, quoted, whatever the search_path.
func TestCustomSchema(t *testing.T) {
	schema := uniqueName(`Odd "Schema" `)
	createSchema(t, schema)
	s := newStore(t, Options{Schema: schema, Table: "session", CreateTable: true})
	mustCreate(t, s, "x", time.Now().Add(time.Hour), "")
	var n int
	if err := admin(t).QueryRow(ctxT(t), "SELECT count(*) FROM "+quoteIdent(schema)+`."session"`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the schema's table has %d rows (%v)", n, err)
	}
	if err := admin(t).QueryRow(ctxT(t), "SELECT count(*) FROM pg_tables WHERE tablename = 'session' AND schemaname = current_schema()").Scan(&n); err != nil || n != 0 {
		// Another helper's default table in the search_path would be
		// legitimate; ours must not have been created there.
		t.Logf("note: a table \"session\" exists in the search_path schema (%d, %v)", n, err)
	}
}

// Without CreateTable, a missing table is an error that says what to do,
// and is looked for again by the next operation.
func TestMissingTableRetried(t *testing.T) {
	schema := uniqueName("sesh_schema_")
	createSchema(t, schema)
	s := newStore(t, Options{Schema: schema, Table: "session"})
	table := s.names.table
	ctx := ctxT(t)
	_, _, err := s.Get(ctx, "x")
	if err == nil || !errors.Is(err, errNoTable) || !strings.Contains(err.Error(), "postgres: get: table") {
		t.Fatalf("Get on a missing table = %v", err)
	}
	setPath := "SET LOCAL search_path TO " + quoteIdent(schema) + "; "
	if _, err := admin(t).Exec(ctx, setPath+tableSQL(`"session"`)); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "x", time.Now().Add(time.Hour), "")
	mustGet(t, s, "x")

	// The table dropped and made again under a running Store.
	if _, err := admin(t).Exec(ctx, setPath+"DROP TABLE "+table+"; "+tableSQL(`"session"`)); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the first may meet a statement prepared for the old table
		_, _, err = s.Get(ctx, "x")
	}
	if err != nil {
		t.Fatalf("Get after the table was made again: %v", err)
	}
}

func TestNotASessionTable(t *testing.T) {
	table := uniqueName("sesh_test_")
	dropTable(t, quoteIdent(table))
	if _, err := admin(t).Exec(ctxT(t), "CREATE TABLE "+quoteIdent(table)+" (sid text, data bytea)"); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, Options{Table: table, CreateTable: true})
	if _, _, err := s.Get(ctxT(t), "x"); err == nil || !strings.Contains(err.Error(), `no column "sess"`) {
		t.Fatalf("Get on a table of other columns = %v", err)
	}
}
