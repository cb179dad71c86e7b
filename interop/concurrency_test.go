package interop

import (
	"net/http"
	"strconv"
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

// asyncResult is what a request made by getAsync returned.
type asyncResult struct {
	*response
	err error
}

// getAsync requests path on s with the Cookie header in the background.
func getAsync(s *server, path, cookieHeader string) <-chan asyncResult {
	ch := make(chan asyncResult, 1)
	go func() {
		r, err := request(cookieless, s, path, cookieHeader)
		ch <- asyncResult{r, err}
	}()
	return ch
}

// TestOptimisticWithExpress runs sesh with CONCURRENCY=optimistic next to
// Express on one store, and overlaps a slow sesh write with an Express
// write or destroy of the same session.
//
// A write by Express is detected, although Express knows nothing of sesh:
// sesh's conditional write requires the record to be the one it read
// (MongoDB: the session field; Redis: the SHA-1 of the value; PostgreSQL:
// the row's xmin), so it fails, and sesh re-reads the session and
// re-applies its own change: both changes are kept. A destroy by Express
// is honoured: the slow sesh write does not bring the session back (409).
//
// On FerretDB, whose updates are not atomic, sesh refuses the optimistic
// mode when it starts; the test checks that it says so.
func TestOptimisticWithExpress(t *testing.T) {
	requireNode(t)
	forEachStore(t, func(t *testing.T, k storeKind) {
		sp := openSpace(t, k)
		p := sp.place(t, "sessions")
		env := merge(p.env(), map[string]string{"MAX_AGE_MS": hourMS})
		optimistic := merge(env, map[string]string{"CONCURRENCY": "optimistic"})
		if db, ok := sp.(*database); ok && mongotest.IsFerretDB(ctx(t), db.client) {
			s := launch(t, Sesh, "sesh(CONCURRENCY=optimistic)", optimistic)
			if !s.exited(startTimeout) {
				t.Fatalf("sesh started in the optimistic mode on FerretDB, whose updates are not atomic; it should refuse:\n%s", s.out)
			}
			if out := s.out.String(); s.cmd.ProcessState.Success() || !strings.Contains(out, "optimistic") || !strings.Contains(out, "FerretDB") {
				t.Errorf("sesh should refuse the optimistic mode on FerretDB, naming both, and exit with an error; it exited %v saying:\n%s", s.cmd.ProcessState, out)
			}
			return
		}
		exp := launch(t, Express, "express", env)
		ses := launch(t, Sesh, "sesh(CONCURRENCY=optimistic)", optimistic)
		exp.await(t)
		ses.await(t)
		slow := "/set?k=s&v=1&delay_ms=" + strconv.FormatInt(slowWrite.Milliseconds(), 10)

		t.Run("Express writes meanwhile", func(t *testing.T) {
			id, header, _, pending := overlap(t, exp, ses, slow, exp, "/set?k=e&v=1")
			if r := awaitResult(t, pending); r.status != http.StatusOK {
				t.Fatalf("sesh's slow write: %d %s", r.status, r.text)
			}
			wantData(t, fetch(t, exp, "/get", header), id, map[string]any{"a": "1", "e": "1", "s": "1"},
				"after overlapping writes by sesh (s) and Express (e), express reading the session: want both changes")
		})

		t.Run("Express destroys meanwhile", func(t *testing.T) {
			id, _, _, pending := overlap(t, exp, ses, slow, exp, "/destroy")
			r := awaitResult(t, pending)
			if rec := p.get(t, id); rec != nil {
				t.Fatalf("sesh's slow write brought back session %s, which Express destroyed meanwhile (sesh answered %d %s): %s", id, r.status, r.text, rec.text)
			}
			if r.status != http.StatusConflict {
				t.Errorf("sesh's write to a session destroyed meanwhile should fail with 409; it answered %d %s", r.status, r.text)
			}
		})
	})
}

// overlap creates a session {a: 1} on creator, starts the request
// slowPath (one with delay_ms) on slow with its cookie, and while it
// waits requests fastPath on fast with the same cookie, which must answer
// 200. It returns the session's id, the cookie header, the fast response,
// and the slow one to come.
func overlap(t *testing.T, creator, slow *server, slowPath string, fast *server, fastPath string) (id, header string, fastRes *response, slowRes <-chan asyncResult) {
	t.Helper()
	b := newBrowser(t)
	id = create(t, b, creator, "a", "1")
	header = b.header(creator)
	slowRes = getAsync(slow, slowPath, header)
	time.Sleep(expressAt)
	fastRes = fetch(t, fast, fastPath, header)
	wantStatus(t, fastRes, http.StatusOK)
	return id, header, fastRes, slowRes
}

// awaitResult returns the response to a request started with getAsync.
func awaitResult(t *testing.T, pending <-chan asyncResult) *response {
	t.Helper()
	r := <-pending
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.response
}
