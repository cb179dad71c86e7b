package postgres

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults of Options, connect-pg-simple 10's where it has the option.
const (
	// DefaultTable is the table sessions are stored in (connect-pg-simple's
	// tableName default: singular).
	DefaultTable = "session"

	// DefaultTTL is the lifetime of a session stored without an expiry of
	// its own (a browser-session cookie): connect-pg-simple's one day.
	DefaultTTL = 24 * time.Hour

	// DefaultPruneInterval is the mean time between two removals of
	// expired sessions (connect-pg-simple's pruneSessionInterval, 900 s).
	DefaultPruneInterval = 15 * time.Minute

	// DefaultOperationTimeout bounds every operation on the database.
	DefaultOperationTimeout = 5 * time.Second
)

// maxIdentifier is the longest identifier PostgreSQL keeps (NAMEDATALEN-1);
// it truncates longer ones, which would make two names collide silently.
const maxIdentifier = 63

// Options configure a Store. Exactly one of URL and Pool must be set; every
// other field has a useful zero value. Each field names its
// connect-pg-simple 10 equivalent.
type Options struct {
	// URL is a connection string, "postgres://user@host:5432/db?..." or
	// "host=... dbname=..." (connect-pg-simple's conString; its default
	// $DATABASE_URL is not read here). The Store creates a pgxpool.Pool
	// from it, connects lazily, and closes the pool on Close. Any run-time
	// parameter can be added to it, such as timezone=UTC (see the package
	// documentation on time zones before doing so).
	URL string

	// Pool is a pool the application owns (connect-pg-simple's pool). The
	// Store uses it and never closes it, Close included.
	Pool *pgxpool.Pool

	// Schema is the schema of the table (connect-pg-simple's schemaName).
	// Default: none, so the table is found through the connection's
	// search_path.
	Schema string

	// Table is the table name (connect-pg-simple's tableName). Default
	// "session". Schema and Table are always quoted, so they are
	// case-sensitive and may hold any character but NUL; a '"' is doubled.
	Table string

	// CreateTable creates the table, with connect-pg-simple's columns and
	// expire index plus sesh's owner and created columns and owner index,
	// when it does not exist (connect-pg-simple's createTableIfMissing).
	// It runs once, before the first operation, under an advisory lock so
	// that processes starting together do not collide; a failure is
	// retried by the next operation. The primary key and index names are
	// derived from Table ("<table>_pkey", "IDX_<table>_expire",
	// "IDX_<table>_owner"), so several session tables can share a schema.
	// An existing table is left as it is.
	CreateTable bool

	// Owners adds the owner and created columns, and the owner index, to an
	// existing table that lacks them (a table connect-pg-simple or its
	// table.sql created), once, before the first operation. It takes a
	// brief exclusive lock on the table, and the index build blocks writes
	// while it reads the table: turn it on for one deployment, or run the
	// statements of the package documentation yourself. Off by default,
	// because it changes a table other applications own; whatever it says,
	// the Store uses the columns when they exist. (connect-pg-simple has
	// no equivalent: it ignores these columns.)
	Owners bool

	// TTL is the lifetime of a session stored without an expiry of its own
	// (connect-pg-simple's ttl, in seconds there). Default one day.
	TTL time.Duration

	// PruneInterval is the mean time between two removals of expired
	// sessions (connect-pg-simple's pruneSessionInterval, in seconds
	// there). Default 15 minutes; negative disables pruning
	// (pruneSessionInterval: false). Expired sessions are never returned,
	// pruned or not.
	PruneInterval time.Duration

	// PruneJitter returns the delay before the next removal from
	// PruneInterval (connect-pg-simple's pruneSessionRandomizedInterval).
	// Default: a delay drawn uniformly between 50% and 150% of the
	// interval, so that processes started together do not prune together.
	// Return the interval itself for a fixed period.
	PruneJitter func(interval time.Duration) time.Duration

	// OperationTimeout bounds every operation on the database, on top of
	// the caller's context, so that an unreachable server makes requests
	// fail in bounded time. Default 5 seconds; negative means no bound
	// beyond the caller's context. (connect-pg-simple has none.)
	OperationTimeout time.Duration

	// Logger receives warnings about background work: failed removals of
	// expired sessions. Default slog.Default() (connect-pg-simple's
	// errorLog). Session ids are never logged.
	Logger *slog.Logger

	// now returns the current time; tests replace it.
	now func() time.Time
	// onPrune, if set, receives the count of each successful periodic
	// removal; tests use it.
	onPrune func(n int64)
}

// resolved is the validated configuration of a Store.
type resolved struct {
	Options
	owned bool // the Store created the pool from URL
}

func (o Options) resolve() (resolved, error) {
	r := resolved{Options: o}
	if (o.URL == "") == (o.Pool == nil) {
		return r, errors.New("postgres: set exactly one of Options.URL and Options.Pool")
	}
	r.owned = o.URL != ""
	if r.Table == "" {
		r.Table = DefaultTable
	}
	for _, id := range []struct{ field, name string }{{"Schema", r.Schema}, {"Table", r.Table}} {
		if err := checkIdentifier(id.name); err != nil {
			return r, fmt.Errorf("postgres: Options.%s: %w", id.field, err)
		}
	}
	if r.TTL == 0 {
		r.TTL = DefaultTTL
	}
	if r.TTL < 0 {
		return r, errors.New("postgres: Options.TTL is negative")
	}
	if r.PruneInterval == 0 {
		r.PruneInterval = DefaultPruneInterval
	}
	if r.PruneJitter == nil {
		r.PruneJitter = Jitter
	}
	if r.OperationTimeout == 0 {
		r.OperationTimeout = DefaultOperationTimeout
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// checkIdentifier refuses names PostgreSQL cannot hold or would truncate.
func checkIdentifier(name string) error {
	switch {
	case strings.IndexByte(name, 0) >= 0:
		return errors.New("contains a NUL character")
	case !utf8.ValidString(name):
		return errors.New("is not valid UTF-8")
	case len(name) > maxIdentifier:
		return fmt.Errorf("is %d bytes long; PostgreSQL truncates names to %d bytes", len(name), maxIdentifier)
	}
	return nil
}

// Jitter is the default Options.PruneJitter: a delay drawn uniformly
// between half and one and a half times interval, as connect-pg-simple's
// Math.ceil(delay / 2 + delay * Math.random()).
func Jitter(interval time.Duration) time.Duration {
	return interval/2 + time.Duration(rand.Int64N(int64(interval)+1))
}
