package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/seshgo/sesh/cipher"
	"github.com/seshgo/sesh/internal/mongotest"
)

// database is one test's database, dropped when the test ends. Register
// it before starting servers, so that they stop before it is dropped.
type database struct {
	uri    string
	client *mongo.Client
	db     *mongo.Database
}

func newDatabase(t *testing.T) *database {
	t.Helper()
	uri := mongotest.URI(t)
	client := mongotest.Connect(t, uri)
	return &database{uri: uri, client: client, db: mongotest.Database(t, client)}
}

// env returns the settings that put a server on collection coll of this
// database. Expired sessions are never removed by either side: FerretDB
// has no TTL indexes (see TestTTLIndexOnFerretDB), and a sweep would only
// make the documents the tests read change under them.
func (d *database) env(coll string) map[string]string {
	return map[string]string{
		"MONGODB_URI": d.uri,
		"DB":          d.db.Name(),
		"COLLECTION":  coll,
		"AUTO_REMOVE": "disabled",
	}
}

func (d *database) coll(name string) *collection {
	return &collection{name: name, c: d.db.Collection(name)}
}

// collection reads the sessions collection the servers share, with the
// driver, as a person inspecting the database would.
type collection struct {
	name string
	c    *mongo.Collection
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// doc returns the document of session id, nil if there is none.
func (c *collection) doc(t *testing.T, id string) bson.Raw {
	t.Helper()
	raw, err := c.c.FindOne(ctx(t), bson.D{{Key: "_id", Value: id}}).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		t.Fatalf("reading session %s from %s: %v", id, c.name, err)
	}
	return raw
}

// mustDoc is doc failing the test when the session is not stored.
func (c *collection) mustDoc(t *testing.T, id, context string) bson.Raw {
	t.Helper()
	d := c.doc(t, id)
	if d == nil {
		t.Fatalf("%s: no document for session %s in %s", context, id, c.name)
	}
	return d
}

// all returns every document, by _id.
func (c *collection) all(t *testing.T) map[string]bson.Raw {
	t.Helper()
	cur, err := c.c.Find(ctx(t), bson.D{})
	if err != nil {
		t.Fatalf("listing %s: %v", c.name, err)
	}
	out := map[string]bson.Raw{}
	for cur.Next(ctx(t)) {
		raw := slices.Clone(cur.Current)
		id, _ := raw.Lookup("_id").StringValueOK()
		out[id] = raw
	}
	if err := cur.Err(); err != nil {
		t.Fatalf("listing %s: %v", c.name, err)
	}
	return out
}

// set changes fields of session id's document, to simulate time passing.
func (c *collection) set(t *testing.T, id string, fields bson.D) {
	t.Helper()
	res, err := c.c.UpdateOne(ctx(t), bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: fields}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("updating session %s in %s: %v (matched %d)", id, c.name, err, res.MatchedCount)
	}
}

// dateField returns the BSON date field key of doc, zero if absent.
func dateField(t *testing.T, doc bson.Raw, key string) time.Time {
	t.Helper()
	v, err := doc.LookupErr(key)
	if err != nil {
		return time.Time{}
	}
	ms, ok := v.DateTimeOK()
	if !ok {
		t.Fatalf("%s is a BSON %v, not a date, in %s", key, v.Type, doc)
	}
	return time.UnixMilli(ms).UTC()
}

// sessionField returns the raw session field, for comparisons.
func sessionField(doc bson.Raw) string {
	v, err := doc.LookupErr("session")
	if err != nil {
		return "<none>"
	}
	return v.String()
}

// docShape is what the tests compare between a document Express wrote and
// one sesh wrote: the fields and their BSON types, the session field's
// form, and the session's cookie sub-fields with their types.
type docShape struct {
	Fields  string // "_id:string expires:date session:string", sorted
	Session string // "JSON string", "embedded document" or "<cipher> ciphertext"
	Cookie  string // cookie sub-fields and their types, sorted
	Values  string // the session's values (not the cookie), as JSON
}

func (s docShape) String() string {
	return fmt.Sprintf("fields {%s}, session %s, cookie {%s}, values %s", s.Fields, s.Session, s.Cookie, s.Values)
}

// decrypter decrypts encrypted session fields for shapeOf; nil in the
// unencrypted modes.
type decrypter interface {
	Decrypt(string) ([]byte, error)
}

func newDecrypter(t *testing.T, env map[string]string) (decrypter, string) {
	t.Helper()
	secret := env["CRYPTO_SECRET"]
	if secret == "" {
		return nil, ""
	}
	var (
		d   decrypter
		err error
	)
	format := env["CRYPTO_FORMAT"]
	if format == "kruptein" {
		d, err = cipher.NewKruptein(cipher.KrupteinOptions{Secrets: []string{secret}})
	} else {
		format = "webcrypto"
		d, err = cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{secret}})
	}
	if err != nil {
		t.Fatal(err)
	}
	return d, format
}

