package interop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/seshgo/sesh/internal/pgtest"
)

// schema is a test's own schema on the shared PostgreSQL server, dropped
// with its tables when the test ends. The servers reach it through their
// connection's search_path (the options parameter of the URL, which
// node-postgres and pgx both send), so that each side's table creation
// works as in an application's own database.
type schema struct {
	name string
	url  string // the server's URL with search_path set to the schema
	pool *pgxpool.Pool
}

func newSchema(t *testing.T) *schema {
	t.Helper()
	base := pgtest.URL(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("the interop suite needs $%s as a postgres:// URL, not %q (%v)", pgtest.URLEnv, base, err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	s := &schema{name: "interop_" + hex.EncodeToString(rnd[:])}
	q := u.Query()
	q.Set("options", "-c search_path="+s.name)
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	s.url = u.String()
	s.pool, err = pgxpool.New(ctx(t), base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx(t), "CREATE SCHEMA "+quoteIdent(s.name)); err != nil {
		s.pool.Close()
		t.Fatalf("creating schema %s: %v", s.name, err)
	}
	t.Cleanup(func() {
		defer s.pool.Close()
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := s.pool.Exec(c, "DROP SCHEMA "+quoteIdent(s.name)+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", s.name, err)
		}
	})
	return s
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// place returns table name, created as connect-pg-simple's table.sql
// creates it but with the key and index named after the table (its own
// names are fixed, so a second table created by connect-pg-simple in the
// schema would fail: relation "session_pkey" already exists).
func (s *schema) place(t *testing.T, name string) place {
	t.Helper()
	p := s.table(name)
	q := p.quoted()
	if _, err := s.pool.Exec(ctx(t), `CREATE TABLE `+q+` (
  "sid" varchar NOT NULL COLLATE "default",
  "sess" json NOT NULL,
  "expire" timestamp(6) NOT NULL
);
ALTER TABLE `+q+` ADD CONSTRAINT `+quoteIdent(name+"_pkey")+` PRIMARY KEY ("sid") NOT DEFERRABLE INITIALLY IMMEDIATE;
CREATE INDEX `+quoteIdent("IDX_"+name+"_expire")+` ON `+q+` ("expire");`); err != nil {
		t.Fatalf("creating table %s: %v", q, err)
	}
	return p
}

// table returns table name without creating it.
func (s *schema) table(name string) *pgPlace { return &pgPlace{s: s, table: name} }

// pgPlace is one table of the schema, connect-pg-simple's tableName and
// sesh's Options.Table.
type pgPlace struct {
	s     *schema
	table string
}

func (p *pgPlace) quoted() string  { return quoteIdent(p.s.name) + "." + quoteIdent(p.table) }
func (p *pgPlace) String() string  { return "PostgreSQL table " + p.quoted() }
func (p *pgPlace) kind() storeKind { return postgresStore }

func (p *pgPlace) env() map[string]string {
	return map[string]string{"STORE": "postgres", "DATABASE_URL": p.s.url, "PG_TABLE": p.table}
}

// selectRow reads sess as the text stored, expire as an instant (in the
// connection's TimeZone, the server's default, as both sides use), and
// the row version.
const selectRow = `SELECT sid, sess::text, date_part('epoch', expire::timestamptz), xmin::text FROM `

func (p *pgPlace) get(t *testing.T, id string) *stored {
	t.Helper()
	rows, err := p.s.pool.Query(ctx(t), selectRow+p.quoted()+` WHERE sid = $1`, id)
	if err != nil {
		t.Fatalf("reading session %s from %s: %v", id, p, err)
	}
	out := p.collect(t, rows)
	return out[id]
}

func (p *pgPlace) all(t *testing.T) map[string]*stored {
	t.Helper()
	rows, err := p.s.pool.Query(ctx(t), selectRow+p.quoted())
	if err != nil {
		t.Fatalf("listing %s: %v", p, err)
	}
	return p.collect(t, rows)
}

func (p *pgPlace) collect(t *testing.T, rows pgx.Rows) map[string]*stored {
	t.Helper()
	out := map[string]*stored{}
	for rows.Next() {
		var (
			id, xmin string
			epoch    float64
		)
		s := &stored{}
		if err := rows.Scan(&id, &s.text, &epoch, &xmin); err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		s.expires = time.UnixMicro(int64(math.Round(epoch * 1e6))).UTC()
		s.version = xmin
		s.shape = func(t *testing.T, dec decrypter, format string) docShape {
			return textShape(t, "sid sess expire", s.text, dec, format)
		}
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("reading %s: %v", p, err)
	}
	return out
}

func (p *pgPlace) setExpiry(t *testing.T, id string, when time.Time) {
	t.Helper()
	tag, err := p.s.pool.Exec(ctx(t), `UPDATE `+p.quoted()+` SET expire = to_timestamp($1::float8) WHERE sid = $2`,
		float64(when.UnixMicro())/1e6, id)
	if err == nil && tag.RowsAffected() != 1 {
		err = errors.New("no such row")
	}
	if err != nil {
		t.Fatalf("moving the expiry of session %s in %s: %v", id, p, err)
	}
}

// exists reports whether the table exists.
func (p *pgPlace) exists(t *testing.T) bool {
	t.Helper()
	var found *string
	if err := p.s.pool.QueryRow(ctx(t), `SELECT to_regclass($1)::text`, p.quoted()).Scan(&found); err != nil {
		t.Fatal(err)
	}
	return found != nil
}

// columns returns the table's columns, in order, and the names of its
// indexes, sorted.
func (p *pgPlace) columns(t *testing.T) (cols, indexes []string) {
	t.Helper()
	rows, err := p.s.pool.Query(ctx(t), `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, p.quoted())
	if err != nil {
		t.Fatal(err)
	}
	cols, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	rows, err = p.s.pool.Query(ctx(t), `SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass`, p.quoted())
	if err != nil {
		t.Fatal(err)
	}
	indexes, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(indexes)
	return cols, indexes
}
