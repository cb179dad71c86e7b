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
		if _, err := s.Create(ctxT(t), backend.Record{ID: "str", Data: data, Expires: exp}); err != nil {
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
		if _, err := s.Create(ctxT(t), backend.Record{ID: "ttl", Data: session(time.Time{}, 1)}); err != nil {
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
		if _, err := s.Create(ctxT(t), backend.Record{ID: "doc", Data: data, Expires: exp}); err != nil {
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
		if keys := keys(t, cookie); !slices.Equal(keys, cookieFields[:]) {
			t.Errorf("session.cookie fields %v, want Cookie.toJSON()'s, in its order", keys)
		}
		for _, unset := range []string{"partitioned", "priority", "secure", "domain", "sameSite"} {
			if v := cookie.Lookup(unset); v.Type != bson.TypeNull {
				t.Errorf("session.cookie.%s = %v, want null as the Node.js driver writes undefined", unset, v)
			}
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
		tok, err := s.Create(ctxT(t), backend.Record{ID: "ts", Data: data, Expires: exp})
		if err != nil {
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
		if _, err := s.Update(ctxT(t), backend.Record{ID: "ts", Data: session(exp, 2), Expires: exp, Token: tok}); err != nil {
			t.Fatal(err)
		}
		doc = env.raw(t, "ts")
		if got := dateOf(t, doc, "createdAt"); !got.Equal(created) {
			t.Errorf("createdAt changed on update: %v, was %v", got, created)
		}
		updated2 := dateOf(t, doc, "updatedAt")
		if !updated2.After(updated) {
			t.Errorf("updatedAt not advanced by Update: %v, was %v", updated2, updated)
		}
		time.Sleep(5 * time.Millisecond)
		if err := s.Touch(ctxT(t), "ts", exp.Add(time.Hour), time.Time{}, tok); err != nil {
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
		if _, err := s.Create(ctxT(t), backend.Record{ID: "lm", Data: data, Expires: exp}); err != nil {
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
		if _, err := s.Update(ctxT(t), backend.Record{ID: "lm", Data: data, Expires: exp, Modified: mod}); err != nil {
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
		if err := s.Touch(ctxT(t), "lm", exp.Add(time.Minute), time.Time{}, backend.Token{}); err != nil {
			t.Fatal(err)
		}
		if got := dateOf(t, env.raw(t, "lm"), "lastModified"); !got.Equal(mod) {
			t.Errorf("Touch without Modified changed lastModified to %v", got)
		}
		mod2 := mod.Add(time.Second)
		if err := s.Touch(ctxT(t), "lm", exp.Add(time.Minute), mod2, backend.Token{}); err != nil {
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
		if _, err := s.Create(ctxT(t), backend.Record{ID: "raw-id", Data: data, Expires: exp}); err != nil {
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
		if err := s.Touch(ctxT(t), "raw-id", exp, time.Time{}, got.Token); err != nil {
			t.Errorf("Touch: %v", err)
		}
		if _, err := s.Update(ctxT(t), backend.Record{ID: "raw-id", Data: data, Expires: exp, Token: got.Token}); err != nil {
			t.Errorf("Update: %v", err)
		}
		// The stored ids are not session ids: All declines rather than
		// yield records nobody could read or destroy.
		for _, err := range s.All(ctxT(t)) {
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("All with TransformID: %v, want an error matching errors.ErrUnsupported", err)
			}
		}
		if err := s.Destroy(ctxT(t), "raw-id"); err != nil {
			t.Fatal(err)
		}
		if env.raw(t, hash("raw-id")) != nil {
			t.Errorf("Destroy left the document")
		}
		s.Close()
		for _, ev := range rec.all() {
			if ev.Op == "all" { // the refusal above: a listing has no id
				continue
			}
			if ev.ID != "raw-id" {
				t.Errorf("event %v carries id %q, want the raw id", ev.Kind, ev.ID)
			}
		}
	})

	t.Run("ciphertext (cryptoAdapter)", func(t *testing.T) {
		// The middleware encrypts; the store keeps the ciphertext as
		// connect-mongo's crypto adapters do: the session field is the
		// string, whatever Format says of JSON.
		s := env.open(t, Options{Timestamps: true})
		ct := webCryptoVector
		if _, err := s.Create(ctxT(t), backend.Record{ID: "enc", Data: []byte(ct), Expires: exp}); err != nil {
			t.Fatal(err)
		}
		doc := env.raw(t, "enc")
		logDoc(t, "encrypted by the middleware (cryptoAdapter)", doc)
		wantKeys(t, doc, "_id", "session", "expires", "createdAt", "updatedAt")
		if got, ok := doc.Lookup("session").StringValueOK(); !ok || got != ct {
			t.Errorf("session = %v, want the ciphertext string %q", doc.Lookup("session"), ct)
		}
		if got := dateOf(t, doc, "expires"); !got.Equal(exp) {
			t.Errorf("expires is not in clear: %v", got)
		}
		rec, ok, err := s.Get(ctxT(t), "enc")
		if err != nil || !ok || string(rec.Data) != ct {
			t.Errorf("Get = %s, %v, %v", rec.Data, ok, err)
		}
	})
}

// webCryptoVector is the session field connect-mongo's WebCrypto adapter
// stored in the research notes' test vector (§4.2).
const webCryptoVector = "AAECAwQFBgcICQoL5zWsiFrrFslflt1Pa5lT7QYZBsREv5hTYv5MdsR+DlXT3b+SF+5fePP2deFPdHg/R5JebvRRTxOgTkJQwRW5STpI+fjAQpxG6QbcyAgB3eqjGikTrTQ/X3X9ev0c3ZrYbVMRgFv+"

// TestReadConnectMongoDocuments reads documents as connect-mongo 6 writes
// them, in each of its modes.
func TestReadConnectMongoDocuments(t *testing.T) {
	env := newEnv(t)
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond).UTC()
	expJSON := exp.Format("2006-01-02T15:04:05.000Z")
	expressText := `{"cookie":{"originalMaxAge":60000,"expires":"` + expJSON + `","httpOnly":true,"path":"/"},"views":1}`
	mod := exp.Add(-time.Minute)
	created := exp.Add(-time.Hour)
	// The session of connect-mongo with stringify: false: Cookie.toJSON()
	// with its undefined fields as null.
	express := func(domain any) bson.D {
		return bson.D{
			{Key: "cookie", Value: bson.D{
				{Key: "originalMaxAge", Value: int32(60000)},
				{Key: "partitioned", Value: nil},
				{Key: "priority", Value: nil},
				{Key: "expires", Value: exp},
				{Key: "secure", Value: nil},
				{Key: "httpOnly", Value: true},
				{Key: "domain", Value: domain},
				{Key: "path", Value: "/"},
				{Key: "sameSite", Value: nil},
			}},
			{Key: "views", Value: int32(1)},
			{Key: "ratio", Value: 1.5},
			{Key: "big", Value: float64(2592000000)},
			{Key: "user", Value: bson.D{{Key: "_id", Value: bson.ObjectID{0x65, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}}},
		}
	}
	objText := `{"cookie":{"originalMaxAge":60000,"expires":"` + expJSON + `","httpOnly":true,"path":"/"},"views":1,"ratio":1.5,"big":2592000000,"user":{"_id":"650102030405060708090a0b"}}`

	env.insert(t, bson.D{{Key: "_id", Value: "def"}, {Key: "session", Value: expressText}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "obj"}, {Key: "session", Value: express(nil)}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "obj-domain"}, {Key: "session", Value: express("example.com")}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "obj-sesh0"}, {Key: "session", Value: bson.D{
		{Key: "cookie", Value: bson.D{
			{Key: "originalMaxAge", Value: int32(60000)},
			{Key: "expires", Value: exp},
			{Key: "httpOnly", Value: true},
			{Key: "path", Value: "/"},
		}},
		{Key: "views", Value: int32(1)},
	}}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "lm"}, {Key: "session", Value: expressText}, {Key: "expires", Value: exp}, {Key: "lastModified", Value: mod}})
	env.insert(t, bson.D{{Key: "_id", Value: "ts"}, {Key: "session", Value: expressText}, {Key: "expires", Value: exp}, {Key: "createdAt", Value: created}, {Key: "updatedAt", Value: mod}})
	env.insert(t, bson.D{{Key: "_id", Value: "noexp"}, {Key: "session", Value: expressText}})
	env.insert(t, bson.D{{Key: "_id", Value: "strexp"}, {Key: "session", Value: expressText}, {Key: "expires", Value: expJSON}})
	env.insert(t, bson.D{{Key: "_id", Value: "past"}, {Key: "session", Value: expressText}, {Key: "expires", Value: time.Now().Add(-time.Second)}})
	env.insert(t, bson.D{{Key: "_id", Value: "num"}, {Key: "session", Value: 42}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "nosession"}, {Key: "expires", Value: exp}})
	env.insert(t, bson.D{{Key: "_id", Value: "enc"}, {Key: "session", Value: webCryptoVector}, {Key: "expires", Value: exp}})

	s := env.open(t, Options{})
	tests := []struct {
		id      string
		want    string // "" means not found
		expires time.Time
		mod     time.Time
		created time.Time
		err     error
	}{
		{"def", expressText, exp, time.Time{}, time.Time{}, nil},
		{"obj", objText, exp, time.Time{}, time.Time{}, nil},
		{"obj-domain", strings.Replace(objText, `"path"`, `"domain":"example.com","path"`, 1), exp, time.Time{}, time.Time{}, nil},
		{"obj-sesh0", expressText, exp, time.Time{}, time.Time{}, nil},
		{"lm", expressText, exp, mod, time.Time{}, nil},
		{"ts", expressText, exp, time.Time{}, created, nil},
		{"noexp", expressText, time.Time{}, time.Time{}, time.Time{}, nil},
		{"strexp", "", time.Time{}, time.Time{}, time.Time{}, nil},
		{"past", "", time.Time{}, time.Time{}, time.Time{}, nil},
		{"missing", "", time.Time{}, time.Time{}, time.Time{}, nil},
		{"num", "", time.Time{}, time.Time{}, time.Time{}, backend.ErrCorrupt},
		{"nosession", "", time.Time{}, time.Time{}, time.Time{}, backend.ErrCorrupt},
		{"enc", webCryptoVector, exp, time.Time{}, time.Time{}, nil}, // for the middleware to decrypt
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			rec, found, err := s.Get(ctxT(t), tt.id)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || found {
					t.Fatalf("Get = %v, %v; want an error matching %v", found, err, tt.err)
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
			if !rec.Expires.Equal(tt.expires) || !rec.Modified.Equal(tt.mod) || !rec.Created.Equal(tt.created) {
				t.Errorf("Expires, Modified, Created = %v, %v, %v; want %v, %v, %v", rec.Expires, rec.Modified, rec.Created, tt.expires, tt.mod, tt.created)
			}
			if rec.Token.IsZero() {
				t.Error("Get returned the zero Token")
			}
		})
	}
}
