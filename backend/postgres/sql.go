package postgres

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode/utf8"
)

// quoteIdent quotes a PostgreSQL identifier, doubling any '"' in it.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// names are the quoted identifiers of a Store's table and its indexes.
type names struct {
	table     string // "schema"."table", or "table"
	pkey      string // "<table>_pkey", in the table's schema by construction
	expireIdx string // "IDX_<table>_expire"
	ownerIdx  string // "IDX_<table>_owner"
	lockKey   int64  // the advisory lock taken around DDL
}

func newNames(schema, table string) names {
	n := names{
		table:     quoteIdent(table),
		pkey:      quoteIdent(derivedName("", table, "_pkey")),
		expireIdx: quoteIdent(derivedName("IDX_", table, "_expire")),
		ownerIdx:  quoteIdent(derivedName("IDX_", table, "_owner")),
	}
	if schema != "" {
		n.table = quoteIdent(schema) + "." + n.table
	}
	h := fnv.New64a()
	h.Write([]byte("sesh/backend/postgres\x00" + n.table))
	n.lockKey = int64(h.Sum64())
	return n
}

// derivedName returns prefix+table+suffix, shortened when it would exceed
// PostgreSQL's identifier length by cutting table and adding a hash of it,
// so that two long table names sharing a prefix still get distinct names.
func derivedName(prefix, table, suffix string) string {
	name := prefix + table + suffix
	if len(name) <= maxIdentifier {
		return name
	}
	h := fnv.New32a()
	h.Write([]byte(table))
	tag := fmt.Sprintf("_%08x", h.Sum32())
	keep := maxIdentifier - len(prefix) - len(suffix) - len(tag)
	for keep > 0 && !utf8.RuneStart(table[keep]) {
		keep--
	}
	return prefix + table[:keep] + tag + suffix
}

// pageSize is how many rows All and Owned read per query.
const pageSize = 256

// queries are the SQL statements of a Store, fixed once its table is known.
//
// Times cross the wire only as epoch seconds in double precision, turned
// into timestamps by to_timestamp and back by date_part on the server, so
// that the naive expire column is read and written in the session's
// TimeZone exactly as connect-pg-simple does (see the package
// documentation). xmin, the id of the transaction that wrote the row
// version, is the Token.
type queries struct {
	owners      bool // the table has the owner and created columns
	checkedJSON bool // sess is json or jsonb: the server checked it is JSON

	get, create, update, updateIf, probe, touch, destroy string
	firstPage, nextPage, firstOwned, nextOwned           string
	count, clear, prune                                  string
}

// live is the condition of a row that has not expired at the epoch second
// in parameter $n: connect-pg-simple's get filter.
func live(n int) string {
	return fmt.Sprintf("expire >= to_timestamp($%d::double precision)", n)
}

func newQueries(n names, owners bool) *queries {
	t := n.table
	cols := "sess, date_part('epoch', expire::timestamptz), xmin"
	if owners {
		cols += ", owner, created"
	}
	q := &queries{owners: owners}
	q.get = fmt.Sprintf("SELECT %s FROM %s WHERE sid = $1 AND %s", cols, t, live(2))
	q.probe = fmt.Sprintf("SELECT xmin FROM %s WHERE sid = $1 AND %s", t, live(2))
	q.touch = fmt.Sprintf("UPDATE %s SET expire = to_timestamp($1::double precision) WHERE sid = $2 AND %s", t, live(3))
	q.destroy = fmt.Sprintf("DELETE FROM %s WHERE sid = $1", t)
	q.count = fmt.Sprintf("SELECT count(*) FROM %s", t)
	q.clear = fmt.Sprintf("DELETE FROM %s", t)
	q.prune = fmt.Sprintf("DELETE FROM %s WHERE expire < to_timestamp($1::double precision)", t)

	// Pages are read in sid order, resuming after the last sid seen, so
	// that no connection is held while the caller's loop body runs.
	page := func(where string, after int) (first, next string) {
		base := fmt.Sprintf("SELECT sid, %s FROM %s WHERE %s", cols, t, where)
		tail := fmt.Sprintf(" ORDER BY sid LIMIT %d", pageSize)
		return base + tail, base + fmt.Sprintf(" AND sid > $%d", after) + tail
	}
	q.firstPage, q.nextPage = page(live(1), 2)
	q.firstOwned, q.nextOwned = page("owner = $1 AND "+live(2), 3)

	// Writes take sess $1, expire $2, sid $3, now $4, then owner $5 and
	// created $6 when the table has them, then the token's xmin.
	set := "sess = $1, expire = to_timestamp($2::double precision)"
	insCols, insVals, excluded := "sid, sess, expire", "$3, $1, to_timestamp($2::double precision)", "sess = EXCLUDED.sess, expire = EXCLUDED.expire"
	next := 5
	if owners {
		set += ", owner = NULLIF($5, ''), created = COALESCE($6::timestamptz, created)"
		insCols += ", owner, created"
		insVals += ", NULLIF($5, ''), $6"
		excluded += ", owner = EXCLUDED.owner, created = EXCLUDED.created"
		next = 7
	}
	q.create = fmt.Sprintf("INSERT INTO %s AS s (%s) VALUES (%s) ON CONFLICT (sid) DO UPDATE SET %s WHERE s.expire < to_timestamp($4::double precision) RETURNING xmin",
		t, insCols, insVals, excluded)
	q.update = fmt.Sprintf("UPDATE %s SET %s WHERE sid = $3 AND %s RETURNING xmin", t, set, live(4))
	q.updateIf = fmt.Sprintf("UPDATE %s SET %s WHERE sid = $3 AND %s AND xmin = $%d RETURNING xmin", t, set, live(4), next)
	return q
}
