package mongo

import (
	"errors"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/seshgo/sesh/backend"
)

// owned returns the ids Owned yields for owner, failing on any error.
func owned(t *testing.T, s *Store, owner string) []string {
	t.Helper()
	var ids []string
	for rec, err := range s.Owned(ctxT(t), owner) {
		if err != nil {
			t.Fatalf("Owned(%q): %v", owner, err)
		}
		if rec.Owner != owner || rec.Token.IsZero() {
			t.Errorf("Owned(%q) yielded %q with Owner %q, Token zero %v", owner, rec.ID, rec.Owner, rec.Token.IsZero())
		}
		ids = append(ids, rec.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestOwners(t *testing.T) {
	env := newEnv(t)
	events := newRecorder()
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled, OnEvent: events.on})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	created := time.Now().Add(-time.Hour).Truncate(time.Millisecond).UTC()

	// An anonymous session is connect-mongo's document exactly.
	if _, err := s.Create(ctx, backend.Record{ID: "anon", Data: session(exp, 1), Expires: exp, Created: created}); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, env.raw(t, "anon"), "_id", "session", "expires")
	if rec, _, _ := s.Get(ctx, "anon"); rec.Owner != "" || !rec.Created.IsZero() {
		t.Errorf("anonymous session: Owner %q, Created %v", rec.Owner, rec.Created)
	}

	// An owned one has its owner and its creation time.
	for _, id := range []string{"ann1", "ann2", "bob1"} {
		owner := id[:3]
		if _, err := s.Create(ctx, backend.Record{ID: id, Data: session(exp, 1), Expires: exp, Owner: owner, Created: created}); err != nil {
			t.Fatal(err)
		}
	}
	doc := env.raw(t, "ann1")
	logDoc(t, "an owned session", doc)
	wantKeys(t, doc, "_id", "session", "expires", "createdAt", "seshOwner")
	if got := doc.Lookup("seshOwner").StringValue(); got != "ann" {
		t.Errorf("seshOwner = %q", got)
	}
	if got := dateOf(t, doc, "createdAt"); !got.Equal(created) {
		t.Errorf("createdAt = %v, want Record.Created %v", got, created)
	}
	rec, _, err := s.Get(ctx, "ann1")
	if err != nil || rec.Owner != "ann" || !rec.Created.Equal(created) {
		t.Fatalf("Get: Owner %q, Created %v, %v", rec.Owner, rec.Created, err)
	}
	// An expired session of ann's is not hers any more.
	env.insert(t, bson.D{{Key: "_id", Value: "ann-old"}, {Key: "session", Value: "{}"}, {Key: "expires", Value: time.Now().Add(-time.Minute)}, {Key: "seshOwner", Value: "ann"}})
	if got := owned(t, s, "ann"); !slices.Equal(got, []string{"ann1", "ann2"}) {
		t.Errorf("Owned(ann) = %v", got)
	}
	if got := owned(t, s, "nobody"); len(got) != 0 {
		t.Errorf("Owned(nobody) = %v", got)
	}

	// Express saves ann1 (connect-mongo's $set): the owner stays.
	_, err = env.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "ann1"}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "_id", Value: "ann1"}, {Key: "session", Value: string(session(exp, 9))}, {Key: "expires", Value: exp}, {Key: "lastModified", Value: time.Now()}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "createdAt", Value: time.Now()}}},
		{Key: "$currentDate", Value: bson.D{{Key: "updatedAt", Value: true}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err = s.Get(ctx, "ann1")
	if err != nil || rec.Owner != "ann" || !rec.Created.Equal(created) || string(rec.Data) != string(session(exp, 9)) {
		t.Errorf("after Express's write: %s, Owner %q, Created %v, %v", rec.Data, rec.Owner, rec.Created, err)
	}
	if got := owned(t, s, "ann"); !slices.Equal(got, []string{"ann1", "ann2"}) {
		t.Errorf("Owned(ann) after Express's write = %v", got)
	}

	// Signing out keeps the session, without an owner; another owner
	// takes it over.
	rec.Owner = ""
	if _, err := s.Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if keys := keys(t, env.raw(t, "ann1")); slices.Contains(keys, "seshOwner") {
		t.Errorf("the owner is still stored: %v", keys)
	}
	rec, _, _ = s.Get(ctx, "ann2")
	rec.Owner = "bob"
	if _, err := s.Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if got := owned(t, s, "ann"); len(got) != 0 {
		t.Errorf("Owned(ann) after she signed out of both = %v", got)
	}
	if got := owned(t, s, "bob"); !slices.Equal(got, []string{"ann2", "bob1"}) {
		t.Errorf("Owned(bob) = %v", got)
	}
	// A session that becomes owned without a known creation time has
	// none.
	if _, err := s.Update(ctx, backend.Record{ID: "anon", Data: session(exp, 2), Expires: exp, Owner: "carl"}); err != nil {
		t.Fatal(err)
	}
	if rec, _, _ := s.Get(ctx, "anon"); rec.Owner != "carl" || !rec.Created.IsZero() {
		t.Errorf("anon owned by carl: Owner %q, Created %v", rec.Owner, rec.Created)
	}

	// A document that cannot be read is yielded as corrupt, with its id,
	// and the listing goes on.
	env.insert(t, bson.D{{Key: "_id", Value: "bob-bad"}, {Key: "session", Value: 42}, {Key: "expires", Value: exp}, {Key: "seshOwner", Value: "bob"}})
	var good, bad []string
	for rec, err := range s.Owned(ctx, "bob") {
		switch {
		case errors.Is(err, backend.ErrCorrupt):
			bad = append(bad, rec.ID)
		case err != nil:
			t.Fatal(err)
		default:
			good = append(good, rec.ID)
		}
	}
	slices.Sort(good)
	if !slices.Equal(good, []string{"ann2", "bob1"}) || !slices.Equal(bad, []string{"bob-bad"}) {
		t.Errorf("Owned(bob) with a corrupt session: %v, corrupt %v", good, bad)
	}

	// The index, created when the Store first met an owner.
	ev := events.wait(t, 20*time.Second, "owner index", func(ev Event) bool {
		return (ev.Kind == EventIndex || ev.Kind == EventFallback) && ev.Index == "seshOwner_1"
	})
	if ev.Kind == EventFallback {
		t.Logf("the server refused the owner index: %v", ev.Err)
		if !env.isFerretDB(t) {
			t.Errorf("MongoDB refused the owner index: %v", ev.Err)
		}
		return
	}
	specs, err := env.coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(specs, func(spec mongo.IndexSpecification) bool { return spec.Name == "seshOwner_1" })
	if i < 0 {
		t.Fatalf("no seshOwner_1 index: %v", specs)
	}
	if spec := specs[i]; spec.Sparse == nil || !*spec.Sparse {
		if env.isFerretDB(t) {
			t.Logf("FerretDB ignores the sparse option: %+v", spec)
		} else {
			t.Errorf("seshOwner_1 is not sparse: %+v", spec)
		}
	}
}

func TestOwnersWithTimestamps(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{Timestamps: true, AutoRemove: AutoRemoveDisabled})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	before := time.Now().Truncate(time.Millisecond)
	// connect-mongo's createdAt is Record.Created, of every session.
	if _, err := s.Create(ctx, backend.Record{ID: "a", Data: session(exp, 1), Expires: exp}); err != nil {
		t.Fatal(err)
	}
	rec, _, err := s.Get(ctx, "a")
	if err != nil || rec.Created.Before(before) || rec.Created.After(time.Now()) {
		t.Fatalf("Created = %v, %v; want the time of Create", rec.Created, err)
	}
	created := rec.Created
	rec.Owner = "ann"
	if _, err := s.Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	doc := env.raw(t, "a")
	wantKeys(t, doc, "_id", "session", "expires", "createdAt", "updatedAt", "seshOwner")
	if got := dateOf(t, doc, "createdAt"); !got.Equal(created) {
		t.Errorf("createdAt = %v after the update, was %v", got, created)
	}
}

// With TransformID, documents hold transformed ids: Owned declines, as
// the contract lets a backend decline what an option turns off.
func TestOwnedWithTransformID(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled, TransformID: func(id string) string { return "t-" + id }})
	exp := time.Now().Add(time.Hour)
	if _, err := s.Create(ctxT(t), backend.Record{ID: "a", Data: session(exp, 1), Expires: exp, Owner: "ann"}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range s.Owned(ctxT(t), "ann") {
		n++
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("Owned with TransformID: %v, want an error matching errors.ErrUnsupported", err)
		}
	}
	if n != 1 {
		t.Errorf("Owned with TransformID yielded %d times, want one error", n)
	}
	for _, err := range s.All(ctxT(t)) {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("All with TransformID: %v, want an error matching errors.ErrUnsupported (its ids are not session ids)", err)
		}
	}
	if rec, _, err := s.Get(ctxT(t), "a"); err != nil || rec.Owner != "ann" {
		t.Errorf("Get: Owner %q, %v", rec.Owner, err)
	}
}
