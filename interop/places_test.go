package interop

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// storeKind names a kind of store both sides share: connect-mongo and
// sesh's backend/mongo, connect-redis and backend/redis, connect-pg-simple
// and backend/postgres.
type storeKind string

const (
	mongoStore    storeKind = "mongo"
	redisStore    storeKind = "redis"
	postgresStore storeKind = "postgres"
)

var allStores = []storeKind{mongoStore, redisStore, postgresStore}

// storesEnv restricts the stores the suite runs on (comma-separated;
// default all). ./scripts/test sets it to mongo for its second run, on
// FerretDB's PostgreSQL handler, which changes nothing for the others.
const storesEnv = "SESH_INTEROP_STORES"

// stores returns the stores the suite runs on.
func stores(t *testing.T) []storeKind {
	t.Helper()
	v := os.Getenv(storesEnv)
	if v == "" {
		return allStores
	}
	var out []storeKind
	for _, s := range strings.Split(v, ",") {
		k := storeKind(strings.TrimSpace(s))
		if !slices.Contains(allStores, k) {
			t.Fatalf("$%s=%q: %q is not one of %v", storesEnv, v, s, allStores)
		}
		out = append(out, k)
	}
	return out
}

// onlyOn skips a test of store k alone when the run leaves k out (as
// ./scripts/test's second run leaves out all but MongoDB).
func onlyOn(t *testing.T, k storeKind) {
	t.Helper()
	if !slices.Contains(stores(t), k) {
		t.Skipf("$%s=%s leaves %s out of this run", storesEnv, os.Getenv(storesEnv), k)
	}
}

// forEachStore runs f as a parallel subtest per store.
func forEachStore(t *testing.T, f func(t *testing.T, k storeKind)) {
	t.Helper()
	for _, k := range stores(t) {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			f(t, k)
		})
	}
}

// space is a test's own part of a store, removed when the test ends: a
// MongoDB database, a Redis key prefix, a PostgreSQL schema.
type space interface {
	// place returns the sessions called name in the space: a collection,
	// a key prefix, a table.
	place(t *testing.T, name string) place
}

// openSpace gives the test a space of its own in store k. Call it before
// starting servers, so that they stop before the space is removed.
func openSpace(t *testing.T, k storeKind) space {
	t.Helper()
	switch k {
	case mongoStore:
		return newDatabase(t)
	case redisStore:
		return newKeyspace(t)
	case postgresStore:
		return newSchema(t)
	}
	t.Fatalf("unknown store %q", k)
	return nil
}

// place is where servers keep sessions, read and changed by the tests as
// a person inspecting the database would.
type place interface {
	String() string // for messages
	kind() storeKind
	// env returns the settings that put a server there.
	env() map[string]string
	// get returns what is stored for session id, nil if nothing is. A
	// record past its expiry that the store still holds is returned.
	get(t *testing.T, id string) *stored
	// all returns every stored session, by id.
	all(t *testing.T) map[string]*stored
	// setExpiry moves the expiry of session id to when, as time passing
	// would. On Redis, a time in the past deletes the key.
	setExpiry(t *testing.T, id string, when time.Time)
}

// stored is one stored session, in a form common to the stores.
type stored struct {
	// text is the session as stored: the JSON text of Redis's value and
	// PostgreSQL's sess column, MongoDB's session field (its string, or
	// the extended JSON of a sub-document).
	text string
	// expires is the store's expiry: MongoDB's expires field, the Redis
	// key's (PEXPIRETIME), PostgreSQL's expire column. Zero: none.
	expires time.Time
	// version changes with every write and touch, so that a touch that
	// moves the expiry by less than the store's resolution shows: MongoDB's
	// expires and lastModified, Redis's expiry in ms, PostgreSQL's xmin.
	version string
	// shape describes the record for comparisons.
	shape func(t *testing.T, dec decrypter, format string) docShape
}

// mustGet is get failing the test when nothing is stored.
func mustGet(t *testing.T, p place, id, context string) *stored {
	t.Helper()
	s := p.get(t, id)
	if s == nil {
		t.Fatalf("%s: session %s is not stored in %s", context, id, p)
	}
	return s
}
