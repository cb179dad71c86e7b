package mongo

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/middleware"
	sesh "github.com/seshgo/sesh/session"
)

// Ids are values, never query operators: ids that look like operators or
// contain '$', '.' or NUL reach only their own document, or fail clearly.
func TestHostileIDs(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	victim := session(exp, 7)
	if err := s.Set(ctx, backend.Record{ID: "victim", Data: victim, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{`{"$ne":null}`, `{"$gt":""}`, "$where", "$", ".", "victim.", "a\x00b", "victim\x00"} {
		rec, found, err := s.Get(ctx, id)
		if err == nil && found {
			t.Errorf("Get(%q) found a session nobody stored under that id: %s", id, rec.Data)
		}
		data := session(exp, len(id))
		if err := s.Set(ctx, backend.Record{ID: id, Data: data, Expires: exp}); err != nil {
			// PostgreSQL cannot hold NUL; a clear error is fine.
			t.Logf("Set(%q): %v", id, err)
			continue
		}
		rec, found, err = s.Get(ctx, id)
		if err != nil || !found || !bytes.Equal(rec.Data, data) {
			t.Errorf("Get(%q) after Set = %s, %v, %v", id, rec.Data, found, err)
		}
		if err := s.Destroy(ctx, id); err != nil {
			t.Errorf("Destroy(%q): %v", id, err)
		}
	}
	if rec, found, err := s.Get(ctx, "victim"); err != nil || !found || !bytes.Equal(rec.Data, victim) {
		t.Fatalf("the victim's session changed: %s, %v, %v", rec.Data, found, err)
	}
}

// A stored document with a field of the wrong type gives the visitor a
// fresh session: never a 500, never a panic.
func TestWrongTypesGiveFreshSessions(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	exp := time.Now().Add(time.Hour)
	good := `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}`
	docs := map[string]bson.D{
		"session-number":     {{Key: "session", Value: 42}, {Key: "expires", Value: exp}},
		"session-array":      {{Key: "session", Value: bson.A{1, 2}}, {Key: "expires", Value: exp}},
		"session-bad-json":   {{Key: "session", Value: `{"cookie":`}, {Key: "expires", Value: exp}},
		"cookie-string":      {{Key: "session", Value: bson.D{{Key: "cookie", Value: "x"}}}, {Key: "expires", Value: exp}},
		"cookie-expires-obj": {{Key: "session", Value: bson.D{{Key: "cookie", Value: bson.D{{Key: "expires", Value: bson.D{{Key: "a", Value: 1}}}}}}}, {Key: "expires", Value: exp}},
		"no-session":         {{Key: "expires", Value: exp}},
		"expires-bool":       {{Key: "session", Value: good}, {Key: "expires", Value: true}},
		"lastmodified-str":   {{Key: "session", Value: good}, {Key: "expires", Value: exp}, {Key: "lastModified", Value: "yesterday"}},
		"version-string":     {{Key: "session", Value: good}, {Key: "expires", Value: exp}, {Key: "seshVersion", Value: "one"}},
	}
	for id, doc := range docs {
		env.insert(t, append(bson.D{{Key: "_id", Value: id}}, doc...))
	}
	var reported []error
	mw, err := middleware.New(middleware.Options{
		Backend: s, Secrets: []string{"k"},
		OnError: func(_ *http.Request, err error) { reported = append(reported, err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := sesh.Get[int](sesh.FromContext(r.Context()), "views")
		sesh.FromContext(r.Context()).Set("views", n+1)
	}))
	signer := cookie.NewSigner([]string{"k"})
	for id := range docs {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", "connect.sid="+cookie.EncodeURIComponent("s:"+signer.Sign(id)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("%s: status %d, want 200 and a session", id, w.Code)
		}
		sc := w.Header().Get("Set-Cookie")
		// Documents that are readable despite an odd field keep their id;
		// the others get a new one.
		if sc == "" {
			continue
		}
		if strings.Contains(sc, cookie.EncodeURIComponent(id)) && (strings.HasPrefix(id, "session") || strings.HasPrefix(id, "cookie") || id == "no-session") {
			t.Errorf("%s: the unreadable session was kept: %s", id, sc)
		}
	}
	corrupt := 0
	for _, err := range reported {
		if errors.Is(err, sesh.ErrCorrupt) {
			corrupt++
		}
		if errors.Is(err, sesh.ErrBackend) {
			t.Errorf("a malformed document was reported as a backend failure: %v", err)
		}
	}
	if corrupt < 6 {
		t.Errorf("%d ErrCorrupt reports for 6 unreadable documents: %v", corrupt, reported)
	}
}
