package redis_test

import (
	"fmt"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/internal/redistest"
)

// BenchmarkOps measures each operation against a bare GET of the same key
// through the same client, which is all a minimal Redis session store
// (scs's goredisstore Find) does per request. Each iteration runs one GET
// and one operation, interleaved so that both see the same machine load;
// the metrics are the operation's time (op-ns), the GET's (GET-ns) and
// their ratio (xGET). ns/op, B/op and allocs/op cover both; BareGET alone
// gives the GET's share.
//
//	go test -run '^$' -bench Ops -benchmem ./backend/redis/
func BenchmarkOps(b *testing.B) {
	srv := redistest.Start(b)
	for _, owners := range []bool{false, true} {
		prefix := fmt.Sprintf("owners=%v:", owners)
		s, err := redis.New(redis.Options{URL: srv.URL, Owners: owners, Prefix: prefix})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		c := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
		defer c.Close()
		data := expressJSON(time.Now().Add(time.Hour), "alice")
		rec := backend.Record{ID: "bench", Data: data, Expires: time.Now().Add(time.Hour), Owner: "alice"}
		if !owners {
			rec.Owner = ""
		}
		tok, err := s.Create(ctx, rec)
		if err != nil {
			b.Fatal(err)
		}
		key := prefix + "bench"
		suffix := ""
		if owners {
			suffix = "/owners"
		}
		if !owners {
			b.Run("BareGET", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := c.Get(ctx, key).Err(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		ops := []struct {
			name string
			run  func() error
		}{
			{"Get", func() error {
				_, found, err := s.Get(ctx, "bench")
				if err == nil && !found {
					err = fmt.Errorf("not found")
				}
				return err
			}},
			{"Touch", func() error { return s.Touch(ctx, "bench", time.Now().Add(time.Hour), time.Time{}, tok) }},
			{"Update", func() error {
				rec.Expires = time.Now().Add(time.Hour)
				_, err := s.Update(ctx, rec)
				return err
			}},
			{"UpdateIf", func() error {
				rec.Expires, rec.Token = time.Now().Add(time.Hour), tok
				var err error
				tok, err = s.UpdateIf(ctx, rec)
				return err
			}},
		}
		for _, op := range ops {
			b.Run(op.name+suffix, func(b *testing.B) {
				b.ReportAllocs()
				var opT, getT time.Duration
				for b.Loop() {
					t0 := time.Now()
					if err := c.Get(ctx, key).Err(); err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					if err := op.run(); err != nil {
						b.Fatal(err)
					}
					opT += time.Since(t1)
					getT += t1.Sub(t0)
				}
				b.ReportMetric(float64(opT.Nanoseconds())/float64(b.N), "op-ns")
				b.ReportMetric(float64(getT.Nanoseconds())/float64(b.N), "GET-ns")
				b.ReportMetric(float64(opT)/float64(getT), "xGET")
			})
		}
	}
}
