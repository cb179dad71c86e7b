package interop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// database is one test's MongoDB database, dropped when the test ends.
// Register it before starting servers, so that they stop before it is
// dropped.
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
	return &collection{d: d, name: name, c: d.db.Collection(name)}
}

func (d *database) place(t *testing.T, name string) place { return d.coll(name) }

// collection reads the sessions collection the servers share, with the
// driver, as a person inspecting the database would.
type collection struct {
	d    *database
	name string
	c    *mongo.Collection
}

func (c *collection) String() string  { return "MongoDB collection " + c.name }
func (c *collection) kind() storeKind { return mongoStore }
func (c *collection) env() map[string]string {
	return merge(c.d.env(c.name), map[string]string{"STORE": "mongo"})
}
func (c *collection) get(t *testing.T, id string) *stored {
	t.Helper()
	if d := c.doc(t, id); d != nil {
		return storedDoc(t, d)
	}
	return nil
}

func (c *collection) all(t *testing.T) map[string]*stored {
	t.Helper()
	out := map[string]*stored{}
	for id, d := range c.docs(t) {
		out[id] = storedDoc(t, d)
	}
	return out
}

func (c *collection) setExpiry(t *testing.T, id string, when time.Time) {
	t.Helper()
	c.set(t, id, bson.D{{Key: "expires", Value: when}})
}

// storedDoc is a document in the stores' common form.
func storedDoc(t *testing.T, d bson.Raw) *stored {
	t.Helper()
	exp := dateField(t, d, "expires")
	text := sessionField(d)
	if str, ok := d.Lookup("session").StringValueOK(); ok {
		text = str
	}
	return &stored{
		text:    text,
		expires: exp,
		version: exp.String() + " " + dateField(t, d, "lastModified").String(),
		shape: func(t *testing.T, dec decrypter, format string) docShape {
			return shapeOf(t, d, dec, format)
		},
	}
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

// docs returns every document, by _id.
func (c *collection) docs(t *testing.T) map[string]bson.Raw {
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
	if err == nil && res.MatchedCount != 1 {
		err = fmt.Errorf("matched %d documents", res.MatchedCount)
	}
	if err != nil {
		t.Fatalf("updating session %s in %s: %v", id, c.name, err)
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
