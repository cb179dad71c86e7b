package postgres

import (
	"bytes"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// Every operation works whatever the pool's query execution mode: the
// prepared statements of the default, or the simple protocol and unnamed
// statements that PgBouncer's transaction pooling needs.
func TestQueryExecModes(t *testing.T) {
	for _, mode := range []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			cfg := admin(t).Config().ConnConfig
			url := cfg.ConnString()
			sep := "?"
			if bytes.ContainsRune([]byte(url), '?') {
				sep = "&"
			}
			s := newStore(t, Options{URL: url + sep + "default_query_exec_mode=" + mode})
			ctx := ctxT(t)
			exp := time.Now().Add(time.Hour)
			for _, data := range [][]byte{session(exp, `,"q":"'\""`), []byte("v1.cipher+/=="), []byte("nul\x00")} {
				id := "id-" + string(data[:3])
				if _, err := s.Create(ctx, backend.Record{ID: id, Data: data, Expires: exp, Owner: "o'wner", Created: time.Now()}); err != nil {
					t.Fatal(err)
				}
				rec := mustGet(t, s, id)
				if !bytes.Equal(rec.Data, data) || rec.Owner != "o'wner" {
					t.Fatalf("read back %q owned by %q", rec.Data, rec.Owner)
				}
				if _, err := s.UpdateIf(ctx, rec); err != nil {
					t.Fatal(err)
				}
				if err := s.Touch(ctx, id, exp.Add(time.Hour), time.Time{}, backend.Token{}); err != nil {
					t.Fatal(err)
				}
			}
			n := 0
			for _, err := range s.Owned(ctx, "o'wner") {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != 3 {
				t.Fatalf("Owned yielded %d records, want 3", n)
			}
		})
	}
}
