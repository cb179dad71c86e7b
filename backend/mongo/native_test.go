package mongo

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
)

// An Express application with stringify off stores Dates as BSON dates.
// When sesh rewrites the session, values the request did not change keep
// their BSON types.
func TestDocumentFormatKeepsTypesOfUnchangedValues(t *testing.T) {
	e := newEnv(t)
	s := e.open(t, Options{Format: FormatDocument, AutoRemove: AutoRemoveDisabled})
	ctx := context.Background()
	login := time.Date(2026, 11, 23, 10, 0, 0, 123e6, time.UTC)
	expires := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	_, err := e.coll.InsertOne(ctx, bson.D{
		{Key: "_id", Value: "express"},
		{Key: "expires", Value: bson.NewDateTimeFromTime(expires)},
		{Key: "session", Value: bson.D{
			{Key: "cookie", Value: bson.D{{Key: "originalMaxAge", Value: int32(3600000)}, {Key: "expires", Value: bson.NewDateTimeFromTime(expires)}, {Key: "httpOnly", Value: true}, {Key: "path", Value: "/"}}},
			{Key: "loginAt", Value: bson.NewDateTimeFromTime(login)},
			{Key: "big", Value: int64(1) << 40},
			{Key: "profile", Value: bson.D{{Key: "seen", Value: bson.NewDateTimeFromTime(login)}}},
			{Key: "views", Value: int32(1)},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, found, err := s.Get(ctx, "express")
	if err != nil || !found {
		t.Fatalf("Get: %v %v", found, err)
	}
	if !strings.Contains(string(rec.Data), `"loginAt":"2026-11-23T10:00:00.123Z"`) {
		t.Fatalf("Get returned %s", rec.Data)
	}
	// The request changes views only.
	p, err := codec.JSON.Decode(rec.Data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Values {
		if p.Values[i].Key == "views" {
			p.Values[i].JSON = []byte(`2`)
		}
	}
	rec.Data, _ = codec.JSON.Encode(p)
	tok, err := s.Update(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	session := e.raw(t, "express").Lookup("session").Document()
	for key, want := range map[string]bson.Type{"loginAt": bson.TypeDateTime, "big": bson.TypeInt64, "profile": bson.TypeEmbeddedDocument, "views": bson.TypeInt32} {
		if got := session.Lookup(key).Type; got != want {
			t.Errorf("session.%s is a BSON %v after the rewrite, want %v as stored", key, got, want)
		}
	}
	if got := session.Lookup("profile", "seen").Type; got != bson.TypeDateTime {
		t.Errorf("session.profile.seen is a BSON %v, want the nested date kept", got)
	}
	if v, _ := session.Lookup("views").Int32OK(); v != 2 {
		t.Errorf("views = %v, want the change written", session.Lookup("views"))
	}
	// The Token of that write keeps them for the next.
	rec.Token = tok
	if _, err := s.Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if got := e.raw(t, "express").Lookup("session", "loginAt").Type; got != bson.TypeDateTime {
		t.Errorf("session.loginAt is a BSON %v after a write with the Token of a write", got)
	}
	// Without a Token (the session was not read in this process), the
	// session is written as JSONToDocument converts it.
	rec.Token = backend.Token{}
	if _, err := s.Update(ctx, rec); err != nil {
		t.Fatal(err)
	}
	session = e.raw(t, "express").Lookup("session").Document()
	if got := session.Lookup("loginAt").Type; got != bson.TypeString {
		t.Errorf("session.loginAt is a BSON %v after a write with the zero Token, want the string of its JSON", got)
	}
	if got := session.Lookup("big").Type; got != bson.TypeDouble {
		t.Errorf("session.big is a BSON %v after a write with the zero Token, want a double as the Node.js driver writes 2⁴⁰", got)
	}
}
