package codec_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/codec"
)

// Documents express-session 1.19 wrote (research notes §1.3, §3.2, §4.2).
var expressDocuments = []string{
	`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}`,
	`{"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"views":1}`,
	`{"cookie":{"originalMaxAge":60000,"partitioned":true,"priority":"high","expires":"2026-11-23T13:27:04.152Z","secure":true,"httpOnly":true,"domain":"example.com","path":"/","sameSite":"lax"}}`,
	`{"cookie":{"originalMaxAge":3599997,"expires":"2026-11-23T14:00:00.000Z","httpOnly":true,"path":"/"},"user":{"name":"ada","tags":["a","b"]},"n":1.5,"ok":false,"nil":null}`,
}

func TestExpressDocumentsRoundTripByteForByte(t *testing.T) {
	for _, doc := range expressDocuments {
		p, err := codec.JSON.Decode([]byte(doc))
		if err != nil {
			t.Fatalf("Decode(%s): %v", doc, err)
		}
		out, err := codec.JSON.Encode(p)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		if string(out) != doc {
			t.Errorf("re-encoded differently\n got %s\nwant %s", out, doc)
		}
	}
}

func TestDecodeCookie(t *testing.T) {
	p, err := codec.JSON.Decode([]byte(expressDocuments[2]))
	if err != nil {
		t.Fatal(err)
	}
	want := codec.Cookie{
		OriginalMaxAge: time.Minute,
		Expires:        time.Date(2026, 11, 23, 13, 27, 4, 152e6, time.UTC),
		Partitioned:    true, Priority: "high", Secure: true, SecureSet: true, HTTPOnly: true,
		Domain: "example.com", Path: "/", SameSite: "lax",
	}
	if p.Cookie != want {
		t.Errorf("cookie = %+v\nwant %+v", p.Cookie, want)
	}
}

