package mongo

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
)

// conditionalStore returns a Store whose UpdateIf runs on any server:
// on FerretDB its logic holds as long as no write races it, which these
// tests see to.
func conditionalStore(t *testing.T, env *testEnv, opts Options) *Store {
	s := env.open(t, opts)
	s.updateIfAnyServer = true
	return s
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: %v, want an error matching %v", what, err, want)
	}
}

func TestUpdateIf(t *testing.T) {
	env := newEnv(t)
	s := conditionalStore(t, env, Options{Timestamps: true, AutoRemove: AutoRemoveDisabled})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	rec := func(views int, tok backend.Token) backend.Record {
		return backend.Record{ID: "si", Data: session(exp, views), Expires: exp, Token: tok}
	}
	stored := func() string {
		t.Helper()
		doc := env.raw(t, "si")
		if doc == nil {
			return ""
		}
		return doc.Lookup("session").StringValue()
	}

	_, err := s.UpdateIf(ctx, rec(1, backend.Token{}))
	wantErr(t, "UpdateIf with nothing stored", err, backend.ErrNotFound)
	if env.raw(t, "si") != nil {
		t.Fatal("UpdateIf stored a document")
	}
	tok1, err := s.Create(ctx, rec(1, backend.Token{}))
	if err != nil {
		t.Fatal(err)
	}
	tok2, err := s.UpdateIf(ctx, rec(2, tok1))
	if err != nil {
		t.Fatalf("UpdateIf with the Token of Create: %v", err)
	}
	if got := stored(); got != string(session(exp, 2)) {
		t.Fatalf("after UpdateIf: %s", got)
	}
	_, err = s.UpdateIf(ctx, rec(3, tok1))
	wantErr(t, "UpdateIf with a stale Token", err, backend.ErrConflict)
	_, err = s.UpdateIf(ctx, rec(3, backend.Token{}))
	wantErr(t, "UpdateIf with the zero Token", err, backend.ErrConflict)
	// Another session's Token never counts, even for the same bytes.
	other, err := s.Create(ctx, backend.Record{ID: "other", Data: session(exp, 2), Expires: exp})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateIf(ctx, rec(3, other))
	wantErr(t, "UpdateIf with another session's Token", err, backend.ErrConflict)
	// Nor does a Token of another Store.
	s2 := conditionalStore(t, env, Options{AutoRemove: AutoRemoveDisabled})
	_, err = s2.UpdateIf(ctx, rec(3, tok2))
	wantErr(t, "UpdateIf with another Store's Token", err, backend.ErrConflict)
	if got := stored(); got != string(session(exp, 2)) {
		t.Fatalf("refused writes changed the session: %s", got)
	}

	// A touch leaves the session, and so the Token, as they are.
	if err := s.Touch(ctx, "si", exp.Add(time.Minute), time.Time{}, tok2); err != nil {
		t.Fatal(err)
	}
	tok3, err := s.UpdateIf(ctx, rec(3, tok2))
	if err != nil {
		t.Fatalf("UpdateIf after a touch: %v", err)
	}
	// The Token of Get works as that of a write.
	got, _, err := s.Get(ctx, "si")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateIf(ctx, rec(4, got.Token)); err != nil {
		t.Fatalf("UpdateIf with the Token of Get: %v", err)
	}
	_, err = s.UpdateIf(ctx, rec(5, tok3))
	wantErr(t, "UpdateIf with the Token Get's write replaced", err, backend.ErrConflict)

	// The document is connect-mongo's: no field of sesh's.
	doc := env.raw(t, "si")
	wantKeys(t, doc, "_id", "session", "expires", "createdAt", "updatedAt")

	// A session that expired is gone.
	past := time.Now().Add(-time.Minute)
	env.insert(t, bson.D{{Key: "_id", Value: "old"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: past}})
	_, err = s.UpdateIf(ctx, backend.Record{ID: "old", Data: session(exp, 1), Expires: exp})
	wantErr(t, "UpdateIf of an expired session", err, backend.ErrNotFound)
	if got := dateOf(t, env.raw(t, "old"), "expires"); !got.Equal(past.Truncate(time.Millisecond)) {
		t.Error("UpdateIf revived an expired session")
	}
}

