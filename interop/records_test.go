package interop

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// newSessions are sessions built alike on both sides, by /set requests
// in order, whose JSON a Go encoder could write otherwise than
// JSON.stringify.
var newSessions = []struct {
	name string
	kv   [][2]string
}{
	// Characters encoding/json escapes for HTML, control characters,
	// quotes and backslashes, non-ASCII letters and an astral-plane emoji.
	{"Strings", [][2]string{
		{"html", "<b>&amp;</b> 'q' \"dq\""},
		{"ctl", "tab\there\nnl\r\b\f\x01\x1f\x7f"},
		{"slashes", `back\slash / fwd`},
		{"clé", "h\u00e9llo w\u00f6rld \u65e5\u672c"},
		{"emoji", "\U0001F600"},
		{"empty", ""},
	}},
	// The line and paragraph separators, which encoding/json escapes and
	// JSON.stringify does not.
	{"LineSeparators", [][2]string{{"seps", "a\u2028b\u2029c"}}},
	// Keys that are array indexes, which JavaScript enumerates first, in
	// ascending order, before the cookie.
	{"ArrayIndexKeys", [][2]string{{"b", "x"}, {"10", "x"}, {"a", "x"}, {"2", "x"}}},
}

// textTyped are values of /setjson whose JSON JavaScript rewrites in its
// own form (number formats, an integer beyond 2^53 rounded, -0 written
// as 0); a session rewritten by sesh must keep Express's text. They go
// into JSON text only: FerretDB cannot store all of them as BSON.
var textTyped = []struct{ k, json string }{
	{"exp", `1e21`},
	{"small", `1e-7`},
	{"tenth", `0.1`},
	{"beyond", `9007199254740993`},
	{"negzero", `-0`},
	{"escaped", `"\u00e9\/\ud83d\ude00"`},
}

// sameRecords: a session built by the same requests on either side is
// stored the same: the same text (or BSON document) but for the cookie's
// expiry date, and the same expiry. And a session Express wrote with
// typed values, then changed by sesh, is stored as Express would have
// stored the same change.
func (f *shared) sameRecords(t *testing.T) {
	type written struct {
		rec           *stored
		before, after time.Time // around the last write
	}
	build := func(t *testing.T, s *server, steps func(b *browser)) written {
		t.Helper()
		b := newBrowser(t)
		id := create(t, b, s, "first", "1")
		before := time.Now()
		steps(b)
		return written{mustGet(t, f.place, id, s.name+" wrote it"), before, time.Now()}
	}
	same := func(t *testing.T, what string, e, s written, es, ss *server) {
		t.Helper()
		shE, shS := e.rec.shape(t, f.dec, f.format), s.rec.shape(t, f.dec, f.format)
		if shE != shS {
			t.Errorf("%s: the stored sessions differ:\n%s: %s\n%s: %s\nstored by %s: %s\nstored by %s: %s",
				what, es.name, shE, ss.name, shS, es.name, e.rec.text, ss.name, s.rec.text)
		}
		wantExpiry(t, e.rec.expires, e.before, e.after, maxAge, what+": "+es.name)
		wantExpiry(t, s.rec.expires, s.before, s.after, maxAge, what+": "+ss.name)
	}

	for _, ns := range newSessions {
		t.Run(ns.name, func(t *testing.T) {
			steps := func(s *server) func(b *browser) {
				return func(b *browser) {
					for _, kv := range ns.kv {
						wantStatus(t, b.get(s, "/set?k="+url.QueryEscape(kv[0])+"&v="+url.QueryEscape(kv[1])), http.StatusOK)
					}
				}
			}
			e := build(t, f.expOld, steps(f.expOld))
			s := build(t, f.seshOld, steps(f.seshOld))
			same(t, "a session built by the same requests", e, s, f.expOld, f.seshOld)
		})
	}

	t.Run("RewrittenTypedValues", func(t *testing.T) {
		typedSteps := func(b *browser) {
			for _, v := range typed {
				wantStatus(t, b.get(f.expOld, "/setjson?k="+v.key+"&v="+url.QueryEscape(v.json)), http.StatusOK)
			}
			if f.mode.session != "embedded document" {
				for _, v := range textTyped {
					wantStatus(t, b.get(f.expOld, "/setjson?k="+v.k+"&v="+url.QueryEscape(v.json)), http.StatusOK)
				}
			}
		}
		// Two sessions written alike by Express; then one is changed by
		// sesh, the other by Express.
		var recs [2]written
		for i, s := range []*server{f.expOld, f.seshOld} {
			b := newBrowser(t)
			id := create(t, b, f.expOld, "first", "1")
			typedSteps(b)
			before := time.Now()
			wantStatus(t, b.get(s, "/set?k=z&v=1"), http.StatusOK)
			recs[i] = written{mustGet(t, f.place, id, s.name+" changed it"), before, time.Now()}
		}
		same(t, "a session of typed values Express wrote, changed by each side", recs[0], recs[1], f.expOld, f.seshOld)
	})
}
