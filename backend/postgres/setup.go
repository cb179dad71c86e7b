package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The table is inspected, and created or extended as the options say,
// before the first operation. Success is kept; a failure is not, so the
// next operation tries again (connect-pg-simple keeps a failed creation
// for the life of the process).

// column is what setup needs to know of one column of the table.
type column struct {
	typ    string // format_type, such as "timestamp(6) without time zone"
	leads  bool   // the first key column of some index
	unique bool   // alone in a unique, non-partial index: ON CONFLICT works
}

// inspectSQL lists the columns of the table named by $1 (as to_regclass
// resolves it, through search_path when unqualified); no rows when there
// is no such table. It takes no lock.
const inspectSQL = `SELECT a.attname, format_type(a.atttypid, a.atttypmod),
	coalesce(bool_or(i.indexrelid IS NOT NULL), false),
	coalesce(bool_or(i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL AND i.indexprs IS NULL), false)
FROM pg_attribute a
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indkey[0] = a.attnum
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
GROUP BY a.attname, a.atttypid, a.atttypmod`

// querier is what inspect needs of a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func inspect(ctx context.Context, q querier, table string) (map[string]column, error) {
	rows, err := q.Query(ctx, inspectSQL, table)
	if err != nil {
		return nil, err
	}
	cols := make(map[string]column)
	for rows.Next() {
		var name string
		var c column
		if err := rows.Scan(&name, &c.typ, &c.leads, &c.unique); err != nil {
			rows.Close()
			return nil, err
		}
		cols[name] = c
	}
	return cols, rows.Err()
}

// setupTable inspects the table, changes it if the options ask for it and it
// needs it, and returns the statements that fit it.
func (s *Store) setupTable(ctx context.Context) (*queries, error) {
	cols, err := inspect(ctx, s.pool, s.names.table)
	if err != nil {
		return nil, fmt.Errorf("inspecting table %s: %w", s.names.table, err)
	}
	if s.needsDDL(cols) {
		if cols, err = s.ddl(ctx); err != nil {
			return nil, err
		}
	}
	return s.fit(cols)
}

func (s *Store) needsDDL(cols map[string]column) bool {
	if len(cols) == 0 {
		return s.opts.CreateTable
	}
	return s.opts.Owners && !(cols["owner"].leads && cols["created"].typ != "")
}

// ddl creates or extends the table in one transaction, under an advisory
// lock so that processes starting together take turns, deciding what to do
// only once it holds the lock. The IF NOT EXISTS clauses make each
// statement harmless should another program have done it meanwhile.
func (s *Store) ddl(ctx context.Context) (map[string]column, error) {
	var cols map[string]column
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", s.names.lockKey); err != nil {
			return err
		}
		var err error
		if cols, err = inspect(ctx, tx, s.names.table); err != nil {
			return err
		}
		var stmts []string
		switch {
		case len(cols) == 0 && s.opts.CreateTable:
			stmts = s.createStatements()
		case len(cols) > 0 && s.opts.Owners:
			stmts = s.ownerStatements(cols)
		}
		for _, stmt := range stmts {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		if len(stmts) > 0 {
			cols, err = inspect(ctx, tx, s.names.table)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("preparing table %s: %w", s.names.table, err)
	}
	return cols, nil
}

// createStatements create connect-pg-simple's table (its table.sql, with
// names derived from the table's) plus sesh's columns and owner index.
func (s *Store) createStatements() []string {
	n := s.names
	return []string{
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	"sid" varchar NOT NULL COLLATE "default",
	"sess" json NOT NULL,
	"expire" timestamp(6) NOT NULL,
	"owner" text,
	"created" timestamptz,
	CONSTRAINT %s PRIMARY KEY ("sid") NOT DEFERRABLE INITIALLY IMMEDIATE
)`, n.table, n.pkey),
		fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s ("expire")`, n.expireIdx, n.table),
		s.ownerIndexStatement(),
	}
}

// ownerStatements add what the table lacks of sesh's columns and index.
func (s *Store) ownerStatements(cols map[string]column) []string {
	var add []string
	if cols["owner"].typ == "" {
		add = append(add, `ADD COLUMN IF NOT EXISTS "owner" text`)
	}
	if cols["created"].typ == "" {
		add = append(add, `ADD COLUMN IF NOT EXISTS "created" timestamptz`)
	}
	var stmts []string
	if len(add) > 0 {
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s %s", s.names.table, strings.Join(add, ", ")))
	}
	if !cols["owner"].leads {
		stmts = append(stmts, s.ownerIndexStatement())
	}
	return stmts
}

// ownerIndexStatement indexes owner, leaving out the rows with none, which
// are every row an Express application writes.
func (s *Store) ownerIndexStatement() string {
	return fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s ("owner") WHERE "owner" IS NOT NULL`, s.names.ownerIdx, s.names.table)
}

// errNoTable reports a missing table; the next operation looks again.
var errNoTable = errors.New("does not exist: create it with connect-pg-simple's table.sql, or set Options.CreateTable")

// fit checks that the table has connect-pg-simple's columns and returns the
// statements for it.
func (s *Store) fit(cols map[string]column) (*queries, error) {
	t := s.names.table
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s %w", t, errNoTable)
	}
	for _, name := range []string{"sid", "sess", "expire"} {
		if cols[name].typ == "" {
			return nil, fmt.Errorf("table %s has no column %q: it is not a connect-pg-simple session table", t, name)
		}
	}
	if !cols["sid"].unique {
		return nil, fmt.Errorf("table %s has no primary key or unique index on sid alone, which writes need (ON CONFLICT (sid))", t)
	}
	sess := cols["sess"].typ
	switch sess {
	case "json", "jsonb", "text", "character varying":
	default:
		return nil, fmt.Errorf("table %s: column sess has type %s; want json (or jsonb or text)", t, sess)
	}
	if !strings.HasPrefix(cols["expire"].typ, "timestamp") {
		return nil, fmt.Errorf("table %s: column expire has type %s; want timestamp", t, cols["expire"].typ)
	}
	owners := cols["owner"].typ == "text" && cols["created"].typ == "timestamp with time zone"
	q := newQueries(s.names, owners)
	q.checkedJSON = sess == "json" || sess == "jsonb"
	return q, nil
}