// UpdateIf fails when an Express application, which knows nothing of
// sesh, changed the session since it was read; a write of the very same
// session is harmless and not a conflict.
func TestUpdateIfDetectsExpressWrites(t *testing.T) {
	for _, format := range []Format{FormatString, FormatDocument} {
		t.Run(format.String(), func(t *testing.T) {
			env := newEnv(t)
			s := conditionalStore(t, env, Options{Format: format, AutoRemove: AutoRemoveDisabled})
			ctx := ctxT(t)
			exp := time.Now().Add(time.Hour)
			data := session(exp, 1)
			if _, err := s.Create(ctx, backend.Record{ID: "shared", Data: data, Expires: exp}); err != nil {
				t.Fatal(err)
			}
			rec, _, err := s.Get(ctx, "shared")
			if err != nil {
				t.Fatal(err)
			}
			// Express saves the session with a change: connect-mongo's
			// $set of the whole session.
			express := func(v any) {
				t.Helper()
				_, err := env.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "shared"}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "_id", Value: "shared"}, {Key: "session", Value: v}, {Key: "expires", Value: exp}}}})
				if err != nil {
					t.Fatal(err)
				}
			}
			changedText := strings.Replace(string(data), `"views":1`, `"views":1,"express":true`, 1)
			var changed any = changedText
			if format == FormatDocument {
				doc, err := JSONToDocument([]byte(changedText))
				if err != nil {
					t.Fatal(err)
				}
				changed = doc
			}
			express(changed)
			rec.Data = session(exp, 2)
			_, err = s.UpdateIf(ctx, rec)
			wantErr(t, "UpdateIf after Express changed the session", err, backend.ErrConflict)
			if got, _, _ := s.Get(ctx, "shared"); !strings.Contains(string(got.Data), `"express":true`) {
				t.Fatalf("Express's write was overwritten: %s", got.Data)
			}
			// Read again, the write goes through.
			again, _, _ := s.Get(ctx, "shared")
			again.Data = session(exp, 2)
			tok, err := s.UpdateIf(ctx, again)
			if err != nil {
				t.Fatalf("UpdateIf after reading again: %v", err)
			}
			// Express saves the same session again, unchanged.
			express(env.raw(t, "shared").Lookup("session"))
			if _, err := s.UpdateIf(ctx, backend.Record{ID: "shared", Data: session(exp, 3), Expires: exp, Token: tok}); err != nil {
				t.Errorf("UpdateIf after Express rewrote the same session: %v", err)
			}
		})
	}
}

// TestUpdateIfFerretDB checks that UpdateIf refuses to pretend on FerretDB,
// whose updates are not atomic (CheckUsage says so first: see
// TestCheckUsageConditional).
func TestUpdateIfFerretDB(t *testing.T) {
	env := newEnv(t)
	if !env.isFerretDB(t) {
		t.Skip("the server is not FerretDB")
	}
	rec := newRecorder()
	s := env.open(t, Options{OnEvent: rec.on})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	tok, err := s.Create(ctx, backend.Record{ID: "f", Data: session(exp, 1), Expires: exp})
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]backend.Token{"zero Token": {}, "Token of Create": tok} {
		_, err := s.UpdateIf(ctx, backend.Record{ID: "f", Data: session(exp, 2), Expires: exp, Token: tok})
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "FerretDB") {
			t.Errorf("UpdateIf with the %s = %v, want an error matching errors.ErrUnsupported naming FerretDB", name, err)
		}
	}
	if got := env.raw(t, "f").Lookup("session").StringValue(); got != string(session(exp, 1)) {
		t.Errorf("UpdateIf stored %s", got)
	}
	rec.wait(t, 5*time.Second, "updateif error", func(ev Event) bool { return ev.Kind == EventError && ev.Op == "updateif" })
}
