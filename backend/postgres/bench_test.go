package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// BenchmarkOps measures the Store's Get, Update, Touch and UpdateIf against
// the raw primary-key SELECT (and UPDATE) they are built on, on one pool,
// in a table of 10,000 sessions. Compare the ns/op of each with raw-select:
//
//	go test -run '^$' -bench Ops -benchtime 3s ./backend/postgres/
func BenchmarkOps(b *testing.B) {
	pool := poolWith(b, admin(b).Config().ConnString())
	s := newStore(b, Options{Pool: pool})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	data := session(exp, `,"user":"alice","views":12,"flash":[]`)
	_, err := pool.Exec(ctx, `INSERT INTO `+s.names.table+` (sid, sess, expire)
		SELECT 'sid' || i, $1, to_timestamp($2::double precision) FROM generate_series(0, 9999) i`, string(data), nowEpoch(exp))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE "+s.names.table); err != nil {
		b.Fatal(err)
	}
	id := func(i int) string { return fmt.Sprint("sid", i%10000) }

	b.Run("raw-select", func(b *testing.B) {
		stmt := "SELECT sess FROM " + s.names.table + " WHERE sid = $1"
		var sess []byte
		for i := 0; b.Loop(); i++ {
			if err := pool.QueryRow(ctx, stmt, id(i)).Scan(&sess); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("get", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, ok, err := s.Get(ctx, id(i)); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("raw-update", func(b *testing.B) {
		stmt := "UPDATE " + s.names.table + " SET sess = $1, expire = to_timestamp($2::double precision) WHERE sid = $3"
		for i := 0; b.Loop(); i++ {
			if _, err := pool.Exec(ctx, stmt, data, nowEpoch(exp), id(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("update", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := s.Update(ctx, backend.Record{ID: id(i), Data: data, Expires: exp}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("touch", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if err := s.Touch(ctx, id(i), exp, time.Time{}, backend.Token{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("get+updateif", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			rec, _, err := s.Get(ctx, id(i))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.UpdateIf(ctx, rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}