func bsonType(t bson.Type) string {
	switch t {
	case bson.TypeString:
		return "string"
	case bson.TypeDateTime:
		return "date"
	case bson.TypeEmbeddedDocument:
		return "document"
	case bson.TypeInt32:
		return "int32"
	case bson.TypeInt64:
		return "int64"
	case bson.TypeDouble:
		return "double"
	case bson.TypeBoolean:
		return "bool"
	case bson.TypeNull:
		return "null"
	case bson.TypeArray:
		return "array"
	}
	return t.String()
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// shapeOf describes doc. Cookie sub-fields whose value is null are left
// out (except expires and originalMaxAge, which both sides write as null
// for a browser-session cookie), and so is "secure": false: with stringify
// off, connect-mongo stores express-session's undefined cookie attributes
// as BSON null, and with cookie.secure "auto" on a plain request
// express-session stores secure: false, where sesh leaves them out. Both
// read either form the same; TestCookieEncoding pins the difference down.
func shapeOf(t *testing.T, doc bson.Raw, dec decrypter, format string) docShape {
	t.Helper()
	elems, err := doc.Elements()
	if err != nil {
		t.Fatalf("reading %s: %v", doc, err)
	}
	var fields []string
	for _, e := range elems {
		fields = append(fields, e.Key()+":"+bsonType(e.Value().Type))
	}
	slices.Sort(fields)
	s := docShape{Fields: strings.Join(fields, " ")}

	v, err := doc.LookupErr("session")
	if err != nil {
		s.Session = "<missing>"
		return s
	}
	var cookieTypes []string
	values := map[string]any{}
	switch {
	case v.Type == bson.TypeString && dec != nil:
		ct, _ := v.StringValueOK()
		pt, err := dec.Decrypt(ct)
		if err != nil {
			t.Fatalf("the session field of %s does not decrypt as %s: %v", doc, format, err)
		}
		var inner string
		if json.Unmarshal(pt, &inner) == nil {
			pt = []byte(inner) // the session JSON as a JSON string literal
		}
		s.Session = format + " ciphertext"
		cookieTypes = jsonShape(t, pt, values)
	case v.Type == bson.TypeString:
		str, _ := v.StringValueOK()
		s.Session = "JSON string"
		cookieTypes = jsonShape(t, []byte(str), values)
	case v.Type == bson.TypeEmbeddedDocument:
		s.Session = "embedded document"
		sub, _ := v.DocumentOK()
		subElems, _ := sub.Elements()
		for _, e := range subElems {
			if e.Key() != "cookie" {
				var x any
				if err := e.Value().Unmarshal(&x); err != nil {
					t.Fatalf("decoding %s: %v", e.Key(), err)
				}
				values[e.Key()] = x
				continue
			}
			ck, ok := e.Value().DocumentOK()
			if !ok {
				cookieTypes = append(cookieTypes, "<cookie is a "+bsonType(e.Value().Type)+">")
				continue
			}
			ckElems, _ := ck.Elements()
			for _, ce := range ckElems {
				if ce.Key() == "secure" && ce.Value().Type == bson.TypeBoolean && !ce.Value().Boolean() {
					continue
				}
				if ce.Value().Type != bson.TypeNull || ce.Key() == "expires" || ce.Key() == "originalMaxAge" {
					cookieTypes = append(cookieTypes, ce.Key()+":"+bsonType(ce.Value().Type))
				}
			}
		}
	default:
		s.Session = "BSON " + bsonType(v.Type)
	}
	slices.Sort(cookieTypes)
	s.Cookie = strings.Join(cookieTypes, " ")
	b, _ := json.Marshal(values) // sorted keys
	s.Values = string(b)
	return s
}

// jsonShape reads session JSON: it returns the cookie's sub-fields with
// their types and fills values with the rest.
func jsonShape(t *testing.T, text []byte, values map[string]any) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(text, &m); err != nil {
		t.Fatalf("the stored session is not a JSON object: %v: %q", err, text)
	}
	var out []string
	ck, ok := m["cookie"].(map[string]any)
	if !ok {
		out = append(out, "<cookie is "+jsonType(m["cookie"])+">")
	}
	for _, k := range slices.Sorted(maps.Keys(ck)) {
		if (ck[k] != nil || k == "expires" || k == "originalMaxAge") && !(k == "secure" && ck[k] == false) {
			out = append(out, k+":"+jsonType(ck[k]))
		}
	}
	for k, v := range m {
		if k != "cookie" {
			values[k] = v
		}
	}
	return out
}
