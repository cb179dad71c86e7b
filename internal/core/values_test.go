package core

import "testing"

func TestMarshalWritesLineSeparatorsAsJSONStringify(t *testing.T) {
	for in, want := range map[string]string{
		"a\u2028b\u2029c": "\"a\u2028b\u2029c\"",
		`back\u2028slash`: `"back\\u2028slash"`, // an escaped backslash, then text
		"<&>":             `"<&>"`,
	} {
		got, err := marshal(in)
		if err != nil || string(got) != want {
			t.Errorf("marshal(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
}
