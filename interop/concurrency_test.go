package interop

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/mongotest"
)

// slowWrite is how long sesh's /set waits between loading the session and
// saving it in TestOptimisticWithExpress; expressAt is when, meanwhile,
// Express writes.
const (
	slowWrite = 800 * time.Millisecond
	expressAt = 250 * time.Millisecond
)

type asyncResult struct {
	status int
	body   map[string]any
	text   string
	err    error
}

// getAsync requests path on s with the Cookie header in the background.
func getAsync(s *server, path, cookieHeader string) <-chan asyncResult {
	ch := make(chan asyncResult, 1)
	go func() {
		var r asyncResult
		defer func() { ch <- r }()
		req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
		if err != nil {
			r.err = err
			return
		}
		req.Header.Set("Cookie", cookieHeader)
		res, err := (&http.Client{Transport: transport, Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			r.err = err
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		r.status, r.text, r.err = res.StatusCode, string(b), err
		_ = json.Unmarshal(b, &r.body)
	}()
	return ch
}

// TestOptimisticWithExpress runs sesh with CONCURRENCY=optimistic next to
// Express on one collection, and overlaps a slow sesh write with an Express
// write or destroy of the same session.
//
// A destroy by Express is honoured: the slow sesh write does not bring the
// session back (it fails with 409). A write by Express is not detected:
// sesh's versions live in a seshVersion field that connect-mongo neither
// bumps nor checks; sesh's conditional write therefore also requires the
// session field to be the one it read, and re-applies its change to
// Express's.
//
// On FerretDB, whose updates are not atomic, sesh refuses conditional
// writes altogether; the test checks that it says so.
func TestOptimisticWithExpress(t *testing.T) {
	requireNode(t)
	t.Parallel()
	db := newDatabase(t)
	env := merge(db.env("sessions"), map[string]string{"MAX_AGE_MS": hourMS})
	exp := launch(t, Express, "express", merge(env))
	ses := launch(t, Sesh, "sesh(CONCURRENCY=optimistic)", merge(env, map[string]string{"CONCURRENCY": "optimistic"}))
	exp.await(t)
	ses.await(t)
	coll := db.coll("sessions")
	if mongotest.IsFerretDB(ctx(t), db.client) {
		// FerretDB's updates are not atomic, so sesh's mongo backend
		// refuses conditional writes there, and says so.
		b := newBrowser(t)
		create(t, b, exp, "a", "1")
		r := b.get(ses, "/set?k=s&v=1")
		if r.status != http.StatusServiceUnavailable || !strings.Contains(r.str("error"), "FerretDB") {
			t.Errorf("on FerretDB, sesh's optimistic mode should refuse to write with 503 naming FerretDB; it answered %s", r)
		}
		return
	}
	slow := "/set?k=s&v=1&delay_ms=" + itoa(slowWrite.Milliseconds())

	t.Run("Express writes meanwhile", func(t *testing.T) {
		b := newBrowser(t)
		id := create(t, b, exp, "a", "1")
		header := b.header(exp)
		pending := getAsync(ses, slow, header)
		time.Sleep(expressAt)
		wantStatus(t, fetch(t, exp, "/set?k=e&v=1", header), http.StatusOK)
		r := <-pending
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("sesh's slow write: %d %s %v", r.status, r.text, r.err)
		}
		data := fetch(t, exp, "/get", header).data()
		_, hasE := data["e"]
		_, hasS := data["s"]
		if !hasE || !hasS {
			t.Errorf("after overlapping writes by sesh (s) and Express (e), session %s holds %v; want both changes", id, data)
		}
	})

	t.Run("Express destroys meanwhile", func(t *testing.T) {
		b := newBrowser(t)
		id := create(t, b, exp, "a", "1")
		header := b.header(exp)
		pending := getAsync(ses, slow, header)
		time.Sleep(expressAt)
		wantStatus(t, fetch(t, exp, "/destroy", header), http.StatusOK)
		r := <-pending
		if r.err != nil {
			t.Fatal(r.err)
		}
		if doc := coll.doc(t, id); doc != nil {
			t.Fatalf("sesh's slow write brought back session %s, which Express destroyed meanwhile (sesh answered %d %s): %s", id, r.status, r.text, doc)
		}
		if r.status != http.StatusConflict {
			t.Errorf("sesh's write to a session destroyed meanwhile should fail with 409; it answered %d %s", r.status, r.text)
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
