package mongo

import (
	"bytes"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
)

// TestCookieDocumentAsConnectMongo stores sessions with FormatDocument and
// compares the stored session field, byte for byte (field order and BSON
// types), with the document connect-mongo's stringify: false writes: the
// Node.js driver serializes Cookie.toJSON(), the nine fields in order with
// undefined as null, expires a Date, integers int32. Reading it gives back
// express-session's JSON, which leaves undefined fields out, and writing
// that again stores the same bytes.
func TestCookieDocumentAsConnectMongo(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{Format: FormatDocument, AutoRemove: AutoRemoveDisabled})
	exp := time.Date(2026, 11, 23, 13, 27, 4, 152e6, time.UTC)
	tests := []struct {
		name    string
		json    string
		express bson.D // the session as connect-mongo stores it
	}{
		{"maxAge", `{"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:27:04.152Z","httpOnly":true,"path":"/"},"views":1}`,
			bson.D{{Key: "cookie", Value: expressCookie(int32(60000), bson.NewDateTimeFromTime(exp))}, {Key: "views", Value: int32(1)}}},
		{"browser-session", `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"user":{"name":"ann"}}`,
			bson.D{{Key: "cookie", Value: expressCookie(nil, nil)}, {Key: "user", Value: bson.D{{Key: "name", Value: "ann"}}}}},
		{"every attribute", `{"cookie":{"originalMaxAge":2592000000,"partitioned":true,"priority":"high","expires":"2026-11-23T13:27:04.152Z","secure":true,"httpOnly":false,"domain":"example.com","path":"/app","sameSite":"lax"}}`,
			bson.D{{Key: "cookie", Value: bson.D{
				{Key: "originalMaxAge", Value: float64(2592000000)},
				{Key: "partitioned", Value: true},
				{Key: "priority", Value: "high"},
				{Key: "expires", Value: bson.NewDateTimeFromTime(exp)},
				{Key: "secure", Value: true},
				{Key: "httpOnly", Value: false},
				{Key: "domain", Value: "example.com"},
				{Key: "path", Value: "/app"},
				{Key: "sameSite", Value: "lax"},
			}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := bson.Marshal(tt.express)
			if err != nil {
				t.Fatal(err)
			}
			live := time.Now().Add(time.Hour)
			if _, err := s.Create(ctxT(t), backend.Record{ID: tt.name, Data: []byte(tt.json), Expires: live}); err != nil {
				t.Fatal(err)
			}
			got := env.raw(t, tt.name).Lookup("session")
			if got.Type != bson.TypeEmbeddedDocument || !bytes.Equal(got.Value, want) {
				t.Errorf("stored session\n got %v\nwant %v", got, bson.Raw(want))
			}
			// Express's own document reads back as express-session's JSON.
			env.insert(t, bson.D{{Key: "_id", Value: "express-" + tt.name}, {Key: "session", Value: tt.express}, {Key: "expires", Value: live}})
			rec, _, err := s.Get(ctxT(t), "express-"+tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if string(rec.Data) != tt.json {
				t.Errorf("Get of connect-mongo's document\n got %s\nwant %s", rec.Data, tt.json)
			}
			if _, err := s.Update(ctxT(t), rec); err != nil {
				t.Fatal(err)
			}
			if again := env.raw(t, "express-"+tt.name).Lookup("session"); !bytes.Equal(again.Value, want) {
				t.Errorf("writing back connect-mongo's session changed it\n got %v\nwant %v", again, bson.Raw(want))
			}
		})
	}
}
