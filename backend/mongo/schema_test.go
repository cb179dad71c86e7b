package mongo

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/cipher"
)

// logDoc shows a stored document in relaxed Extended JSON, as mongosh
// prints it, so that a verbose run documents what sesh writes.
func logDoc(t *testing.T, what string, doc bson.Raw) {
	t.Helper()
	ext, err := bson.MarshalExtJSON(doc, false, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s:\n%s", what, ext)
}

func wantKeys(t *testing.T, doc bson.Raw, want ...string) {
	t.Helper()
	got := keys(t, doc)
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("document fields = %v, want %v", got, want)
	}
}

// TestSchema checks the stored documents field by field against
// connect-mongo 6's schema, in every mode.
func TestSchema(t *testing.T) {
	env := newEnv(t)
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond).UTC()
	data := session(exp, 1)

	t.Run("string", func(t *testing.T) {
		s := env.open(t, Options{Collection: DefaultCollection})
		if err := s.Set(ctxT(t), backend.Record{ID: "str", Data: data, Expires: exp}); err != nil {
			t.Fatal(err)
		}
		doc := env.raw(t, "str")
		logDoc(t, "default options (stringify: true)", doc)
		wantKeys(t, doc, "_id", "session", "expires")
		if id := doc.Lookup("_id").StringValue(); id != "str" {
			t.Errorf("_id = %q", id)
		}
		if got, ok := doc.Lookup("session").StringValueOK(); !ok || got != string(data) {
			t.Errorf("session = %v, want the string %s", doc.Lookup("session"), data)
		}
		if got := dateOf(t, doc, "expires"); !got.Equal(exp) {
			t.Errorf("expires = %v, want %v", got, exp)
		}
	})

	t.Run("browser-session cookie gets the TTL", func(t *testing.T) {
		s := env.open(t, Options{TTL: 48 * time.Hour})
		before := time.Now()
		if err := s.Set(ctxT(t), backend.Record{ID: "ttl", Data: session(time.Time{}, 1)}); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		doc := env.raw(t, "ttl")
		got := dateOf(t, doc, "expires")
		if got.Before(before.Add(48*time.Hour).Truncate(time.Millisecond)) || got.After(after.Add(48*time.Hour)) {
			t.Errorf("expires = %v, want now + 48h (%v)", got, before.Add(48*time.Hour))
		}
		rec, ok, err := s.Get(ctxT(t), "ttl")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if !rec.Expires.Equal(got) {
			t.Errorf("Get reports Expires %v, the document says %v", rec.Expires, got)
		}
	})

	t.Run("document", func(t *testing.T) {
		s := env.open(t, Options{Format: FormatDocument})
		if err := s.Set(ctxT(t), backend.Record{ID: "doc", Data: data, Expires: exp}); err != nil {
			t.Fatal(err)
		}
		doc := env.raw(t, "doc")
		logDoc(t, "Format: FormatDocument (stringify: false)", doc)
		wantKeys(t, doc, "_id", "session", "expires")
		sess, ok := doc.Lookup("session").DocumentOK()
		if !ok {
			t.Fatalf("session is a BSON %v, want a document", doc.Lookup("session").Type)
		}
		cookie := sess.Lookup("cookie").Document()
		if got := dateOf(t, cookie, "expires"); !got.Equal(exp) {
			t.Errorf("session.cookie.expires = %v, want the date %v", got, exp)
		}
		if v := cookie.Lookup("originalMaxAge"); v.Type != bson.TypeInt32 || v.Int32() != 3600000 {
			t.Errorf("session.cookie.originalMaxAge = %v (%v), want int32 3600000", v, v.Type)
		}
		if v := sess.Lookup("views"); v.Type != bson.TypeInt32 || v.Int32() != 1 {
			t.Errorf("session.views = %v (%v), want int32 1", v, v.Type)
		}
		if keys := keys(t, cookie); !slices.Equal(keys, []string{"originalMaxAge", "expires", "httpOnly", "path"}) {
			t.Errorf("session.cookie fields %v, want express-session's order", keys)
		}
		rec, ok, err := s.Get(ctxT(t), "doc")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if string(rec.Data) != string(data) {
			t.Errorf("Get:\n got %s\nwant %s", rec.Data, data)
		}
	})

	t.Run("timestamps", func(t *testing.T) {
		s := env.open(t, Options{Timestamps: true})
		before := time.Now().Truncate(time.Millisecond)
		if err := s.Set(ctxT(t), backend.Record{ID: "ts", Data: data, Expires: exp}); err != nil {
			t.Fatal(err)
		}
		doc := env.raw(t, "ts")
		logDoc(t, "Timestamps: true (timestamps: true)", doc)
		wantKeys(t, doc, "_id", "session", "expires", "createdAt", "updatedAt")
		created, updated := dateOf(t, doc, "createdAt"), dateOf(t, doc, "updatedAt")
		if created.Before(before) || created.After(time.Now()) {
			t.Errorf("createdAt = %v, want about now", created)
		}
		// Let the clock move past the millisecond of the last write.
		time.Sleep(5 * time.Millisecond)
		if err := s.Set(ctxT(t), backend.Record{ID: "ts", Data: session(exp, 2), Expires: exp}); err != nil {
			t.Fatal(err)
		}
		doc = env.raw(t, "ts")
		if got := dateOf(t, doc, "createdAt"); !got.Equal(created) {
			t.Errorf("createdAt changed on update: %v, was %v", got, created)
		}
		updated2 := dateOf(t, doc, "updatedAt")
		if !updated2.After(updated) {
			t.Errorf("updatedAt not advanced by Set: %v, was %v", updated2, updated)
		}
		time.Sleep(5 * time.Millisecond)
		if err := s.Touch(ctxT(t), backend.Record{ID: "ts", Expires: exp.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		doc = env.raw(t, "ts")
		if got := dateOf(t, doc, "updatedAt"); !got.After(updated2) {
			t.Errorf("updatedAt not advanced by Touch: %v, was %v", got, updated2)
		}
		if got := dateOf(t, doc, "createdAt"); !got.Equal(created) {
			t.Errorf("createdAt changed on touch")
		}
	})

	t.Run("lastModified (touchAfter)", func(t *testing.T) {
		s := env.open(t, Options{})
		if err := s.Set(ctxT(t), backend.Record{ID: "lm", Data: data, Expires: exp}); err != nil {
			t.Fatal(err)
		}
		if doc := env.raw(t, "lm"); slices.Contains(keys(t, doc), "lastModified") {
			t.Errorf("lastModified written although Modified is zero: %v", doc)
		}
		rec, _, err := s.Get(ctxT(t), "lm")
		if err != nil || !rec.Modified.IsZero() {
			t.Fatalf("Get: Modified = %v, %v; want zero", rec.Modified, err)
		}
		mod := time.Now().Truncate(time.Millisecond).UTC()
		if err := s.Set(ctxT(t), backend.Record{ID: "lm", Data: data, Expires: exp, Modified: mod}); err != nil {
			t.Fatal(err)
		}
		doc := env.raw(t, "lm")
		logDoc(t, "Record.Modified set (touchAfter > 0)", doc)
		wantKeys(t, doc, "_id", "session", "expires", "lastModified")
		if got := dateOf(t, doc, "lastModified"); !got.Equal(mod) {
			t.Errorf("lastModified = %v, want %v", got, mod)
		}
		if strings.Contains(doc.Lookup("session").StringValue(), "lastModified") {
			t.Errorf("lastModified leaked into session")
		}
		rec, _, err = s.Get(ctxT(t), "lm")
		if err != nil || !rec.Modified.Equal(mod) {
			t.Errorf("Get: Modified = %v, %v; want %v", rec.Modified, err, mod)
		}
		// Touch writes lastModified only when given one.
		if err := s.Touch(ctxT(t), backend.Record{ID: "lm", Expires: exp.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if got := dateOf(t, env.raw(t, "lm"), "lastModified"); !got.Equal(mod) {
			t.Errorf("Touch without Modified changed lastModified to %v", got)
		}
		mod2 := mod.Add(time.Second)
		if err := s.Touch(ctxT(t), backend.Record{ID: "lm", Expires: exp.Add(time.Minute), Modified: mod2}); err != nil {
			t.Fatal(err)
		}
		doc = env.raw(t, "lm")
		if got := dateOf(t, doc, "lastModified"); !got.Equal(mod2) {
			t.Errorf("Touch: lastModified = %v, want %v", got, mod2)
		}
		if got := dateOf(t, doc, "expires"); !got.Equal(exp.Add(time.Minute)) {
			t.Errorf("Touch: expires = %v", got)
		}
		if got := doc.Lookup("session").StringValue(); got != string(data) {
			t.Errorf("Touch changed the session: %s", got)
		}
	})

	t.Run("transformID", func(t *testing.T) {
		hash := func(id string) string {
			sum := sha256.Sum256([]byte(id))
			return hex.EncodeToString(sum[:])
		}
		env := newEnv(t) // a collection of its own, for All
		rec := newRecorder()
		s := env.open(t, Options{TransformID: hash, OnEvent: rec.on, AutoRemove: AutoRemoveDisabled})
		if err := s.Set(ctxT(t), backend.Record{ID: "raw-id", Data: data, Expires: exp}); err != nil {
			t.Fatal(err)
		}
		if env.raw(t, "raw-id") != nil {
			t.Errorf("a document is stored under the untransformed id")
		}
		doc := env.raw(t, hash("raw-id"))
		if doc == nil {
			t.Fatal("no document under the transformed id")
		}
		logDoc(t, "TransformID: sha256 hex (transformId)", doc)
		got, ok, err := s.Get(ctxT(t), "raw-id")
		if err != nil || !ok || got.ID != "raw-id" || string(got.Data) != string(data) {
			t.Errorf("Get = %+v, %v, %v", got, ok, err)
		}
		if err := s.Touch(ctxT(t), backend.Record{ID: "raw-id", Expires: exp}); err != nil {
			t.Errorf("Touch: %v", err)
		}
		var ids []string
		for r, err := range s.All(ctxT(t)) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		if !slices.Equal(ids, []string{hash("raw-id")}) {
			t.Errorf("All ids = %v, want the stored (transformed) id", ids)
		}
		if err := s.Destroy(ctxT(t), "raw-id"); err != nil {
			t.Fatal(err)
		}
		if env.raw(t, hash("raw-id")) != nil {
			t.Errorf("Destroy left the document")
		}
		s.Close()
		for _, ev := range rec.all() {
			if ev.ID != "raw-id" {
				t.Errorf("event %v carries id %q, want the raw id", ev.Kind, ev.ID)
			}
		}
	})

	for _, format := range []Format{FormatString, FormatDocument} {
		t.Run("cipher/"+format.String(), func(t *testing.T) {
			s := env.open(t, Options{Cipher: fakeCipher{}, Format: format, Timestamps: true})
			id := "enc-" + format.String()
			if err := s.Set(ctxT(t), backend.Record{ID: id, Data: data, Expires: exp}); err != nil {
				t.Fatal(err)
			}
			doc := env.raw(t, id)
			logDoc(t, "Cipher (cryptoAdapter), Format "+format.String(), doc)
			wantKeys(t, doc, "_id", "session", "expires", "createdAt", "updatedAt")
			want, _ := fakeCipher{}.Encrypt(data)
			if got, ok := doc.Lookup("session").StringValueOK(); !ok || got != want {
				t.Errorf("session = %v, want the ciphertext of the JSON %q", doc.Lookup("session"), want)
			}
			if got := dateOf(t, doc, "expires"); !got.Equal(exp) {
				t.Errorf("expires is not in clear: %v", got)
			}
			rec, ok, err := s.Get(ctxT(t), id)
			if err != nil || !ok || string(rec.Data) != string(data) {
				t.Errorf("Get = %s, %v, %v", rec.Data, ok, err)
			}
		})
	}

	t.Run("seshVersion", func(t *testing.T) {
		s := env.open(t, Options{})
		s.setIfAnyServer = true // no concurrent writes here
		if err := s.SetIf(ctxT(t), backend.Record{ID: "v", Data: data, Expires: exp}, 0, true); err != nil {
			t.Fatal(err)
		}
		doc := env.raw(t, "v")
		logDoc(t, "after SetIf (optimistic concurrency)", doc)
		wantKeys(t, doc, "_id", "session", "expires", "seshVersion")
		if v := doc.Lookup("seshVersion"); v.Type != bson.TypeInt64 || v.Int64() != 1 {
			t.Errorf("seshVersion = %v (%v), want int64 1", v, v.Type)
		}
		if err := s.Set(ctxT(t), backend.Record{ID: "v", Data: session(exp, 9), Expires: exp}); err != nil {
			t.Fatal(err)
		}
		if v := env.raw(t, "v").Lookup("seshVersion"); v.Int64() != 1 {
			t.Errorf("Set changed seshVersion to %v", v)
		}
		rec, _, err := s.Get(ctxT(t), "v")
		if err != nil || rec.Version != 1 {
			t.Errorf("Get: Version = %d, %v; want 1", rec.Version, err)
		}
	})
}

// TestReadConnectMongoDocuments reads documents as connect-mongo 6 writes
// them, in each of its modes.
func TestReadConnectMongoDocuments(t *testing.T) {
	env := newEnv(t)
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond).UTC()
	expJSON := exp.Format("2006-01-02T15:04:05.000Z")
	expressText := `{"cookie":{"originalMaxAge":60000,"expires":"` + expJSON + `","httpOnly":true,"path":"/"},"views":1}`
	ct := func(s string) string { c, _ := fakeCipher{}.Encrypt([]byte(s)); return c }
	mod := exp.Add(-time.Minute)

	env.insert(t, bson.D{{Key: "_id", Value: "def"}, {Key: "session", Value: expressText}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "obj"}, {Key: "session", Value: bson.D{
		{Key: "cookie", Value: bson.D{
			{Key: "originalMaxAge", Value: int32(60000)},
			{Key: "expires", Value: exp},
			{Key: "httpOnly", Value: true},
			{Key: "domain", Value: nil},
			{Key: "path", Value: "/"},
		}},
		{Key: "views", Value: int32(1)},
		{Key: "ratio", Value: 1.5},
		{Key: "big", Value: float64(2592000000)},
		{Key: "user", Value: bson.D{{Key: "_id", Value: bson.ObjectID{0x65, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}}},
	}}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "lm"}, {Key: "session", Value: expressText}, {Key: "expires", Value: exp}, {Key: "lastModified", Value: mod}})
	env.insert(t, bson.D{{Key: "_id", Value: "noexp"}, {Key: "session", Value: expressText}})
	env.insert(t, bson.D{{Key: "_id", Value: "strexp"}, {Key: "session", Value: expressText}, {Key: "expires", Value: expJSON}})
	env.insert(t, bson.D{{Key: "_id", Value: "past"}, {Key: "session", Value: expressText}, {Key: "expires", Value: time.Now().Add(-time.Second)}})
	env.insert(t, bson.D{{Key: "_id", Value: "num"}, {Key: "session", Value: 42}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "nosession"}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "enc"}, {Key: "session", Value: ct(expressText)}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "enc2"}, {Key: "session", Value: ct(`"` + strings.ReplaceAll(expressText, `"`, `\"`) + `"`)}, {Key: "expires", Value: exp}})

	plain := env.open(t, Options{})
	enc := env.open(t, Options{Cipher: fakeCipher{}})

	tests := []struct {
		store   *Store
		id      string
		want    string // "" means not found
		expires time.Time
		mod     time.Time
		err     error
	}{
		{plain, "def", expressText, exp, time.Time{}, nil},
		{plain, "obj", `{"cookie":{"originalMaxAge":60000,"expires":"` + expJSON + `","httpOnly":true,"domain":null,"path":"/"},"views":1,"ratio":1.5,"big":2592000000,"user":{"_id":"650102030405060708090a0b"}}`, exp, time.Time{}, nil},
		{plain, "lm", expressText, exp, mod, nil},
		{plain, "noexp", expressText, time.Time{}, time.Time{}, nil},
		{plain, "strexp", "", time.Time{}, time.Time{}, nil},
		{plain, "past", "", time.Time{}, time.Time{}, nil},
		{plain, "missing", "", time.Time{}, time.Time{}, nil},
		{plain, "num", "", time.Time{}, time.Time{}, backend.ErrCorrupt},
		{plain, "nosession", "", time.Time{}, time.Time{}, backend.ErrCorrupt},
		{enc, "enc", expressText, exp, time.Time{}, nil},
		{enc, "enc2", expressText, exp, time.Time{}, nil},
		{enc, "obj", `{"cookie":{"originalMaxAge":60000,"expires":"` + expJSON + `","httpOnly":true,"domain":null,"path":"/"},"views":1,"ratio":1.5,"big":2592000000,"user":{"_id":"650102030405060708090a0b"}}`, exp, time.Time{}, nil},
		{enc, "def", "", time.Time{}, time.Time{}, cipher.ErrDecrypt},
		{plain, "enc", ct(expressText), exp, time.Time{}, nil},
	}
	for _, tt := range tests {
		name := tt.id
		if tt.store == enc {
			name = "cipher/" + name
		}
		t.Run(name, func(t *testing.T) {
			rec, found, err := tt.store.Get(ctxT(t), tt.id)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || found {
					t.Fatalf("Get = %v, %v; want an error matching %v", found, err, tt.err)
				}
				if !errors.Is(err, backend.ErrCorrupt) {
					t.Errorf("error %v does not match backend.ErrCorrupt", err)
				}
				if strings.Contains(err.Error(), tt.id) {
					t.Errorf("error %q contains the session id", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if found {
					t.Errorf("Get found %s, want not found", rec.Data)
				}
				return
			}
			if !found {
				t.Fatal("not found")
			}
			if string(rec.Data) != tt.want {
				t.Errorf("Data\n got %s\nwant %s", rec.Data, tt.want)
			}
			if !rec.Expires.Equal(tt.expires) || !rec.Modified.Equal(tt.mod) {
				t.Errorf("Expires, Modified = %v, %v; want %v, %v", rec.Expires, rec.Modified, tt.expires, tt.mod)
			}
		})
	}
}
