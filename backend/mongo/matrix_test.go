package mongo

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/internal/mongotest"
)

// TestMongoDBVersions runs, against each MongoDB release of the Docker
// matrix (mongotest.Versions), the conformance suite with every property
// (conditional writes and FormatDocument included, which FerretDB cannot
// do) and checks the TTL index: that it exists with expireAfterSeconds 0
// and that the server's TTL monitor, which runs once a minute, really
// removes an expired session.
func TestMongoDBVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts MongoDB containers and waits for the TTL monitor; skipped with -short")
	}
	for _, inst := range mongotest.Versions(t) {
		t.Run("mongo:"+inst.Version, func(t *testing.T) {
			env := newEnvAt(t, inst.URI)
			if env.isFerretDB(t) {
				t.Fatal("the matrix server is FerretDB")
			}
			runConformance(t, env)
			testTTLIndex(t, env)
		})
	}
}

func testTTLIndex(t *testing.T, env *testEnv) {
	rec := newRecorder()
	env.open(t, Options{OnEvent: rec.on})
	ev := rec.wait(t, 30*time.Second, "index", func(ev Event) bool { return ev.Kind == EventIndex || ev.Kind == EventFallback })
	if ev.Kind != EventIndex {
		t.Fatalf("MongoDB refused the TTL index: %v", ev.Err)
	}
	specs, err := env.coll.Indexes().ListSpecifications(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, spec := range specs {
		if spec.Name != "expires_1" {
			continue
		}
		found = true
		keys, err := spec.KeysDocument.Elements()
		var dir float64
		if err == nil && len(keys) == 1 {
			dir, _ = keys[0].Value().AsFloat64OK()
		}
		if err != nil || len(keys) != 1 || keys[0].Key() != "expires" || dir != 1 {
			t.Errorf("expires_1 keys %v, want {expires: 1}", spec.KeysDocument)
		}
		if spec.ExpireAfterSeconds == nil || *spec.ExpireAfterSeconds != 0 {
			t.Errorf("expires_1 expireAfterSeconds = %v, want 0", spec.ExpireAfterSeconds)
		}
	}
	if !found {
		t.Fatalf("no expires_1 index: %v", specs)
	}
	// A second Store finds the index there: no error, no fallback.
	rec2 := newRecorder()
	env.open(t, Options{OnEvent: rec2.on})
	if ev := rec2.wait(t, 30*time.Second, "index", func(ev Event) bool { return ev.Kind == EventIndex || ev.Kind == EventFallback }); ev.Kind != EventIndex {
		t.Errorf("creating the existing index again: %v", ev.Err)
	}
	env.insert(t, bson.D{{Key: "_id", Value: "ttl"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: time.Now().Add(-time.Second)}})
	deadline := time.Now().Add(90 * time.Second)
	for env.raw(t, "ttl") != nil {
		if time.Now().After(deadline) {
			t.Fatal("the TTL monitor did not remove an expired document within 90 s")
		}
		time.Sleep(time.Second)
	}
}
