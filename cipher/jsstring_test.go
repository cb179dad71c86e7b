package cipher

import (
	"encoding/json"
	"testing"
)

// JSON.stringify of each string, from Node 20.
var jsStringVectors = []struct{ in, want string }{
	{"plain", `"plain"`},
	{`q"uote`, `"q\"uote"`},
	{`back\slash`, `"back\\slash"`},
	{"\b\f\n\r\t", `"\b\f\n\r\t"`},
	{"\x00\x01\x1f\x7f", "\"\\u0000\\u0001\\u001f\x7f\""},
	{"<>&'", `"<>&'"`},
	{"\u2028\u2029", "\"\u2028\u2029\""},
	{"é€😀", `"é€😀"`},
	{"\u0080\u00a0", "\"\u0080\u00a0\""},
	{"/", `"/"`},
	{"", `""`},
}

func TestAppendJSString(t *testing.T) {
	for _, v := range jsStringVectors {
		got, err := appendJSString(nil, []byte(v.in))
		if err != nil {
			t.Errorf("%q: %v", v.in, err)
			continue
		}
		if string(got) != v.want {
			t.Errorf("appendJSString(%q) = %s, want %s", v.in, got, v.want)
		}
		if back := unwrapJSString(got); string(back) != v.in {
			t.Errorf("unwrapJSString(%s) = %q, want %q", got, back, v.in)
		}
		var s string
		if err := json.Unmarshal(got, &s); err != nil || s != v.in {
			t.Errorf("json.Unmarshal(%s) = %q, %v", got, s, err)
		}
	}
	for _, bad := range []string{"\xff", "a\xc3", "\xed\xa0\x80" /* encoded surrogate */} {
		if _, err := appendJSString(nil, []byte(bad)); err == nil {
			t.Errorf("appendJSString(%q) succeeded", bad)
		}
	}
}

func TestUnwrapJSString(t *testing.T) {
	for in, want := range map[string]string{
		`"a\u00e9\ud83d\ude00"`: "aé😀",
		`"\ud800"`:              "\ufffd", // lone surrogate
		`{"a":1}`:               `{"a":1}`,
		`"unterminated`:         `"unterminated`,
		`"a" "b"`:               `"a" "b"`,
		`"`:                     `"`,
		``:                      ``,
	} {
		if got := unwrapJSString([]byte(in)); string(got) != want {
			t.Errorf("unwrapJSString(%s) = %q, want %q", in, got, want)
		}
	}
}