func TestDecodeOddButValidCookies(t *testing.T) {
	cases := map[string]func(codec.Cookie) bool{
		// express-session accepts sameSite: true for Strict.
		`{"cookie":{"sameSite":true}}`: func(c codec.Cookie) bool { return c.SameSite == "strict" },
		// A missing httpOnly means express-session's default, true.
		`{"cookie":{}}`: func(c codec.Cookie) bool { return c.HTTPOnly && !c.Persistent() },
		// connect-mongo with stringify off stores undefined fields as null.
		`{"cookie":{"domain":null,"secure":null,"expires":null}}`: func(c codec.Cookie) bool { return c.Domain == "" && !c.Secure && !c.SecureSet },
		// secure:'auto' over plain HTTP: an explicit false, written back.
		`{"cookie":{"secure":false}}`: func(c codec.Cookie) bool { return !c.Secure && c.SecureSet },
		`{"cookie":{"expires":"2030-01-01T00:00:00Z"}}`: func(c codec.Cookie) bool {
			return c.Expires.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		},
	}
	for doc, ok := range cases {
		p, err := codec.JSON.Decode([]byte(doc))
		if err != nil || !ok(p.Cookie) {
			t.Errorf("Decode(%s) = %+v, %v", doc, p, err)
		}
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, doc := range []string{
		``, `null`, `[]`, `"str"`, `{`, `{"views":1}`, // no cookie
		`{"cookie":"x"}`, `{"cookie":[]}`,
		`{"cookie":{"originalMaxAge":"60000"}}`,
		`{"cookie":{"expires":"tomorrow"}}`,
		`{"cookie":{"expires":true}}`,
		`{"cookie":{"httpOnly":"yes"}}`,
		`{"cookie":{"path":1}}`,
		`{"cookie":{"originalMaxAge":1e300}}`,
		`{"cookie":{}} trailing`,
	} {
		_, err := codec.JSON.Decode([]byte(doc))
		if !errors.Is(err, codec.ErrMalformed) {
			t.Errorf("Decode(%q) = %v, want an error matching ErrMalformed", doc, err)
		}
	}
}

func TestDuplicateKeysBehaveAsJSONParse(t *testing.T) {
	p, err := codec.JSON.Decode([]byte(`{"cookie":{},"a":1,"b":2,"a":3}`))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := codec.JSON.Encode(p)
	const want = `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true},"a":3,"b":2}`
	if string(out) != want {
		t.Errorf("got %s, want %s (first position, last value)", out, want)
	}
}

func TestArrayIndexKeysComeFirst(t *testing.T) {
	p := &codec.Payload{Cookie: codec.Cookie{HTTPOnly: true, Path: "/"}, Values: []codec.Value{
		{Key: "b", JSON: []byte(`1`)}, {Key: "10", JSON: []byte(`2`)}, {Key: "a", JSON: []byte(`3`)},
		{Key: "2", JSON: []byte(`4`)}, {Key: "01", JSON: []byte(`5`)},
	}}
	out, err := codec.JSON.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	// JSON.stringify of a session {cookie, b:1, 10:2, a:3, 2:4, "01":5}:
	// JavaScript enumerates array-index keys first, before the cookie.
	const want = `{"2":4,"10":2,"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"b":1,"a":3,"01":5}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestEncodeEscapesLikeJSONStringify(t *testing.T) {
	p := &codec.Payload{Values: []codec.Value{{Key: "<a href=\"x\">&\n\u0001", JSON: []byte(`0`)}}}
	out, _ := codec.JSON.Encode(p)
	const want = `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":false},"<a href=\"x\">&\n\u0001":0}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestEncodeRejectsReservedAndEmpty(t *testing.T) {
	if _, err := codec.JSON.Encode(&codec.Payload{Values: []codec.Value{{Key: "cookie", JSON: []byte(`1`)}}}); err == nil {
		t.Error("a value named cookie was encoded over the cookie")
	}
	if _, err := codec.JSON.Encode(&codec.Payload{Values: []codec.Value{{Key: "k"}}}); err == nil {
		t.Error("a value with no JSON text was encoded as invalid JSON")
	}
}

func FuzzDecode(f *testing.F) {
	for _, doc := range expressDocuments {
		f.Add([]byte(doc))
	}
	f.Add([]byte(`{"cookie":{"expires":1700000000000},"\u00e9":"\ud800"}`))
	f.Add([]byte(`{"cookie":{},"a":{"b":[1,2,{"c":"}"}]},"a":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := codec.JSON.Decode(data)
		if err != nil {
			if !errors.Is(err, codec.ErrMalformed) {
				t.Fatalf("Decode error %v does not match ErrMalformed", err)
			}
			return
		}
		out, err := codec.JSON.Encode(p)
		if err != nil {
			return // e.g. a value named cookie cannot be re-encoded
		}
		again, err := codec.JSON.Decode(out)
		if err != nil {
			t.Fatalf("re-decoding our own encoding %s: %v", out, err)
		}
		out2, _ := codec.JSON.Encode(again)
		if string(out) != string(out2) {
			t.Fatalf("encoding is not stable:\n%s\n%s", out, out2)
		}
	})
}

func ExampleJSON() {
	p, _ := codec.JSON.Decode([]byte(`{"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"views":1}`))
	fmt.Println(p.Cookie.Expires, p.Cookie.OriginalMaxAge)
	p.Values[0].JSON = []byte(`2`)
	out, _ := codec.JSON.Encode(p)
	fmt.Println(string(out))
	// Output:
	// 2026-11-23 13:25:38.959 +0000 UTC 1m0s
	// {"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"views":2}
}

func TestDecodeReadsKeysAsJSONParse(t *testing.T) {
	// JSON.parse unescapes keys before it uses them, and the last of
	// duplicate keys wins.
	cases := []struct {
		in       string
		path     string
		httpOnly bool
		values   string
	}{
		{`{"\u0063ookie":{"path":"/x"},"views":1}`, "/x", true, `views=1`},
		{`{"cookie":{"path":"/","\u0068ttpOnly":false}}`, "/", false, ``},
		{`{"cookie":{"path":"/a"},"cookie":{"path":"/b"}}`, "/b", true, ``},
		{`{"cookie":5,"v":1,"cookie":{"path":"/"}}`, "/", true, `v=1`},
		{`{"cookie":{"path":"/"},"\u0076":1,"v":2}`, "/", true, `v=2`},
		{`{"cookie":{"path":"/","path":"/last"}}`, "/last", true, ``},
	}
	for _, c := range cases {
		p, err := codec.JSON.Decode([]byte(c.in))
		if err != nil {
			t.Errorf("Decode(%s): %v", c.in, err)
			continue
		}
		var values []string
		for _, v := range p.Values {
			values = append(values, v.Key+"="+string(v.JSON))
		}
		if p.Cookie.Path != c.path || p.Cookie.HTTPOnly != c.httpOnly || strings.Join(values, ",") != c.values {
			t.Errorf("Decode(%s) = cookie path %q httpOnly %v, values %v; want %q %v %q", c.in, p.Cookie.Path, p.Cookie.HTTPOnly, values, c.path, c.httpOnly, c.values)
		}
		// What was decoded encodes again: no value under the reserved key.
		if _, err := codec.JSON.Encode(p); err != nil {
			t.Errorf("Encode after Decode(%s): %v", c.in, err)
		}
	}
}

func TestDatesReadAsTimeParse(t *testing.T) {
	// The allocation-free reading of Date.toJSON's form agrees with
	// time.Parse, and leaves every other form to it.
	for _, d := range []string{
		"2026-11-23T13:27:04.152Z", "2024-02-29T23:59:59.999Z", "0001-01-01T00:00:00.000Z",
		"2026-02-30T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-11-23T24:00:00.000Z",
		"2026-11-23T13:27:04Z", "2026-11-23T13:27:04.152+01:00", "2026-11-23T13:27:04.1524Z",
	} {
		want, werr := time.Parse(time.RFC3339Nano, d)
		p, err := codec.JSON.Decode([]byte(`{"cookie":{"expires":"` + d + `"}}`))
		if (err != nil) != (werr != nil) {
			t.Errorf("%s: Decode error %v, time.Parse error %v", d, err, werr)
			continue
		}
		if err == nil && !p.Cookie.Expires.Equal(want) {
			t.Errorf("%s: read %v, want %v", d, p.Cookie.Expires, want)
		}
	}
}
