package mongo

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/middleware"
	sesh "github.com/seshgo/sesh/session"
	"github.com/seshgo/sesh/sessiontest"
)

// Ids are values, never query operators: ids that look like operators or
// contain '$', '.' or NUL reach only their own document, or fail clearly.
func TestHostileIDs(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	victim := session(exp, 7)
	if _, err := s.Create(ctx, backend.Record{ID: "victim", Data: victim, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{`{"$ne":null}`, `{"$gt":""}`, "$where", "$", ".", "victim.", "a\x00b", "victim\x00"} {
		rec, found, err := s.Get(ctx, id)
		if err == nil && found {
			t.Errorf("Get(%q) found a session nobody stored under that id: %s", id, rec.Data)
		}
		data := session(exp, len(id))
		if _, err := s.Update(ctx, backend.Record{ID: id, Data: data, Expires: exp}); err == nil {
			t.Errorf("Update(%q) of a session never stored succeeded", id)
		} else if !errors.Is(err, backend.ErrNotFound) {
			// PostgreSQL cannot hold NUL; a clear error is fine.
			t.Logf("Update(%q): %v", id, err)
		}
		if _, err := s.Create(ctx, backend.Record{ID: id, Data: data, Expires: exp}); err != nil {
			// PostgreSQL cannot hold NUL; a clear error is fine.
			t.Logf("Create(%q): %v", id, err)
			continue
		}
		rec, found, err = s.Get(ctx, id)
		if err != nil || !found || !bytes.Equal(rec.Data, data) {
			t.Errorf("Get(%q) after Create = %s, %v, %v", id, rec.Data, found, err)
		}
		if err := s.Destroy(ctx, id); err != nil {
			t.Errorf("Destroy(%q): %v", id, err)
		}
	}
	if rec, found, err := s.Get(ctx, "victim"); err != nil || !found || !bytes.Equal(rec.Data, victim) {
		t.Fatalf("the victim's session changed: %s, %v, %v", rec.Data, found, err)
	}
}

// A stored document with a field of the wrong type is reported as corrupt
// (the middleware then starts a fresh session), or read if the odd field
// does not matter, never as a failure of the server and never with a
// panic; All yields the corrupt ones with their ids and goes on.
func TestWrongTypes(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	exp := time.Now().Add(time.Hour)
	good := `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}`
	docs := map[string]struct {
		doc     bson.D
		corrupt bool
	}{
		"session-number":     {bson.D{{Key: "session", Value: 42}, {Key: "expires", Value: exp}}, true},
		"session-array":      {bson.D{{Key: "session", Value: bson.A{1, 2}}, {Key: "expires", Value: exp}}, true},
		"session-binary":     {bson.D{{Key: "session", Value: bson.Binary{Data: []byte(good)}}, {Key: "expires", Value: exp}}, true},
		"no-session":         {bson.D{{Key: "expires", Value: exp}}, true},
		"session-bad-json":   {bson.D{{Key: "session", Value: `{"cookie":`}, {Key: "expires", Value: exp}}, false},
		"cookie-string":      {bson.D{{Key: "session", Value: bson.D{{Key: "cookie", Value: "x"}}}, {Key: "expires", Value: exp}}, false},
		"cookie-expires-obj": {bson.D{{Key: "session", Value: bson.D{{Key: "cookie", Value: bson.D{{Key: "expires", Value: bson.D{{Key: "a", Value: 1}}}}}}}, {Key: "expires", Value: exp}}, false},
		"expires-bool":       {bson.D{{Key: "session", Value: good}, {Key: "expires", Value: true}}, false},
		"lastmodified-str":   {bson.D{{Key: "session", Value: good}, {Key: "expires", Value: exp}, {Key: "lastModified", Value: "yesterday"}}, false},
		"createdat-str":      {bson.D{{Key: "session", Value: good}, {Key: "expires", Value: exp}, {Key: "createdAt", Value: "today"}}, false},
		"owner-number":       {bson.D{{Key: "session", Value: good}, {Key: "expires", Value: exp}, {Key: "seshOwner", Value: 7}}, false},
		"version-string":     {bson.D{{Key: "session", Value: good}, {Key: "expires", Value: exp}, {Key: "seshVersion", Value: "one"}}, false},
	}
	var corrupt []string
	for id, d := range docs {
		env.insert(t, append(bson.D{{Key: "_id", Value: id}}, d.doc...))
		if d.corrupt {
			corrupt = append(corrupt, id)
		}
	}
	// A document whose _id is not a string: only All meets it.
	env.insert(t, bson.D{{Key: "_id", Value: 12}, {Key: "session", Value: good}, {Key: "expires", Value: exp}})
	for id, d := range docs {
		rec, found, err := s.Get(ctxT(t), id)
		switch {
		case d.corrupt && (!errors.Is(err, backend.ErrCorrupt) || found):
			t.Errorf("%s: Get = %v, %v; want an error matching backend.ErrCorrupt", id, found, err)
		case !d.corrupt && err != nil:
			t.Errorf("%s: Get = %v, want the session read (or missing) despite the odd field", id, err)
		case !d.corrupt && found && rec.Owner != "":
			t.Errorf("%s: Owner %q from a field that is not a string", id, rec.Owner)
		}
	}
	var yielded, bad []string
	for rec, err := range s.All(ctxT(t)) {
		switch {
		case errors.Is(err, backend.ErrCorrupt):
			bad = append(bad, rec.ID)
		case err != nil:
			t.Fatalf("All: %v", err)
		default:
			yielded = append(yielded, rec.ID)
		}
	}
	slices.Sort(bad)
	slices.Sort(corrupt)
	if want := append([]string{""}, corrupt...); !slices.Equal(bad, want) {
		t.Errorf("All reported as corrupt %q, want %q (the number _id has no id)", bad, want)
	}
	if len(yielded) != len(docs)-len(corrupt)-1 { // expires-bool is not live
		t.Errorf("All yielded %d readable sessions, want %d: %s", len(yielded), len(docs)-len(corrupt)-1, strings.Join(yielded, " "))
	}
}

// Behind the middleware, a visitor whose stored session cannot be read
// gets a fresh one, with a report of ErrCorrupt and never a failure of the
// backend; one whose document has an odd but harmless field keeps it.
func TestCorruptSessionsBehindTheMiddleware(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	exp := time.Now().Add(time.Hour)
	good := `{"cookie":{"originalMaxAge":3600000,"expires":"` + exp.UTC().Format("2006-01-02T15:04:05.000Z") + `","httpOnly":true,"path":"/"},"views":1}`
	docs := map[string]struct {
		doc   bson.D
		fresh bool
	}{
		"session-number":   {bson.D{{Key: "session", Value: 42}, {Key: "expires", Value: exp}}, true},
		"session-bad-json": {bson.D{{Key: "session", Value: `{"cookie":`}, {Key: "expires", Value: exp}}, true},
		"no-cookie":        {bson.D{{Key: "session", Value: bson.D{{Key: "views", Value: 1}}}, {Key: "expires", Value: exp}}, true},
		"no-session":       {bson.D{{Key: "expires", Value: exp}}, true},
		"lastmodified-str": {bson.D{{Key: "session", Value: good}, {Key: "expires", Value: exp}, {Key: "lastModified", Value: "yesterday"}}, false},
		"owner-number":     {bson.D{{Key: "session", Value: good}, {Key: "expires", Value: exp}, {Key: "seshOwner", Value: 7}}, false},
	}
	for id, d := range docs {
		env.insert(t, append(bson.D{{Key: "_id", Value: id}}, d.doc...))
	}
	h := sessiontest.New(t, middleware.Options{Backend: s})
	for id, d := range docs {
		t.Run(id, func(t *testing.T) {
			before := len(h.Errors())
			var isNew bool
			var views int
			w := h.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sess := sesh.FromContext(r.Context())
				isNew = sess.IsNew()
				views, _ = sesh.Get[int](sess, "views")
			}), httptest.NewRequest("GET", "/", nil), id)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", w.Code)
			}
			if isNew != d.fresh {
				t.Errorf("new session %v, want %v", isNew, d.fresh)
			}
			if !d.fresh && views != 1 {
				t.Errorf("views = %d, want the stored 1", views)
			}
			errs := h.Errors()[before:]
			if d.fresh && (len(errs) == 0 || !errors.Is(errs[0], sesh.ErrCorrupt)) {
				t.Errorf("reported %v, want ErrCorrupt", errs)
			}
			for _, err := range errs {
				if errors.Is(err, sesh.ErrBackend) {
					t.Errorf("a stored document was reported as a backend failure: %v", err)
				}
			}
		})
	}
}
