package interop

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// typed are values an Express application stores in a session, as JSON
// for app.mjs's /setjson ({"$date": ms} is a Date), with the BSON types
// connect-mongo with stringify off stores them as.
var typed = []struct {
	key, json, bsonType string
}{
	{"when", `{"$date":1767323045678}`, "date"},
	{"int", `7`, "int32"},
	{"neg", `-3`, "int32"},
	{"big", `2147483648`, "double"},
	{"frac", `1.5`, "double"},
	{"flag", `false`, "bool"},
	{"nil", `null`, "null"},
	{"text", `"h\u00e9llo \"q\""`, "string"},
	{"nested", `{"a":[1,"x",null,{"b":true,"c":2.5}]}`, "{a:[int32,string,null,{b:bool,c:double}]}"},
	{"list", `[]`, "[]"},
	{"empty", `{}`, "{}"},
}

// deepType describes a BSON value's type, recursively.
func deepType(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		var parts []string
		for _, e := range elems {
			parts = append(parts, e.Key()+":"+deepType(e.Value()))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		var parts []string
		for _, e := range vals {
			parts = append(parts, deepType(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return bsonType(v.Type)
}

// valueTypes returns the deep types of the session's values in doc.
func valueTypes(t *testing.T, doc bson.Raw) map[string]string {
	t.Helper()
	sub, ok := doc.Lookup("session").DocumentOK()
	if !ok {
		t.Fatalf("the session field is not a document: %s", doc)
	}
	elems, _ := sub.Elements()
	out := map[string]string{}
	for _, e := range elems {
		if e.Key() != "cookie" {
			out[e.Key()] = deepType(e.Value())
		}
	}
	return out
}

// TestTypedValues stores typed values from Express with stringify off (the
// session a BSON sub-document) and has sesh read the session and rewrite
// it: the values must read the same on both sides and keep their BSON
// types, which is what express-session gets back when it loads them (the
// Mongo backend keeps the stored BSON of values a request leaves
// unchanged, dates included).
func TestTypedValues(t *testing.T) {
	requireNode(t)
	onlyOn(t, mongoStore)
	t.Parallel()
	db := newDatabase(t)
	env := merge(db.env("sessions"), map[string]string{"STRINGIFY": "false", "MAX_AGE_MS": hourMS})
	exp := launch(t, Express, "express(STRINGIFY=false)", env)
	ses := launch(t, Sesh, "sesh(STRINGIFY=false)", env)
	exp.await(t)
	ses.await(t)
	coll := db.coll("sessions")

	b := newBrowser(t)
	id := create(t, b, exp, "first", "1")
	want := map[string]string{"first": "string"}
	for _, v := range typed {
		r := b.get(exp, "/setjson?k="+v.key+"&v="+url.QueryEscape(v.json))
		wantStatus(t, r, http.StatusOK)
		want[v.key] = v.bsonType
	}
	if got := valueTypes(t, coll.mustDoc(t, id, "written by express")); !reflect.DeepEqual(got, want) {
		t.Fatalf("connect-mongo stored the values with types\n%v\nwant\n%v", got, want)
	}

	expShows := b.get(exp, "/get")
	seshShows := b.get(ses, "/get")
	if e, s := jsonOf(expShows.data()), jsonOf(seshShows.data()); e != s {
		t.Fatalf("express and sesh read the session differently:\nexpress %s\nsesh    %s", e, s)
	}

	wantStatus(t, b.get(ses, "/set?k=z&v=1"), http.StatusOK)
	got := valueTypes(t, coll.mustDoc(t, id, "rewritten by sesh"))
	want["z"] = "string"
	for k, w := range want {
		if got[k] != w {
			t.Errorf("after sesh rewrote the session, %q is stored as %s, where Express stored %s", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("after sesh rewrote the session it holds an unexpected key %q (%s)", k, got[k])
		}
	}
	after := b.get(exp, "/get").data()
	before := expShows.data()
	before["z"] = "1"
	if e, s := jsonOf(before), jsonOf(after); e != s {
		t.Errorf("express shows the session differently after sesh rewrote it:\nbefore %s\nafter  %s", e, s)
	}
}

func jsonOf(v any) string {
	b, err := json.Marshal(v) // sorted keys
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// TestStorageFailure makes the database refuse a write (with stringify
// off, a session key holding a NUL byte cannot be a BSON field name) and
// checks the deliberate difference: Express answers 200 and loses the
// change silently (the store's error comes after the response), sesh
// answers 5xx with a JSON error. Either way the stored session is intact.
func TestStorageFailure(t *testing.T) {
	requireNode(t)
	onlyOn(t, mongoStore)
	t.Parallel()
	db := newDatabase(t)
	env := merge(db.env("sessions"), map[string]string{"STRINGIFY": "false", "MAX_AGE_MS": hourMS})
	exp := launch(t, Express, "express(STRINGIFY=false)", env)
	ses := launch(t, Sesh, "sesh(STRINGIFY=false)", env)
	exp.await(t)
	ses.await(t)
	const bad = "/set?k=x%00y&v=1"
	for _, s := range []*server{exp, ses} {
		b := newBrowser(t)
		id := create(t, b, s, "a", "1")
		r := b.get(s, bad)
		switch s.side {
		case Express:
			if r.status != http.StatusOK {
				t.Errorf("express-session reports store errors after the response; want 200, got %s", r)
			}
		case Sesh:
			if r.status < 500 || r.str("error") == "" {
				t.Errorf("sesh should answer 5xx with a JSON error when the session cannot be saved; got %s", r)
			}
		}
		for _, reader := range []*server{exp, ses} {
			wantData(t, fetch(t, reader, "/get", b.header(s)), id, map[string]any{"a": "1"}, reader.name+" after the failed write on "+s.name)
		}
	}
}

// cookieFields returns the cookie sub-document's fields and their BSON
// types, null and false included.
func cookieFields(t *testing.T, doc bson.Raw) string {
	t.Helper()
	ck, ok := doc.Lookup("session", "cookie").DocumentOK()
	if !ok {
		t.Fatalf("no cookie sub-document in %s", doc)
	}
	elems, _ := ck.Elements()
	var out []string
	for _, e := range elems {
		v := bsonType(e.Value().Type)
		if e.Value().Type == bson.TypeBoolean {
			v = fmt.Sprint(e.Value().Boolean())
		}
		out = append(out, e.Key()+":"+v)
	}
	return strings.Join(out, " ")
}

// TestCookieEncoding pins down how each side writes the cookie with
// stringify off: all nine fields of express-session's cookie in its order,
// those it leaves unset as BSON null, and, with COOKIE_SECURE=auto on a
// plain request, secure as false; the same when either side rewrites a
// session the other created.
func TestCookieEncoding(t *testing.T) {
	requireNode(t)
	onlyOn(t, mongoStore)
	t.Parallel()
	db := newDatabase(t)
	env := merge(db.env("sessions"), map[string]string{"STRINGIFY": "false", "MAX_AGE_MS": hourMS, "COOKIE_SECURE": "auto"})
	exp := launch(t, Express, "express(STRINGIFY=false, COOKIE_SECURE=auto)", env)
	ses := launch(t, Sesh, "sesh(STRINGIFY=false, COOKIE_SECURE=auto)", env)
	exp.await(t)
	ses.await(t)
	coll := db.coll("sessions")
	const want = "originalMaxAge:int32 partitioned:null priority:null expires:date secure:false httpOnly:true domain:null path:string sameSite:null"
	for _, p := range pairs(exp, ses) {
		a, b := p[0], p[1]
		br := newBrowser(t)
		id := create(t, br, a, "k", "v")
		if got := cookieFields(t, coll.mustDoc(t, id, "created")); got != want {
			t.Errorf("%s stored the cookie as {%s}, want {%s}", a.name, got, want)
		}
		wantData(t, br.get(b, "/get"), id, map[string]any{"k": "v"}, b.name+" reading it")
		wantStatus(t, br.get(b, "/set?k=k&v=w"), http.StatusOK)
		if got := cookieFields(t, coll.mustDoc(t, id, "rewritten")); got != want {
			t.Errorf("%s rewrote the cookie %s created as {%s}, want {%s}", b.name, a.name, got, want)
		}
		wantData(t, br.get(a, "/get"), id, map[string]any{"k": "w"}, a.name+" reading it back")
	}
}
