package redis_test

import (
	"errors"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
)

func TestSmoke(t *testing.T) {
	for _, owners := range []bool{false, true} {
		s, c, prefix := shared(t, redis.Options{Owners: owners})
		exp := time.Now().Add(time.Hour)
		tok, err := s.Create(ctx, backend.Record{ID: "a", Data: []byte(`{"cookie":{}}`), Expires: exp, Owner: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, backend.Record{ID: "a", Data: []byte(`x`), Expires: exp}); !errors.Is(err, backend.ErrExists) {
			t.Fatal(err)
		}
		rec, found, err := s.Get(ctx, "a")
		t.Logf("%+v %v %v ttl=%v", rec, found, err, c.TTL(ctx, prefix+"a").Val())
		if _, err := s.UpdateIf(ctx, backend.Record{ID: "a", Data: []byte(`y`), Expires: exp, Token: tok, Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateIf(ctx, backend.Record{ID: "a", Data: []byte(`z`), Expires: exp, Token: tok}); !errors.Is(err, backend.ErrConflict) {
			t.Fatal(err)
		}
		for rec, err := range s.All(ctx) {
			t.Logf("all: %+v %v", rec, err)
		}
		for rec, err := range s.Owned(ctx, "alice") {
			t.Logf("owned: %+v %v", rec, err)
		}
		n, err := s.Len(ctx)
		t.Log(n, err)
		if err := s.Touch(ctx, "a", time.Now().Add(time.Minute), time.Time{}, rec.Token); err != nil {
			t.Fatal(err)
		}
		if err := s.Destroy(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if err := s.Touch(ctx, "a", time.Now().Add(time.Minute), time.Time{}, rec.Token); !errors.Is(err, backend.ErrNotFound) {
			t.Fatal(err)
		}
		if err := s.Clear(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
