package mongo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/internal/mongotest"
)

// testEnv is a database of its own on the test server, and a client of the
// test's own to inspect it with.
type testEnv struct {
	uri    string
	client *mongo.Client
	db     *mongo.Database
	coll   *mongo.Collection // the default sessions collection
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	return newEnvAt(t, mongotest.URI(t))
}

func newEnvAt(t testing.TB, uri string) *testEnv {
	t.Helper()
	client := mongotest.Connect(t, uri)
	db := mongotest.Database(t, client)
	return &testEnv{uri: uri, client: client, db: db, coll: db.Collection(DefaultCollection)}
}

// open returns a Store on the test database, closed when the test ends.
// Unless opts says otherwise it connects by URI, logs to a buffer shown if
// the test fails, and leaves expired documents alone (so tests see
// exactly what the Store wrote).
func (e *testEnv) open(t testing.TB, opts Options) *Store {
	t.Helper()
	if opts.URI == "" && opts.Client == nil && opts.Connect == nil {
		opts.URI = e.uri
	}
	if opts.Database == "" {
		opts.Database = e.db.Name()
	}
	if opts.Logger == nil {
		opts.Logger = newTestLogger(t).Logger
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// raw returns the stored document with _id id, or nil.
func (e *testEnv) raw(t testing.TB, id string) bson.Raw {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := e.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		t.Fatalf("reading document %q: %v", id, err)
	}
	return raw
}

func (e *testEnv) insert(t testing.TB, doc any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.coll.InsertOne(ctx, doc); err != nil {
		t.Fatalf("inserting %v: %v", doc, err)
	}
}

func (e *testEnv) isFerretDB(t testing.TB) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return mongotest.IsFerretDB(ctx, e.client)
}

// isFerretPostgreSQL reports whether the server is FerretDB on its
// PostgreSQL storage, which cannot store a NUL character in a string: the
// one behaviour, of those sesh meets, that sets it apart from FerretDB on
// SQLite (buildInfo does not name the storage).
func (e *testEnv) isFerretPostgreSQL(t testing.TB) bool {
	t.Helper()
	if !e.isFerretDB(t) {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := e.db.Collection("nulprobe").InsertOne(ctx, bson.D{{Key: "s", Value: "a\x00b"}})
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorMessage(sqlstateUntranslatableNUL)
}

// keys returns the top-level field names of doc, in order.
func keys(t testing.TB, doc bson.Raw) []string {
	t.Helper()
	elems, err := doc.Elements()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(elems))
	for i, el := range elems {
		out[i] = el.Key()
	}
	return out
}

func dateOf(t testing.TB, doc bson.Raw, key string) time.Time {
	t.Helper()
	v, err := doc.LookupErr(key)
	if err != nil {
		t.Fatalf("document has no %s: %v", key, doc)
	}
	ms, ok := v.DateTimeOK()
	if !ok {
		t.Fatalf("%s is a BSON %v, not a date: %v", key, v.Type, doc)
	}
	return time.UnixMilli(ms).UTC()
}

// testLogger collects a Store's log, shown if the test fails.
type testLogger struct {
	*slog.Logger
	mu  sync.Mutex
	buf bytes.Buffer
}

func newTestLogger(t testing.TB) *testLogger {
	l := &testLogger{}
	l.Logger = slog.New(slog.NewTextHandler(lockedWriter{l}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("store log:\n%s", l.String())
		}
	})
	return l
}

func (l *testLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type lockedWriter struct{ l *testLogger }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	return w.l.buf.Write(p)
}

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []Event
	notify chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) on(ev Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// wait waits until an event satisfying ok arrives, and returns it.
func (r *recorder) wait(t testing.TB, timeout time.Duration, what string, ok func(Event) bool) Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		for _, ev := range r.all() {
			if ok(ev) {
				return ev
			}
		}
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("no %s event within %v; events: %v", what, timeout, r.all())
		}
	}
}

// put stores rec whether or not a live session has its id: Create, or
// Update when one has. It returns the Token of the write.
func put(ctx context.Context, s *Store, rec backend.Record) (backend.Token, error) {
	tok, err := s.Create(ctx, rec)
	if errors.Is(err, backend.ErrExists) {
		return s.Update(ctx, rec)
	}
	return tok, err
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// session returns express-session JSON for a session expiring at exp
// (zero: a browser-session cookie) holding views.
func session(exp time.Time, views int) []byte {
	if exp.IsZero() {
		return fmt.Appendf(nil, `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":%d}`, views)
	}
	return fmt.Appendf(nil, `{"cookie":{"originalMaxAge":3600000,"expires":"%s","httpOnly":true,"path":"/"},"views":%d}`,
		exp.UTC().Format("2006-01-02T15:04:05.000Z"), views)
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
