package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/internal/mongotest"
)

func TestNewRejectsBadOptions(t *testing.T) {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	connect := func(context.Context) (*mongo.Client, error) { return client, nil }
	tests := []struct {
		name    string
		opts    Options
		mention string
	}{
		{"no connection", Options{Database: "d"}, "exactly one"},
		{"URI and Client", Options{URI: "mongodb://h/d", Client: client}, "exactly one"},
		{"Client and Connect", Options{Client: client, Connect: connect, Database: "d"}, "exactly one"},
		{"no database in URI", Options{URI: "mongodb://127.0.0.1/"}, "database"},
		{"no database with Client", Options{Client: client}, "Database"},
		{"bad URI", Options{URI: "postgres://x/d"}, "URI"},
		{"ClientOptions without URI", Options{Client: client, Database: "d", ClientOptions: options.Client()}, "ClientOptions"},
		{"w:0", Options{URI: "mongodb://h/d", WriteConcern: writeconcern.Unacknowledged()}, "unacknowledged"},
		{"w:int64(0)", Options{URI: "mongodb://h/d", WriteConcern: &writeconcern.WriteConcern{W: int64(0)}}, "unacknowledged"},
		{"negative TTL", Options{URI: "mongodb://h/d", TTL: -time.Second}, "TTL"},
		{"unknown AutoRemove", Options{URI: "mongodb://h/d", AutoRemove: 7}, "AutoRemove"},
		{"unknown Format", Options{URI: "mongodb://h/d", Format: 7}, "Format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.opts)
			if err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
	// The database comes from the URI's path, and Options.Database wins.
	for _, tt := range []struct{ uri, db, want string }{
		{"mongodb://127.0.0.1:1/fromuri", "", "fromuri"},
		{"mongodb://127.0.0.1:1/fromuri?w=majority", "opt", "opt"},
	} {
		s, err := New(Options{URI: tt.uri, Database: tt.db, AutoRemove: AutoRemoveDisabled})
		if err != nil {
			t.Fatal(err)
		}
		_, coll := s.conn.current()
		if got := coll.Database().Name(); got != tt.want {
			t.Errorf("URI %s, Database %q: database %q, want %q", tt.uri, tt.db, got, tt.want)
		}
		s.Close()
	}
}

// TestUnacknowledgedClientIsOverridden checks that a client whose default
// write concern is w:0 still gets acknowledged session writes: with w:0,
// the driver reports every write unacknowledged (and FerretDB's replies to
// them desynchronise the connection).
func TestUnacknowledgedClientIsOverridden(t *testing.T) {
	env := newEnv(t)
	uri := env.uri
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	borrowed, err := mongo.Connect(options.Client().ApplyURI(env.uri).SetWriteConcern(writeconcern.Unacknowledged()))
	if err != nil {
		t.Fatal(err)
	}
	defer borrowed.Disconnect(context.Background())
	if !clientWriteConcernUnacknowledged(borrowed) {
		t.Fatal("clientWriteConcernUnacknowledged does not see the client's w:0")
	}
	if clientWriteConcernUnacknowledged(env.client) {
		t.Fatal("clientWriteConcernUnacknowledged reports w:0 for a default client")
	}
	stores := map[string]Options{
		"URI w=0":         {URI: uri + sep + "w=0", Collection: "uri"},
		"ClientOptions":   {ClientOptions: options.Client().SetWriteConcern(writeconcern.Unacknowledged()), Collection: "opts"},
		"borrowed client": {Client: borrowed, Collection: "client"},
		"Connect":         {Connect: func(context.Context) (*mongo.Client, error) { return borrowed, nil }, Collection: "connect"},
	}
	for name, opts := range stores {
		t.Run(name, func(t *testing.T) {
			log := newTestLogger(t)
			opts.Logger = log.Logger
			s := env.open(t, opts)
			exp := time.Now().Add(time.Hour)
			for i := range 20 {
				id := fmt.Sprint("w", i)
				data := session(exp, i)
				if _, err := s.Create(ctxT(t), backend.Record{ID: id, Data: data, Expires: exp}); err != nil {
					t.Fatalf("Create %d: %v", i, err)
				}
				rec, ok, err := s.Get(ctxT(t), id)
				if err != nil || !ok || string(rec.Data) != string(data) {
					t.Fatalf("Get %d = %s, %v, %v", i, rec.Data, ok, err)
				}
				if err := s.Destroy(ctxT(t), id); err != nil {
					t.Fatalf("Destroy %d: %v", i, err)
				}
			}
			if !strings.Contains(log.String(), "unacknowledged") {
				t.Errorf("no warning about the client's write concern in the log:\n%s", log)
			}
		})
	}
}

// Create inserts, replaces a session that expired but is still stored,
// and refuses a live one; Update never writes back a session that is gone.
func TestCreateAndUpdate(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	if _, err := s.Create(ctx, backend.Record{ID: "a", Data: session(exp, 1), Expires: exp}); err != nil {
		t.Fatal(err)
	}
	before := env.raw(t, "a")
	if _, err := s.Create(ctx, backend.Record{ID: "a", Data: session(exp, 2), Expires: exp}); !errors.Is(err, backend.ErrExists) {
		t.Fatalf("Create over a live session = %v, want ErrExists", err)
	}
	if after := env.raw(t, "a"); string(after) != string(before) {
		t.Errorf("a refused Create changed the document: %v", after)
	}
	// An expired document the server has not removed yet is replaced,
	// fields of its own included.
	past := time.Now().Add(-time.Minute)
	env.insert(t, bson.D{{Key: "_id", Value: "old"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: past}, {Key: "lastModified", Value: past}, {Key: "seshVersion", Value: int64(4)}})
	if _, err := s.Create(ctx, backend.Record{ID: "old", Data: session(exp, 1), Expires: exp}); err != nil {
		t.Fatalf("Create over an expired session: %v", err)
	}
	wantKeys(t, env.raw(t, "old"), "_id", "session", "expires")
	// So is one whose expires is not a date, which Get reports missing.
	env.insert(t, bson.D{{Key: "_id", Value: "strexp"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: "tomorrow"}})
	if _, err := s.Create(ctx, backend.Record{ID: "strexp", Data: session(exp, 1), Expires: exp}); err != nil {
		t.Fatalf("Create over a session with a string expires: %v", err)
	}
	// But a document without expires is live, as connect-mongo reads it.
	env.insert(t, bson.D{{Key: "_id", Value: "noexp"}, {Key: "session", Value: "{}"}})
	if _, err := s.Create(ctx, backend.Record{ID: "noexp", Data: session(exp, 1), Expires: exp}); !errors.Is(err, backend.ErrExists) {
		t.Fatalf("Create over a session without expires = %v, want ErrExists", err)
	}
	// A signed-out session is never written back.
	rec, _, err := s.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, rec); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("Update after Destroy = %v, want ErrNotFound", err)
	}
	if env.raw(t, "a") != nil {
		t.Error("Update after Destroy stored the session again")
	}
	// Nor is an expired one revived.
	if _, err := s.Update(ctx, backend.Record{ID: "gone", Data: session(exp, 1), Expires: exp}); !errors.Is(err, backend.ErrNotFound) {
		t.Fatal(err)
	}
	env.insert(t, bson.D{{Key: "_id", Value: "expired"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: past}})
	if _, err := s.Update(ctx, backend.Record{ID: "expired", Data: session(exp, 1), Expires: exp}); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("Update of an expired session = %v, want ErrNotFound", err)
	}
}

