package mongo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
)

// benchDocs is the collection size of the benchmarks.
const benchDocs = 5000

// benchStore returns a Store over a collection of benchDocs sessions, as
// connect-mongo would have written them.
func benchStore(b *testing.B) (*Store, []string) {
	b.Helper()
	env := newEnv(b)
	exp := time.Now().Add(time.Hour)
	ids := make([]string, benchDocs)
	docs := make([]any, benchDocs)
	for i := range ids {
		ids[i] = fmt.Sprintf("%032x", rand.Uint64())
		docs[i] = bson.D{{Key: "_id", Value: ids[i]}, {Key: "session", Value: string(session(exp, i))}, {Key: "expires", Value: exp}}
	}
	ctx := context.Background()
	for start := 0; start < len(docs); start += 1000 {
		if _, err := env.coll.InsertMany(ctx, docs[start:start+1000]); err != nil {
			b.Fatal(err)
		}
	}
	return env.open(b, Options{AutoRemove: AutoRemoveDisabled}), ids
}

// BenchmarkGet compares Get's query, findOne({_id}) with the expiry
// checked in Go, against connect-mongo's findOne({_id, $or: [{expires:
// {$exists: false}}, {expires: {$gt: now}}]}), in a collection of 5,000
// sessions.
func BenchmarkGet(b *testing.B) {
	s, ids := benchStore(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name   string
		filter bool
	}{{"filter=_id", false}, {"filter=_id+$or", true}} {
		b.Run(bc.name, func(b *testing.B) {
			s.getWithLiveFilter = bc.filter
			i := 0
			for b.Loop() {
				_, ok, err := s.Get(ctx, ids[i%len(ids)])
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
				i += 7
			}
		})
	}
	s.getWithLiveFilter = false
}

// BenchmarkWrite measures Update of a stored session and Create of a new
// one.
func BenchmarkWrite(b *testing.B) {
	s, ids := benchStore(b)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	data := session(exp, 42)
	for _, bc := range []struct {
		name string
		new  bool
	}{{"update", false}, {"insert", true}} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				var err error
				if bc.new {
					_, err = s.Create(ctx, backend.Record{ID: fmt.Sprint("new", i), Data: data, Expires: exp})
				} else {
					_, err = s.Update(ctx, backend.Record{ID: ids[i%len(ids)], Data: data, Expires: exp})
				}
				if err != nil {
					b.Fatal(err)
				}
				i += 7
			}
		})
	}
}

func BenchmarkTouch(b *testing.B) {
	s, ids := benchStore(b)
	ctx := context.Background()
	exp := time.Now().Add(2 * time.Hour)
	i := 0
	for b.Loop() {
		if err := s.Touch(ctx, ids[i%len(ids)], exp, time.Time{}, backend.Token{}); err != nil {
			b.Fatal(err)
		}
		i += 7
	}
}
