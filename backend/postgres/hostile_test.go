package postgres

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// Ids are bound as parameters, never spliced into SQL: any text round-trips
// and matches only itself.
func TestHostileIDs(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	ids := []string{"", "'", `"`, `\`, "'; DROP TABLE session; --", "$1", "a%", "_", "with space", "tab\tnew\nline",
		"日本語", "🎉", "s:abc.def", "../../etc", strings.Repeat("x", 2000)}
	for _, id := range ids {
		if _, err := s.Create(ctx, backend.Record{ID: id, Data: []byte(`{"id":1}`), Expires: exp}); err != nil {
			t.Fatalf("Create(%.20q): %v", id, err)
		}
	}
	for _, id := range ids {
		if rec := mustGet(t, s, id); rec.ID != id {
			t.Fatalf("Get(%.20q) returned id %.20q", id, rec.ID)
		}
	}
	if _, ok, err := s.Get(ctx, "a_"); ok || err != nil { // no LIKE anywhere
		t.Fatalf("Get(a_) = %v, %v", ok, err)
	}
	if n := rowCount(t, s); n != len(ids) {
		t.Fatalf("%d rows, want %d", n, len(ids))
	}
}

// PostgreSQL text cannot hold NUL or invalid UTF-8: such an id can never
// be stored, so reading it finds nothing and writing it is refused with
// ErrInvalidData before anything is sent. An id too long for the primary
// key's index is refused by the server, with the same error.
func TestUnstorableIDs(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	long := make([]byte, 4000) // random, so that compression cannot shrink it
	for i := range long {
		long[i] = byte('a' + rand.IntN(26))
	}
	for _, id := range []string{"nul\x00id", "\xff\xfe", string(long)} {
		rec := backend.Record{ID: id, Data: []byte("{}"), Expires: exp}
		if _, err := s.Create(ctx, rec); !errors.Is(err, backend.ErrInvalidData) {
			t.Errorf("Create(%.20q) = %v, want ErrInvalidData", id, err)
		}
		if _, err := s.Update(ctx, rec); !errors.Is(err, backend.ErrInvalidData) && !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("Update(%.20q) = %v", id, err)
		}
		if _, ok, err := s.Get(ctx, id); ok || err != nil {
			t.Errorf("Get(%.20q) = %v, %v; want not found", id, ok, err)
		}
		if err := s.Destroy(ctx, id); err != nil {
			t.Errorf("Destroy(%.20q) = %v", id, err)
		}
	}
	if err := s.Touch(ctx, "nul\x00", exp, time.Time{}, backend.Token{}); !errors.Is(err, backend.ErrInvalidData) {
		t.Errorf("Touch with NUL = %v, want ErrInvalidData", err)
	}
	if n := rowCount(t, s); n != 0 {
		t.Fatalf("%d rows stored", n)
	}
}

// A row that cannot be read is an error matching ErrCorrupt, never a panic
// nor a missing session; the row is left in place, and All goes on past it.
func TestCorruptRows(t *testing.T) {
	// A text sess column, which connect-pg-simple also supports, can hold
	// anything; NULLs are possible without NOT NULL.
	table := uniqueName("sesh_test_")
	q := quoteIdent(table)
	dropTable(t, q)
	ctx := ctxT(t)
	if _, err := admin(t).Exec(ctx, "CREATE TABLE "+q+" (sid varchar PRIMARY KEY, sess text, expire timestamp(6))"); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, Options{Table: table})
	live := nowEpoch(time.Now()) + 3600
	for id, sess := range map[string]any{
		"bad-json":   `{"cookie":`,
		"bad-string": `"unterminated`,
		"null-sess":  nil,
		"good":       `{"cookie":{}}`,
	} {
		if _, err := admin(t).Exec(ctx, "INSERT INTO "+q+" VALUES ($1, $2, to_timestamp($3::double precision))", id, sess, live); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin(t).Exec(ctx, "INSERT INTO "+q+" VALUES ('forever', '{}', 'infinity')"); err != nil {
		t.Fatal(err)
	}
	corrupt := []string{"bad-json", "bad-string", "null-sess", "forever"}
	for _, id := range corrupt {
		rec, ok, err := s.Get(ctx, id)
		if !errors.Is(err, backend.ErrCorrupt) || ok {
			t.Errorf("Get(%s) = found %v, %v; want ErrCorrupt", id, ok, err)
		}
		if rec.ID != id {
			t.Errorf("Get(%s) returned id %q with its error", id, rec.ID)
		}
	}
	good, bad := 0, 0
	for rec, err := range s.All(ctx) {
		switch {
		case err == nil && rec.ID == "good":
			good++
		case errors.Is(err, backend.ErrCorrupt):
			bad++
		default:
			t.Errorf("All yielded %q, %v", rec.ID, err)
		}
	}
	if good != 1 || bad != len(corrupt) {
		t.Errorf("All yielded %d good and %d corrupt records, want 1 and %d", good, bad, len(corrupt))
	}
	if n := rowCount(t, s); n != 5 {
		t.Fatalf("%d rows: a corrupt row was removed", n)
	}
	// A valid write over a corrupt row repairs it.
	if _, err := s.Update(ctx, backend.Record{ID: "bad-json", Data: []byte(`{"cookie":{}}`), Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "bad-json")
}

// A jsonb sess column works too; PostgreSQL rewrites the text (key order,
// spaces), so the data read back is equivalent rather than identical.
func TestJSONBColumn(t *testing.T) {
	table := uniqueName("sesh_test_")
	q := quoteIdent(table)
	dropTable(t, q)
	if _, err := admin(t).Exec(ctxT(t), "CREATE TABLE "+q+" (sid varchar PRIMARY KEY, sess jsonb NOT NULL, expire timestamp(6) NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, Options{Table: table})
	exp := time.Now().Add(time.Hour)
	for id, data := range map[string]string{"obj": `{"z":1,"a":2}`, "cipher": "v1.abc+/="} {
		if _, err := s.Create(ctxT(t), backend.Record{ID: id, Data: []byte(data), Expires: exp}); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(mustGet(t, s, "obj").Data); got != `{"a": 2, "z": 1}` {
		t.Fatalf("jsonb read back %s", got)
	}
	if got := string(mustGet(t, s, "cipher").Data); got != "v1.abc+/=" {
		t.Fatalf("ciphertext in jsonb read back %q", got)
	}
}