func TestTouchDoesNotReviveExpired(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{})
	past := time.Now().Add(-time.Second).Truncate(time.Millisecond)
	env.insert(t, bson.D{{Key: "_id", Value: "dead"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: past}})
	err := s.Touch(ctxT(t), "dead", time.Now().Add(time.Hour), time.Time{}, backend.Token{})
	if !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("Touch of an expired document = %v, want ErrNotFound", err)
	}
	if got := dateOf(t, env.raw(t, "dead"), "expires"); !got.Equal(past) {
		t.Errorf("Touch revived the expired document: expires %v", got)
	}
	// A document without expires (connect-mongo reads it as live) is
	// touchable.
	env.insert(t, bson.D{{Key: "_id", Value: "noexp"}, {Key: "session", Value: "{}"}})
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	if err := s.Touch(ctxT(t), "noexp", exp, time.Time{}, backend.Token{}); err != nil {
		t.Fatal(err)
	}
	if got := dateOf(t, env.raw(t, "noexp"), "expires"); !got.Equal(exp) {
		t.Errorf("expires = %v, want %v", got, exp)
	}
}

// bigSession returns session JSON of exactly n bytes.
func bigSession(t *testing.T, n int) []byte {
	head := `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"blob":"`
	tail := `"}`
	if n < len(head)+len(tail) {
		t.Fatal("too small")
	}
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

func TestTooLarge(t *testing.T) {
	env := newEnv(t)
	// 16 MiB writes on a loaded machine may take longer than the default
	// operation timeout; this test is about sizes, not time.
	s := env.open(t, Options{OperationTimeout: time.Minute})
	ctx := ctxT(t)
	small := session(time.Time{}, 1)
	if _, err := s.Create(ctx, backend.Record{ID: "big", Data: small}); err != nil {
		t.Fatal(err)
	}
	// The document: 4 + 1 bytes of framing; _id "big" 1+4+4+3+1; session
	// 1+8+4+len+1; expires 1+8+8.
	overhead := 5 + (1 + 4 + 4 + 3 + 1) + (1 + 8 + 4 + 1) + (1 + 8 + 8)
	max := MaxDocumentSize - overhead
	for _, n := range []int{max + 1, 17 << 20} {
		_, err := s.Update(ctx, backend.Record{ID: "big", Data: bigSession(t, n)})
		if !errors.Is(err, backend.ErrTooLarge) {
			t.Fatalf("Update of %d bytes = %v, want ErrTooLarge", n, err)
		}
		if _, err := s.Create(ctx, backend.Record{ID: "big-new", Data: bigSession(t, n)}); !errors.Is(err, backend.ErrTooLarge) {
			t.Fatalf("Create of %d bytes = %v, want ErrTooLarge", n, err)
		}
		if !strings.Contains(err.Error(), "16777216") {
			t.Errorf("error %q does not state the limit", err)
		}
	}
	if got := env.raw(t, "big").Lookup("session").StringValue(); got != string(small) {
		t.Fatalf("a refused Update changed the stored session to %.80s…", got)
	}
	if env.raw(t, "big-new") != nil {
		t.Fatal("a refused Create stored a document")
	}
	// The largest document MongoDB stores is accepted.
	tok, err := s.Update(ctx, backend.Record{ID: "big", Data: bigSession(t, max)})
	if err != nil {
		t.Fatalf("Update to a document of exactly %d bytes: %v", MaxDocumentSize, err)
	}
	raw := env.raw(t, "big")
	if len(raw) != MaxDocumentSize {
		t.Errorf("stored document is %d bytes, want %d (size accounting is off)", len(raw), MaxDocumentSize)
	}
	// An owner is counted too.
	if _, err := s.Update(ctx, backend.Record{ID: "big", Data: bigSession(t, max), Owner: "ann"}); !errors.Is(err, backend.ErrTooLarge) {
		t.Errorf("Update of a maximal session plus an owner = %v, want ErrTooLarge", err)
	}
	// A conditional write sends the session as read and as written in one
	// statement: both must fit in 16 MiB together.
	s.updateIfAnyServer = true
	_, err = s.UpdateIf(ctx, backend.Record{ID: "big", Data: session(time.Time{}, 1), Token: tok})
	if !errors.Is(err, backend.ErrTooLarge) || !strings.Contains(err.Error(), "conditional") {
		t.Errorf("UpdateIf of a maximal session = %v, want ErrTooLarge explaining the conditional write", err)
	}
	if len(env.raw(t, "big")) != MaxDocumentSize {
		t.Error("a refused UpdateIf changed the document")
	}
}

func TestInvalidKeysInDocumentFormat(t *testing.T) {
	env := newEnv(t)
	rec := newRecorder()
	s := env.open(t, Options{Format: FormatDocument, OnEvent: rec.on})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	good := session(exp, 1)
	if _, err := s.Create(ctx, backend.Record{ID: "k", Data: good, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	before := env.raw(t, "k")
	for _, bad := range []string{
		`{"cookie":{"path":"/"},"user.name":"ann"}`,
		`{"cookie":{"path":"/"},"$where":"1"}`,
		`{"cookie":{"path":"/"},"prefs":{"list":[{"a.b":1}]}}`,
		`{"cookie":{"path":"/"},"q":{"$gt":""}}`,
	} {
		_, err := s.Update(ctx, backend.Record{ID: "k", Data: []byte(bad), Expires: exp})
		if !errors.Is(err, backend.ErrInvalidData) {
			t.Errorf("Update(%s) = %v, want ErrInvalidData", bad, err)
		}
	}
	if after := env.raw(t, "k"); string(after) != string(before) {
		t.Errorf("refused writes changed the document:\nbefore %v\n after %v", before, after)
	}
	// The string format stores such keys, as connect-mongo's default does.
	str := env.open(t, Options{Collection: "str"})
	if _, err := str.Create(ctx, backend.Record{ID: "k", Data: []byte(`{"cookie":{"path":"/"},"user.name":"ann"}`), Expires: exp}); err != nil {
		t.Errorf("string format: %v", err)
	}
	s.Close()
	var errs int
	for _, ev := range rec.all() {
		if ev.Kind == EventError && ev.Op == "update" && errors.Is(ev.Err, backend.ErrInvalidData) {
			errs++
		}
	}
	if errs != 4 {
		t.Errorf("%d error events for the 4 refused writes", errs)
	}
}

func TestEvents(t *testing.T) {
	env := newEnv(t)
	rec := newRecorder()
	s := env.open(t, Options{OnEvent: rec.on, AutoRemove: AutoRemoveDisabled, Format: FormatDocument})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	r := backend.Record{ID: "ev", Data: session(exp, 1), Expires: exp}
	must := func(_ backend.Token, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Create(ctx, r))
	must(s.Update(ctx, r))
	must(backend.Token{}, s.Touch(ctx, "ev", exp, time.Time{}, backend.Token{}))
	// Expected outcomes of the contract are not errors.
	if err := s.Touch(ctx, "nope", exp, time.Time{}, backend.Token{}); !errors.Is(err, backend.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, backend.Record{ID: "nope", Data: r.Data}); !errors.Is(err, backend.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, r); !errors.Is(err, backend.ErrExists) {
		t.Fatal(err)
	}
	must(backend.Token{}, s.Destroy(ctx, "ev"))
	if _, err := s.Create(ctx, backend.Record{ID: "bad", Data: []byte(`{"a.b":1}`)}); err == nil {
		t.Fatal("Create of an invalid key succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_ = s.Destroy(cancelled, "ev")
	must(backend.Token{}, s.Close())
	_, _ = s.Create(ctx, r) // after Close: ErrClosed, no event

	var got []string
	for _, ev := range rec.all() {
		got = append(got, ev.Kind.String()+":"+ev.ID+":"+ev.Op)
	}
	want := []string{"create:ev:", "set:ev:", "update:ev:", "set:ev:", "touch:ev:", "destroy:ev:", "error:bad:create"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
}

func TestEventsNeverBlock(t *testing.T) {
	env := newEnv(t)
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	var delivered atomic.Int64
	s := env.open(t, Options{EventBuffer: 2, AutoRemove: AutoRemoveDisabled, OnEvent: func(Event) {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		delivered.Add(1)
	}})
	ctx := ctxT(t)
	// OnEvent gets stuck in the first event; requests go on.
	for i := range 10 {
		if err := s.Destroy(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			<-entered
		}
	}
	// One event is being delivered, two wait, seven were dropped.
	if got := s.DroppedEvents(); got != 7 {
		t.Errorf("DroppedEvents = %d, want 7", got)
	}
	close(release)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := delivered.Load(); got != 3 {
		t.Errorf("%d events delivered by Close, want the 3 accepted", got)
	}
}

func TestBorrowedClientsStayConnected(t *testing.T) {
	env := newEnv(t)
	client := mongotest.Connect(t, env.uri)
	for name, opts := range map[string]Options{
		"Client":  {Client: client},
		"Connect": {Connect: func(context.Context) (*mongo.Client, error) { return client, nil }},
	} {
		t.Run(name, func(t *testing.T) {
			s := env.open(t, opts)
			exp := time.Now().Add(time.Hour)
			if _, err := s.Create(ctxT(t), backend.Record{ID: name, Data: session(exp, 1), Expires: exp}); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Get(ctxT(t), name); !errors.Is(err, backend.ErrClosed) {
				t.Errorf("Get after Close = %v, want ErrClosed", err)
			}
			// The application's client still works.
			n, err := client.Database(env.db.Name()).Collection(DefaultCollection).CountDocuments(ctxT(t), bson.D{})
			if err != nil || n == 0 {
				t.Fatalf("the borrowed client is unusable after Close: %d, %v", n, err)
			}
		})
	}
}

func TestOwnedClientDisconnected(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{})
	if _, _, err := s.Get(ctxT(t), "x"); err != nil {
		t.Fatal(err)
	}
	client, _ := s.conn.current()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := client.Ping(ctxT(t), nil); !errors.Is(err, mongo.ErrClientDisconnected) {
		t.Errorf("the Store's own client answers Ping after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestLazyConnect(t *testing.T) {
	env := newEnv(t)
	var calls atomic.Int32
	var fail atomic.Bool
	fail.Store(true)
	gate := make(chan struct{})
	client := mongotest.Connect(t, env.uri)
	rec := newRecorder()
	s := env.open(t, Options{OnEvent: rec.on, Connect: func(ctx context.Context) (*mongo.Client, error) {
		calls.Add(1)
		<-gate
		if fail.Load() {
			return nil, errors.New("database not ready")
		}
		return client, nil
	}})
	if calls.Load() != 0 {
		t.Fatal("New called Connect")
	}
	// Concurrent operations share one Connect call.
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = s.Get(ctxT(t), "x")
		}()
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // give the other operations time to call Connect too
	if n := calls.Load(); n != 1 {
		t.Errorf("%d Connect calls at once, want 1 shared by every operation", n)
	}
	close(gate)
	wg.Wait()
	for _, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "database not ready") {
			t.Errorf("Get while Connect fails = %v, want its error", err)
		}
	}
	// The failure is not kept: once Connect works, so does the Store.
	fail.Store(false)
	exp := time.Now().Add(time.Hour)
	if _, err := s.Create(ctxT(t), backend.Record{ID: "x", Data: session(exp, 1), Expires: exp}); err != nil {
		t.Fatalf("Create after Connect recovered: %v", err)
	}
	before := calls.Load()
	if _, ok, err := s.Get(ctxT(t), "x"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if calls.Load() != before {
		t.Error("Connect called again after it succeeded")
	}
	// The TTL index is attempted once the client exists.
	rec.wait(t, 10*time.Second, "index or fallback", func(ev Event) bool { return ev.Kind == EventIndex || ev.Kind == EventFallback })
}

// TestAutoRemove checks the TTL index on MongoDB and the fallback to
// interval removal where the server refuses it (FerretDB).
func TestAutoRemove(t *testing.T) {
	env := newEnv(t)
	log := newTestLogger(t)
	rec := newRecorder()
	s := env.open(t, Options{Logger: log.Logger, OnEvent: rec.on, AutoRemoveInterval: 100 * time.Millisecond})
	ev := rec.wait(t, 20*time.Second, "index or fallback", func(ev Event) bool { return ev.Kind == EventIndex || ev.Kind == EventFallback })
	if env.isFerretDB(t) {
		if ev.Kind != EventFallback {
			t.Fatalf("FerretDB has no TTL indexes, yet the Store reported %v", ev.Kind)
		}
		var se mongo.ServerError
		if !errors.As(ev.Err, &se) || !se.HasErrorCode(codeNotImplemented) {
			t.Errorf("fallback event error %v, want FerretDB's NotImplemented", ev.Err)
		}
		if l := log.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "refused the TTL index") {
			t.Errorf("no warning logged:\n%s", l)
		}
	} else if ev.Kind != EventIndex {
		t.Fatalf("MongoDB refused the TTL index: %v", ev.Err)
	}
	if ev.Kind == EventFallback {
		// Expired documents go at the next sweep; live ones stay.
		past := time.Now().Add(-time.Minute)
		env.insert(t, bson.D{{Key: "_id", Value: "gone"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: past}})
		exp := time.Now().Add(time.Hour)
		if _, err := s.Create(ctxT(t), backend.Record{ID: "live", Data: session(exp, 1), Expires: exp}); err != nil {
			t.Fatal(err)
		}
		rec.wait(t, 10*time.Second, "sweep removing a document", func(ev Event) bool { return ev.Kind == EventSweep && ev.Removed > 0 })
		if env.raw(t, "gone") != nil {
			t.Error("the expired document survived the sweep")
		}
		if env.raw(t, "live") == nil {
			t.Error("the sweep removed a live document")
		}
	}
}

func TestAutoRemoveIntervalNeverOverlaps(t *testing.T) {
	env := newEnv(t)
	var running, maxRunning, sweeps atomic.Int32
	testHookSweep = func() {
		n := running.Add(1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond) // a sweep much longer than the interval
		running.Add(-1)
		sweeps.Add(1)
	}
	t.Cleanup(func() { testHookSweep = nil })
	rec := newRecorder()
	s := env.open(t, Options{AutoRemove: AutoRemoveInterval, AutoRemoveInterval: 2 * time.Millisecond, OnEvent: rec.on})
	env.insert(t, bson.D{{Key: "_id", Value: "gone"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: time.Now().Add(-time.Minute)}})
	rec.wait(t, 10*time.Second, "sweep removing a document", func(ev Event) bool { return ev.Kind == EventSweep && ev.Removed == 1 })
	for sweeps.Load() < 5 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if m := maxRunning.Load(); m != 1 {
		t.Errorf("%d sweeps ran at once", m)
	}
	after := sweeps.Load()
	time.Sleep(20 * time.Millisecond)
	if sweeps.Load() != after || running.Load() != 0 {
		t.Error("sweeping went on after Close")
	}
}

func TestAutoRemoveDisabledCreatesNothing(t *testing.T) {
	env := newEnv(t)
	rec := newRecorder()
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled, OnEvent: rec.on})
	exp := time.Now().Add(time.Hour)
	if _, err := s.Create(ctxT(t), backend.Record{ID: "d", Data: session(exp, 1), Expires: exp}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, ev := range rec.all() {
		if ev.Kind == EventIndex || ev.Kind == EventFallback || ev.Kind == EventSweep {
			t.Errorf("disabled auto-removal sent %v", ev.Kind)
		}
	}
	specs, err := env.coll.Indexes().ListSpecifications(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		if spec.Name != "_id_" {
			t.Errorf("index %s created", spec.Name)
		}
	}
}

func TestClearKeepsIndexesLenCountsExpired(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	ctx := ctxT(t)
	if err := s.Clear(ctx); err != nil {
		t.Fatalf("Clear of a collection that does not exist: %v", err)
	}
	if _, err := env.coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "expires", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	for i := range 3 {
		if _, err := s.Create(ctx, backend.Record{ID: fmt.Sprint(i), Data: session(exp, i), Expires: exp}); err != nil {
			t.Fatal(err)
		}
	}
	env.insert(t, bson.D{{Key: "_id", Value: "expired"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: time.Now().Add(-time.Hour)}})
	if n, err := s.Len(ctx); err != nil || n != 4 {
		t.Errorf("Len = %d, %v; want 4 (expired documents count, as in connect-mongo)", n, err)
	}
	var live int
	for _, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		live++
	}
	if live != 3 {
		t.Errorf("All yielded %d records, want the 3 live ones", live)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Len(ctx); err != nil || n != 0 {
		t.Errorf("Len after Clear = %d, %v", n, err)
	}
	specs, err := env.coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 {
		t.Errorf("indexes after Clear: %v, want _id_ and expires_1", specs)
	}
}

func TestConcurrentUse(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{Timestamps: true, AutoRemove: AutoRemoveInterval, AutoRemoveInterval: 10 * time.Millisecond})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	errc := make(chan error, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				id := fmt.Sprint("c", i%5) // shared among workers
				data := session(exp, w*100+i)
				ops := []func() error{
					func() error {
						_, err := put(ctx, s, backend.Record{ID: id, Data: data, Expires: exp})
						if errors.Is(err, backend.ErrNotFound) {
							return nil // destroyed between Create and Update
						}
						return err
					},
					func() error {
						_, _, err := s.Get(ctx, id)
						return err
					},
					func() error {
						err := s.Touch(ctx, id, exp, time.Now(), backend.Token{})
						if errors.Is(err, backend.ErrNotFound) {
							return nil
						}
						return err
					},
					func() error { return s.Destroy(ctx, id) },
					func() error {
						_, err := s.Len(ctx)
						return err
					},
				}
				if err := ops[(w+i)%len(ops)](); err != nil {
					errc <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	// Every stored session is one some worker wrote, intact.
	for rec, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(rec.Data), `{"cookie":`) {
			t.Errorf("%s holds %s", rec.ID, rec.Data)
		}
	}
}

func TestCallerContextAndClosedStore(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.Get(cancelled, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context = %v", err)
	}
	s.Close()
	exp := time.Now().Add(time.Hour)
	for name, err := range map[string]error{
		"Create":   second(s.Create(ctxT(t), backend.Record{ID: "x", Data: session(exp, 1)})),
		"Update":   second(s.Update(ctxT(t), backend.Record{ID: "x", Data: session(exp, 1)})),
		"UpdateIf": second(s.UpdateIf(ctxT(t), backend.Record{ID: "x", Data: session(exp, 1)})),
		"Touch":    s.Touch(ctxT(t), "x", exp, time.Time{}, backend.Token{}),
		"Destroy":  s.Destroy(ctxT(t), "x"),
		"Clear":    s.Clear(ctxT(t)),
	} {
		if !errors.Is(err, backend.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	for _, err := range s.All(ctxT(t)) {
		if !errors.Is(err, backend.ErrClosed) {
			t.Errorf("All after Close = %v, want ErrClosed", err)
		}
	}
	for _, err := range s.Owned(ctxT(t), "ann") {
		if !errors.Is(err, backend.ErrClosed) {
			t.Errorf("Owned after Close = %v, want ErrClosed", err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
