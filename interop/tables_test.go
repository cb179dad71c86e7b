package interop

import (
	"net/http"
	"slices"
	"testing"
)

// TestTableCreation checks that either side can create the PostgreSQL
// table the other then uses, both with createTableIfMissing (and sesh's
// Options.CreateTable) on: a table connect-pg-simple created, with its
// table.sql, serves sesh; and the table sesh creates (connect-pg-simple's
// plus sesh's owner and created columns and owner index, its key and
// indexes named after the table) serves Express.
func TestTableCreation(t *testing.T) {
	requireNode(t)
	onlyOn(t, postgresStore)
	t.Parallel()
	sp := newSchema(t)
	for _, c := range []struct {
		creator, user Side
		table         string
		cols, indexes []string
	}{
		{Express, Sesh, "session", []string{"sid", "sess", "expire"}, []string{"IDX_session_expire", "session_pkey"}},
		{Sesh, Express, "made_by_sesh", []string{"sid", "sess", "expire", "owner", "created"},
			[]string{"IDX_made_by_sesh_expire", "IDX_made_by_sesh_owner", "made_by_sesh_pkey"}},
	} {
		t.Run(string(c.creator)+" creates", func(t *testing.T) {
			p := sp.table(c.table)
			env := merge(p.env(), map[string]string{"MAX_AGE_MS": hourMS})
			first := startServer(t, c.creator, string(c.creator)+"(creating "+c.table+")", env)
			b := newBrowser(t)
			id := create(t, b, first, "k", "v")
			if !p.exists(t) {
				t.Fatalf("%s stored a session, but %s does not exist", first.name, p)
			}
			cols, indexes := p.columns(t)
			if !slices.Equal(cols, c.cols) || !slices.Equal(indexes, c.indexes) {
				t.Errorf("%s created %s with columns %v and indexes %v; want %v and %v", first.name, p, cols, indexes, c.cols, c.indexes)
			}
			second := startServer(t, c.user, string(c.user)+"(on "+c.table+")", env)
			wantData(t, b.get(second, "/get"), id, map[string]any{"k": "v"}, second.name+" reading a session in the table "+first.name+" created")
			wantStatus(t, b.get(second, "/set?k=by&v="+string(c.user)), http.StatusOK)
			wantData(t, b.get(first, "/get"), id, map[string]any{"k": "v", "by": string(c.user)}, first.name+" reading the change "+second.name+" made")
			if cols2, _ := p.columns(t); !slices.Equal(cols2, cols) {
				t.Errorf("%s changed the columns of the table %s created: %v, were %v", second.name, first.name, cols2, cols)
			}
		})
	}
}
