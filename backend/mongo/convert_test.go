package mongo

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
)

// expressJSON is the session of the document connect-mongo wrote for a
// real express-session request (research notes §3.2).
const expressJSON = `{"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"views":1}`

func TestJSONToDocumentExpress(t *testing.T) {
	doc, err := JSONToDocument([]byte(expressJSON))
	if err != nil {
		t.Fatal(err)
	}
	// What the Node.js driver stores for connect-mongo with stringify:
	// false: Cookie.toJSON() with undefined as null, cookie.expires a
	// Date, small integers int32.
	want := bson.D{
		{Key: "cookie", Value: expressCookie(int32(60000), bson.NewDateTimeFromTime(time.Date(2026, 11, 23, 13, 25, 38, 959e6, time.UTC)))},
		{Key: "views", Value: int32(1)},
	}
	wantRaw, err := bson.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != string(wantRaw) {
		t.Errorf("JSONToDocument(express session)\n got %v\nwant %v", doc, bson.Raw(wantRaw))
	}
	back, err := DocumentToJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	if string(back) != expressJSON {
		t.Errorf("round trip\n got %s\nwant %s", back, expressJSON)
	}
}

func TestJSONToDocumentTypes(t *testing.T) {
	tests := []struct {
		name string
		json string
		want bson.D
	}{
		{"browser-session cookie", `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}}`,
			bson.D{{Key: "cookie", Value: expressCookie(nil, nil)}}},
		{"full cookie", `{"cookie":{"originalMaxAge":60000,"partitioned":true,"priority":"high","expires":"2026-11-23T13:27:04.152Z","secure":true,"httpOnly":true,"domain":"example.com","path":"/","sameSite":"lax"}}`,
			bson.D{{Key: "cookie", Value: bson.D{
				{Key: "originalMaxAge", Value: int32(60000)}, {Key: "partitioned", Value: true}, {Key: "priority", Value: "high"},
				{Key: "expires", Value: bson.NewDateTimeFromTime(time.Date(2026, 11, 23, 13, 27, 4, 152e6, time.UTC))},
				{Key: "secure", Value: true}, {Key: "httpOnly", Value: true}, {Key: "domain", Value: "example.com"},
				{Key: "path", Value: "/"}, {Key: "sameSite", Value: "lax"},
			}}}},
		{"cookie fields in another order, and others", `{"cookie":{"path":"/x","x":1,"originalMaxAge":null}}`,
			bson.D{{Key: "cookie", Value: bson.D{
				{Key: "originalMaxAge", Value: nil}, {Key: "partitioned", Value: nil}, {Key: "priority", Value: nil},
				{Key: "expires", Value: nil}, {Key: "secure", Value: nil}, {Key: "httpOnly", Value: nil}, {Key: "domain", Value: nil},
				{Key: "path", Value: "/x"}, {Key: "sameSite", Value: nil}, {Key: "x", Value: int32(1)},
			}}}},
		{"int32 bounds", `{"a":2147483647,"b":-2147483648,"c":2147483648,"d":-2147483649}`,
			bson.D{{Key: "a", Value: int32(math.MaxInt32)}, {Key: "b", Value: int32(math.MinInt32)}, {Key: "c", Value: float64(2147483648)}, {Key: "d", Value: float64(-2147483649)}}},
		{"integral spellings", `{"a":1.0,"b":1e2,"c":0,"d":0.5,"e":-0,"f":-0.0e7,"g":100e-2}`,
			bson.D{{Key: "a", Value: int32(1)}, {Key: "b", Value: int32(100)}, {Key: "c", Value: int32(0)}, {Key: "d", Value: 0.5}, {Key: "e", Value: math.Copysign(0, -1)}, {Key: "f", Value: math.Copysign(0, -1)}, {Key: "g", Value: int32(1)}}},
		{"integers a double holds are doubles", `{"a":2592000000,"b":9007199254740992,"c":-9007199254740992,"d":1e21,"e":1e300}`,
			bson.D{{Key: "a", Value: float64(2592000000)}, {Key: "b", Value: float64(1 << 53)}, {Key: "c", Value: -float64(1 << 53)}, {Key: "d", Value: 1e21}, {Key: "e", Value: 1e300}}},
		{"other integers are int64", `{"a":9007199254740993,"b":1541815603606036481,"c":-9223372036854775808,"d":9223372036854775807,"e":4611686018427387904}`,
			bson.D{{Key: "a", Value: int64(9007199254740993)}, {Key: "b", Value: int64(1541815603606036481)}, {Key: "c", Value: int64(math.MinInt64)}, {Key: "d", Value: int64(math.MaxInt64)}, {Key: "e", Value: int64(1 << 62)}}},
		{"fractions a double holds", `{"a":0.1,"b":1.5e-7,"c":5e-324,"d":1.7976931348623157e308,"e":0.30000000000000004,"f":1.50}`,
			bson.D{{Key: "a", Value: 0.1}, {Key: "b", Value: 1.5e-7}, {Key: "c", Value: 5e-324}, {Key: "d", Value: math.MaxFloat64}, {Key: "e", Value: math.Nextafter(0.3, 1)}, {Key: "f", Value: 1.5}}},
		{"nested", `{"u":{"name":"ann","tags":["a",1,true,null,{"x":[]}]}}`,
			bson.D{{Key: "u", Value: bson.D{{Key: "name", Value: "ann"}, {Key: "tags", Value: bson.A{"a", int32(1), true, nil, bson.D{{Key: "x", Value: bson.A{}}}}}}}}},
		{"only session.cookie is a cookie", `{"expires":"2026-11-23T13:25:38.959Z","cookie":"not an object","x":{"cookie":{"expires":"2026-11-23T13:25:38.959Z"}}}`,
			bson.D{{Key: "expires", Value: "2026-11-23T13:25:38.959Z"}, {Key: "cookie", Value: "not an object"}, {Key: "x", Value: bson.D{{Key: "cookie", Value: bson.D{{Key: "expires", Value: "2026-11-23T13:25:38.959Z"}}}}}}},
		{"unicode and escapes", `{"s":"caf\u00e9 \"q\" \\ \n 😀"}`,
			bson.D{{Key: "s", Value: "café \"q\" \\ \n 😀"}}},
		{"empty", `{}`, bson.D{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSONToDocument([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			want, err := bson.Marshal(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("JSONToDocument(%s)\n got %v\nwant %v", tt.json, got, bson.Raw(want))
			}
		})
	}
}

func TestJSONToDocumentRejects(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	tests := []struct{ name, json, mention string }{
		{"dot at top", `{"cookie":{},"a.b":1}`, `"a.b"`},
		{"dollar at top", `{"$where":1}`, `"$where"`},
		{"dot nested", `{"u":{"x":[{"e.mail":1}]}}`, `"e.mail"`},
		{"dollar nested", `{"u":{"$gt":1}}`, `"$gt"`},
		{"NUL in key", `{"a\u0000b":1}`, "NUL"},
		{"duplicate key", `{"a":1,"a":2}`, "duplicate"},
		{"duplicate key in large object", `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k3":3}`, "duplicate"},
		{"not an object", `[1]`, "object"},
		{"not JSON", `{"a":}`, "JSON"},
		{"too deep", deep, "levels"},
		{"not UTF-8", "{\"a\":\"\xff\"}", "UTF-8"},
		{"beyond a double", `{"cookie":{"path":"/"},"n":1e400}`, "session.n"},
		{"beyond a double, negative", `{"n":-1e400}`, "range of a double"},
		{"beyond int64, not a double", `{"n":18446744073709551617}`, "64-bit"},
		{"2^70 in full", `{"n":1180591620717411303424}`, "64-bit"},
		{"more precision than a double", `{"n":0.10000000000000000001}`, "0.1"},
		{"integral only in print", `{"n":2147483647.0000000001}`, "precision"},
		{"underflow", `{"n":1e-400}`, "precision"},
		{"huge exponent", `{"n":1e99999999999999999999}`, "range"},
		{"tiny exponent", `{"n":1e-99999999999999999999}`, "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := JSONToDocument([]byte(tt.json))
			if !errors.Is(err, backend.ErrInvalidData) {
				t.Fatalf("JSONToDocument(%.60s) = %v, want an error matching backend.ErrInvalidData", tt.json, err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %s", err, tt.mention)
			}
		})
	}
	// 99 levels inside the session are fine (100 with the stored document).
	ok := strings.Repeat(`{"a":`, 98) + "1" + strings.Repeat("}", 98)
	if _, err := JSONToDocument([]byte(ok)); err != nil {
		t.Errorf("99 levels: %v", err)
	}
}

func TestDocumentToJSON(t *testing.T) {
	oid, _ := bson.ObjectIDFromHex("65f1a2b3c4d5e6f708192a3b")
	dec, _ := bson.ParseDecimal128("1234.5600")
	tests := []struct {
		name string
		doc  bson.D
		want string
	}{
		{"express document", bson.D{
			{Key: "cookie", Value: expressCookie(int32(60000), bson.NewDateTimeFromTime(time.Date(2026, 11, 23, 13, 25, 38, 959e6, time.UTC)))},
			{Key: "views", Value: int32(1)},
		}, expressJSON},
		{"browser-session cookie", bson.D{{Key: "cookie", Value: expressCookie(nil, nil)}},
			`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}}`},
		{"sesh 0 cookie", bson.D{{Key: "cookie", Value: bson.D{{Key: "originalMaxAge", Value: nil}, {Key: "expires", Value: nil}, {Key: "httpOnly", Value: true}, {Key: "path", Value: "/"}}}},
			`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}}`},
		{"null kept where it is a value", bson.D{
			{Key: "cookie", Value: bson.D{{Key: "originalMaxAge", Value: nil}, {Key: "httpOnly", Value: nil}, {Key: "expires", Value: nil}, {Key: "path", Value: nil}, {Key: "secure", Value: false}, {Key: "domain", Value: nil}, {Key: "other", Value: nil}}},
			{Key: "x", Value: bson.D{{Key: "domain", Value: nil}}},
			{Key: "domain", Value: nil},
		}, `{"cookie":{"originalMaxAge":null,"expires":null,"secure":false,"other":null},"x":{"domain":null},"domain":null}`},
		{"numbers", bson.D{
			{Key: "i32", Value: int32(-7)}, {Key: "i64", Value: int64(1) << 60}, {Key: "d", Value: 0.1},
			{Key: "big", Value: 1e21}, {Key: "int", Value: 1e20}, {Key: "small", Value: 1.5e-7}, {Key: "s2", Value: 0.000001},
			{Key: "neg0", Value: math.Copysign(0, -1)}, {Key: "nan", Value: math.NaN()}, {Key: "inf", Value: math.Inf(-1)},
			{Key: "max", Value: math.MaxFloat64}, {Key: "min", Value: 5e-324}, {Key: "third", Value: 1.0 / 3},
		}, `{"i32":-7,"i64":1152921504606846976,"d":0.1,"big":1e+21,"int":100000000000000000000,"small":1.5e-7,"s2":0.000001,"neg0":-0,"nan":null,"inf":null,"max":1.7976931348623157e+308,"min":5e-324,"third":0.3333333333333333}`},
		{"dates", bson.D{
			{Key: "epoch", Value: bson.DateTime(0)},
			{Key: "before", Value: bson.DateTime(-1)},
			{Key: "y10000", Value: bson.DateTime(253402300800000)},
			{Key: "bc", Value: bson.DateTime(-62198755200000)},
			{Key: "max", Value: bson.DateTime(8.64e15)},
			{Key: "invalid", Value: bson.DateTime(8.64e15 + 1)},
		}, `{"epoch":"1970-01-01T00:00:00.000Z","before":"1969-12-31T23:59:59.999Z","y10000":"+010000-01-01T00:00:00.000Z","bc":"-000001-01-01T00:00:00.000Z","max":"+275760-09-13T00:00:00.000Z","invalid":null}`},
		{"driver types", bson.D{
			{Key: "oid", Value: oid},
			{Key: "bin", Value: bson.Binary{Subtype: 0, Data: []byte("hi!?")}},
			{Key: "dec", Value: dec},
			{Key: "undef", Value: bson.Undefined{}},
			{Key: "re", Value: bson.Regex{Pattern: "a+b", Options: "i"}},
			{Key: "ts", Value: bson.Timestamp{T: 5, I: 6}},
			{Key: "js", Value: bson.JavaScript("f()")},
			{Key: "sym", Value: bson.Symbol("s")},
			{Key: "min", Value: bson.MinKey{}},
			{Key: "max", Value: bson.MaxKey{}},
			{Key: "ptr", Value: bson.DBPointer{DB: "db.c", Pointer: oid}},
			{Key: "cws", Value: bson.CodeWithScope{Code: "g()", Scope: bson.D{{Key: "x", Value: 1}}}},
		}, `{"oid":"65f1a2b3c4d5e6f708192a3b","bin":"aGkhPw==","dec":"1234.5600","undef":null,"re":"/a+b/i","ts":{"t":5,"i":6},"js":"f()","sym":"s","min":{"$minKey":1},"max":{"$maxKey":1},"ptr":{"$ref":"db.c","$id":"65f1a2b3c4d5e6f708192a3b"},"cws":"g()"}`},
		{"strings escaped as JSON.stringify does", bson.D{{Key: "k\"ey", Value: "<tag> & \u2028 \x01 \"q\""}},
			`{"k\"ey":"<tag> & ` + "\u2028" + ` \u0001 \"q\""}`},
		{"arrays", bson.D{{Key: "a", Value: bson.A{int32(1), bson.A{}, bson.D{}, "x"}}}, `{"a":[1,[],{},"x"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := bson.Marshal(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DocumentToJSON(raw)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("DocumentToJSON\n got %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
}

func TestDocumentToJSONMalformed(t *testing.T) {
	good, _ := bson.Marshal(bson.D{{Key: "a", Value: "b"}, {Key: "n", Value: bson.D{{Key: "x", Value: int32(1)}}}})
	tests := map[string][]byte{
		"empty":             {},
		"short length":      {5, 0, 0},
		"length too large":  append([]byte{100, 0, 0, 0}, good[4:]...),
		"no terminator":     append(append([]byte{}, good[:len(good)-1]...), 1),
		"truncated element": good[:len(good)-6],
		"unknown type":      {12, 0, 0, 0, 0x42, 'a', 0, 1, 2, 3, 4, 0},
		"bad string length": {13, 0, 0, 0, 0x02, 'a', 0, 0xff, 0xff, 0xff, 0x7f, 0, 0},
		"negative length":   {13, 0, 0, 0, 0x03, 'a', 0, 0xfb, 0xff, 0xff, 0xff, 0, 0},
		"missing boolean":   {8, 0, 0, 0, 0x08, 'a', 0, 0},
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := DocumentToJSON(b)
			if !errors.Is(err, backend.ErrCorrupt) {
				t.Errorf("DocumentToJSON(%x) = %q, %v; want an error matching backend.ErrCorrupt", b, out, err)
			}
		})
	}
	// Nesting deeper than any server allows is refused, not a stack
	// overflow.
	deep := bson.D{{Key: "x", Value: int32(1)}}
	for range 250 {
		deep = bson.D{{Key: "a", Value: deep}}
	}
	raw, err := bson.Marshal(deep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DocumentToJSON(raw); !errors.Is(err, backend.ErrCorrupt) {
		t.Errorf("250 levels: %v, want ErrCorrupt", err)
	}
}

// FuzzDocumentToJSON checks that any bytes given as BSON either convert
// to valid JSON or give an error matching backend.ErrCorrupt, and never
// panic.
func FuzzDocumentToJSON(f *testing.F) {
	seeds := []any{
		bson.D{{Key: "cookie", Value: bson.D{{Key: "expires", Value: bson.DateTime(1795442897935)}, {Key: "path", Value: "/"}}}, {Key: "n", Value: 1.5}},
		bson.D{{Key: "a", Value: bson.A{int32(1), "x", bson.Binary{Data: []byte{1}}, bson.Regex{Pattern: "p"}, bson.CodeWithScope{Code: "c", Scope: bson.D{}}}}},
		bson.D{{Key: "d", Value: bson.DBPointer{DB: "x"}}, {Key: "t", Value: bson.Timestamp{T: 1}}, {Key: "l", Value: int64(-1)}},
	}
	for _, s := range seeds {
		b, err := bson.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := DocumentToJSON(data)
		if err != nil {
			if !errors.Is(err, backend.ErrCorrupt) {
				t.Fatalf("error %v does not match backend.ErrCorrupt", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("DocumentToJSON(%x) = %q, not valid JSON", data, out)
		}
	})
}

// FuzzJSONToDocument checks that session JSON that converts to BSON reads
// back as the same value: numbers exactly (the same decimal value),
// cookie.expires as the same instant to the millisecond, and the cookie's
// null optional fields left out.
func FuzzJSONToDocument(f *testing.F) {
	f.Add([]byte(expressJSON))
	f.Add([]byte(`{"a":[1,2.5,-0,1e300,"x",{"b":null}],"c":true}`))
	f.Add([]byte(`{"cookie":{"expires":"2026-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"cookie":{"originalMaxAge":null,"partitioned":null,"domain":"d","sameSite":null}}`))
	f.Add([]byte(`{"a":1541815603606036481,"b":9007199254740993,"c":-0,"d":1e400,"e":4611686018427387904,"f":0.1,"g":1e21}`))
	f.Add([]byte(`{"a":18446744073709551617,"b":0.10000000000000000001,"c":1e-400,"d":-9223372036854775809,"e":2.5e-324}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := JSONToDocument(data)
		if err != nil {
			if !errors.Is(err, backend.ErrInvalidData) {
				t.Fatalf("error %v does not match backend.ErrInvalidData", err)
			}
			return
		}
		back, err := DocumentToJSON(doc)
		if err != nil {
			t.Fatalf("DocumentToJSON(JSONToDocument(%q)): %v", data, err)
		}
		a, err := decodeJSON(data)
		if err != nil {
			t.Fatalf("JSONToDocument accepted %q, which encoding/json refuses: %v", data, err)
		}
		b, err := decodeJSON(back)
		if err != nil {
			t.Fatalf("round trip of %q gave invalid JSON %q", data, back)
		}
		if !sameJS(a, b, "") {
			t.Fatalf("round trip changed the value:\n in %s\nout %s", data, back)
		}
	})
}

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// sameJS compares two decoded JSON values as the session before and after
// the BSON round trip: numbers by exact decimal value, cookie.expires by
// instant to the millisecond, and the cookie's fields null or absent
// alike (express-session reads both as unset).
func sameJS(a, b any, path string) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		if path == ".cookie" {
			x, y = withoutNullCookieFields(x), withoutNullCookieFields(y)
		}
		if len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameJS(v, w, path+"."+k) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJS(x[i], y[i], path+"[]") {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		dx, okx := parseDecimal(string(x))
		dy, oky := parseDecimal(string(y))
		return okx && oky && dx == dy
	case string:
		y, ok := b.(string)
		if !ok {
			return false
		}
		if path == ".cookie.expires" && x != y {
			t1, err1 := time.Parse(time.RFC3339Nano, x)
			t2, err2 := time.Parse(time.RFC3339Nano, y)
			return err1 == nil && err2 == nil && t1.Truncate(time.Millisecond).Equal(t2)
		}
		return x == y
	}
	return a == b
}

// withoutNullCookieFields returns cookie without its null Cookie fields.
func withoutNullCookieFields(cookie map[string]any) map[string]any {
	out := make(map[string]any, len(cookie))
	for k, v := range cookie {
		if v != nil || !isCookieField(k) {
			out[k] = v
		}
	}
	return out
}

// expressCookie is the cookie the Node.js driver stores for connect-mongo
// with stringify: false, for express-session's default cookie options.
func expressCookie(originalMaxAge, expires any) bson.D {
	return bson.D{
		{Key: "originalMaxAge", Value: originalMaxAge},
		{Key: "partitioned", Value: nil},
		{Key: "priority", Value: nil},
		{Key: "expires", Value: expires},
		{Key: "secure", Value: nil},
		{Key: "httpOnly", Value: true},
		{Key: "domain", Value: nil},
		{Key: "path", Value: "/"},
		{Key: "sameSite", Value: nil},
	}
}
