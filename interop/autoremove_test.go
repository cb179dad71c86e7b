package interop

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/internal/mongotest"
)

// fastSweep is AUTO_REMOVE_INTERVAL_MIN for the removal tests: 0.3 s.
const fastSweep = "0.005"

// TestAutoRemove checks how each side removes expired sessions on the
// server the tests run on, and so why the other tests run both with
// AUTO_REMOVE=disabled.
//
// On FerretDB, which has no TTL indexes, connect-mongo 6 cannot run with
// either of its removal modes:
//
//   - native: createIndex({expires: 1}, {expireAfterSeconds: 0}) fails
//     with NotImplemented (code 238). connect-mongo creates the index in
//     the promise every operation waits for, so the failure would fail
//     every request forever; but nothing awaits that promise at startup,
//     so Node.js first kills the process on the unhandled rejection.
//   - interval: its sweep is a deleteMany with write concern {w: 0}.
//     FerretDB answers unacknowledged writes anyway, so the reply stays
//     in the connection and every later operation on it reads the reply
//     meant for the one before: after the first sweep, requests fail with
//     "BSON element "cursor" is missing" and the like.
//
// sesh works with both: native falls back to sweeping when the server
// refuses the index, and its sweeps are acknowledged.
func TestAutoRemove(t *testing.T) {
	requireNode(t)
	onlyOn(t, mongoStore)
	t.Parallel()
	db := newDatabase(t)
	ferret := mongotest.IsFerretDB(ctx(t), db.client)

	t.Run("express native", func(t *testing.T) {
		t.Parallel()
		s := launch(t, Express, "express(AUTO_REMOVE=native)", merge(db.env("express_native"), map[string]string{"AUTO_REMOVE": "native"}))
		if ferret {
			if !s.exited(20 * time.Second) {
				t.Fatalf("connect-mongo with autoRemove native on FerretDB was expected to crash on the refused TTL index; it is still running:\n%s", s.out)
			}
			if out := s.out.String(); !strings.Contains(out, "expireAfterSeconds") {
				t.Errorf("express exited (%v), but not on the refused TTL index:\n%s", s.cmd.ProcessState, out)
			}
			return
		}
		s.await(t)
		b := newBrowser(t)
		id := create(t, b, s, "k", "v")
		wantData(t, b.get(s, "/get"), id, map[string]any{"k": "v"}, "express with native removal")
		wantTTLIndex(t, db, "express_native")
	})

	t.Run("express interval", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, Express, "express(AUTO_REMOVE=interval)", merge(db.env("express_interval"), map[string]string{"AUTO_REMOVE": "interval", "AUTO_REMOVE_INTERVAL_MIN": fastSweep}))
		time.Sleep(time.Second) // a few sweeps
		var failed []string
		for i := 0; i < 30 && (len(failed) == 0 || !ferret); i++ {
			b := newBrowser(t)
			r := b.get(s, "/set?k=k&v=v")
			if r.status != http.StatusOK {
				failed = append(failed, r.String())
				continue
			}
			if g := b.get(s, "/get"); g.status != http.StatusOK || g.data()["k"] != "v" {
				failed = append(failed, g.String())
			}
		}
		switch {
		case ferret && len(failed) == 0:
			t.Errorf("connect-mongo with autoRemove interval on FerretDB was expected to break its connection with its unacknowledged sweeps, but every request succeeded: the suite could use it")
		case ferret:
			t.Logf("as expected on FerretDB, after the unacknowledged sweeps: %s", strings.Join(failed, "\n"))
		case len(failed) > 0:
			t.Errorf("express with interval removal failed:\n%s", strings.Join(failed, "\n"))
		}
	})

	for _, mode := range []string{"native", "interval"} {
		t.Run("sesh "+mode, func(t *testing.T) {
			t.Parallel()
			coll := "sesh_" + mode
			s := startServer(t, Sesh, "sesh(AUTO_REMOVE="+mode+")", merge(db.env(coll), map[string]string{"AUTO_REMOVE": mode, "AUTO_REMOVE_INTERVAL_MIN": fastSweep}))
			b := newBrowser(t)
			id := create(t, b, s, "k", "v")
			wantData(t, b.get(s, "/get"), id, map[string]any{"k": "v"}, "sesh with "+mode+" removal")
			if mode == "native" && !ferret {
				// The server's TTL monitor runs once a minute: too slow to wait for.
				wantTTLIndex(t, db, coll)
				return
			}
			if mode == "native" && !strings.Contains(s.out.String(), "refused the TTL index") {
				t.Errorf("sesh did not report falling back to sweeps on FerretDB:\n%s", s.out)
			}
			c := db.coll(coll)
			c.set(t, id, bson.D{{Key: "expires", Value: time.Now().Add(-time.Minute)}})
			deadline := time.Now().Add(10 * time.Second)
			for c.doc(t, id) != nil {
				if time.Now().After(deadline) {
					t.Fatalf("sesh with AUTO_REMOVE=%s did not remove an expired session within 10 s (sweeping every 0.3 s):\n%s", mode, s.out)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// wantTTLIndex checks connect-mongo's TTL index on collection name. The
// servers create it in the background, so it waits for it a little.
func wantTTLIndex(t *testing.T, db *database, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		specs, err := db.db.Collection(name).Indexes().ListSpecifications(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range specs {
			if s.Name == "expires_1" && s.ExpireAfterSeconds != nil && *s.ExpireAfterSeconds == 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no TTL index expires_1 with expireAfterSeconds 0 on %s after 10 s: %v", name, specs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
