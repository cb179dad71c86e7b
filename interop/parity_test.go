package interop

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// row is one configuration of TestSameBehaviour, applied to both sides.
type row struct {
	name    string
	env     map[string]string
	proxied bool // the browser is behind a TLS-terminating proxy
}

const hourMS = "3600000"

var rows = []row{
	{"defaults", map[string]string{}, false},
	{"maxAge", map[string]string{"MAX_AGE_MS": hourMS}, false},
	{"saveUninitialized", map[string]string{"SAVE_UNINITIALIZED": "true"}, false},
	{"saveUninitialized+maxAge+rolling", map[string]string{"SAVE_UNINITIALIZED": "true", "MAX_AGE_MS": hourMS, "ROLLING": "true"}, false},
	{"rolling browser-session cookie", map[string]string{"ROLLING": "true"}, false},
	{"resave+maxAge", map[string]string{"RESAVE": "true", "MAX_AGE_MS": hourMS}, false},
	{"resave+rolling+touchAfter", map[string]string{"RESAVE": "true", "ROLLING": "true", "TOUCH_AFTER_S": "3600", "MAX_AGE_MS": hourMS}, false},
	{"touchAfter+timestamps", map[string]string{"TOUCH_AFTER_S": "3600", "MAX_AGE_MS": hourMS, "TIMESTAMPS": "true"}, false},
	{"touchAfter browser-session cookie", map[string]string{"TOUCH_AFTER_S": "3600"}, false},
	{"stringify-off+timestamps+saveUninitialized", map[string]string{"STRINGIFY": "false", "TIMESTAMPS": "true", "SAVE_UNINITIALIZED": "true"}, false},
	{"stringify-off+maxAge+rolling", map[string]string{"STRINGIFY": "false", "MAX_AGE_MS": hourMS, "ROLLING": "true"}, false},
	{"webcrypto+maxAge+timestamps", map[string]string{"CRYPTO_SECRET": cryptoSecret, "MAX_AGE_MS": hourMS, "TIMESTAMPS": "true"}, false},
	{"webcrypto+stringify-off+saveUninitialized", map[string]string{"CRYPTO_SECRET": cryptoSecret, "STRINGIFY": "false", "SAVE_UNINITIALIZED": "true"}, false},
	{"kruptein+touchAfter+maxAge", map[string]string{"CRYPTO_SECRET": cryptoSecret, "CRYPTO_FORMAT": "kruptein", "TOUCH_AFTER_S": "3600", "MAX_AGE_MS": hourMS}, false},
	{"sameSite strict+maxAge", map[string]string{"SAME_SITE": "strict", "MAX_AGE_MS": hourMS}, false},
	{"sameSite lax+rolling", map[string]string{"SAME_SITE": "lax", "ROLLING": "true"}, false},
	{"secure cookie over plain HTTP", map[string]string{"COOKIE_SECURE": "true", "MAX_AGE_MS": hourMS}, false},
	{"cookie name+ttl", map[string]string{"COOKIE_NAME": "app.sid", "TTL_S": "600"}, false},
	{"auto secure and sameSite over plain HTTP", map[string]string{"COOKIE_SECURE": "auto", "SAME_SITE": "auto", "MAX_AGE_MS": hourMS}, false},
	{"auto secure and sameSite behind a TLS proxy", map[string]string{"COOKIE_SECURE": "auto", "SAME_SITE": "auto", "TRUST_PROXY": "true", "MAX_AGE_MS": hourMS}, true},
	{"secure+sameSite none+rolling behind a TLS proxy", map[string]string{"COOKIE_SECURE": "true", "SAME_SITE": "none", "TRUST_PROXY": "true", "ROLLING": "true"}, true},
}

// step is one request of the scenario.
type step struct {
	name string
	path string
}

var script = []step{
	{"first hit", "/noop"},
	{"set", "/set?k=a&v=1"},
	{"noop with cookie", "/noop"},
	{"get", "/get"},
	{"set same value", "/set?k=a&v=1"},
	{"set second key", "/set?k=b&v=2"},
	{"reserved key cookie", "/set?k=cookie&v=x"},
	{"reserved key id", "/set?k=id&v=x"},
	{"get again", "/get"},
	{"regenerate", "/regenerate"},
	{"get after regenerate", "/get"},
	{"destroy", "/destroy"},
	{"get after destroy", "/get"},
	{"set after destroy", "/set?k=c&v=3"},
}

// observation is what a user sees of one step: the response, the
// browser's cookie, and the database.
type observation struct {
	Status    int
	Body      string // the JSON body's keys
	SetCookie string // "none" or the Set-Cookie's shape
	Jar       string // the browser's cookie afterwards, relative to before
	Session   string // /get: whose session it shows
	Data      string // /get: the session's values
	Docs      string // the documents' shapes
	Writes    string // what the step did to the documents
}

func (o observation) String() string {
	var b strings.Builder
	v := reflect.ValueOf(o)
	for i := range v.NumField() {
		fmt.Fprintf(&b, "\n  %s: %v", v.Type().Field(i).Name, v.Field(i).Interface())
	}
	return b.String()
}

// docState is what a step may change in a document.
type docState struct {
	session string
	expires time.Time
}

// runner plays the script on one side.
type runner struct {
	t      *testing.T
	s      *server
	coll   *collection
	dec    decrypter
	format string
	b      *browser
	// lastData is the last /get's values, for the regenerate difference.
	lastData map[string]any
}

func (r *runner) snapshot() map[string]docState {
	out := map[string]docState{}
	for id, d := range r.coll.all(r.t) {
		out[id] = docState{session: sessionField(d), expires: dateField(r.t, d, "expires")}
	}
	return out
}

func keysOf(m map[string]any) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ",")
}

func (r *runner) play(st step) (observation, *response) {
	t := r.t
	t.Helper()
	time.Sleep(3 * time.Millisecond) // so that a touch always moves expires
	before := r.snapshot()
	jarBefore := idOf(r.b.cookie(r.s))
	res := r.b.get(r.s, st.path)
	after := r.snapshot()
	now := time.Now()

	o := observation{Status: res.status, Body: keysOf(res.body), SetCookie: "none"}
	if c, ok := res.sessionCookie(); ok {
		o.SetCookie = c.shape()
	}
	if len(res.setCookies) > 1 {
		o.SetCookie += fmt.Sprintf(" (+%d more)", len(res.setCookies)-1)
	}
	switch jarAfter := idOf(r.b.cookie(r.s)); {
	case jarAfter == "":
		o.Jar = "no cookie"
	case jarAfter == jarBefore:
		o.Jar = "unchanged"
	default:
		o.Jar = "cookie for another session"
	}
	if st.path == "/get" {
		switch id := res.str("id"); {
		case id == jarBefore:
			o.Session = "the session of the cookie sent"
		case jarBefore == "":
			o.Session = "a new session (no cookie sent)"
		default:
			o.Session = "a new session (cookie sent)"
		}
		data := res.data()
		b, _ := json.Marshal(data)
		o.Data = string(b)
		r.lastData = data
	}

	var shapes []string
	for _, d := range r.coll.all(t) {
		sh := shapeOf(t, d, r.dec, r.format)
		exp := dateField(t, d, "expires").Sub(now).Round(time.Minute)
		shapes = append(shapes, fmt.Sprintf("%s, expires in %v", sh, exp))
	}
	slices.Sort(shapes)
	o.Docs = fmt.Sprintf("%d: %s", len(shapes), strings.Join(shapes, "; "))

	var created, rewritten, touched, removed int
	for id, a := range after {
		b, ok := before[id]
		switch {
		case !ok:
			created++
		case a.session != b.session:
			rewritten++
		case !a.expires.Equal(b.expires):
			touched++
		}
	}
	for id := range before {
		if _, ok := after[id]; !ok {
			removed++
		}
	}
	o.Writes = fmt.Sprintf("created %d, rewritten %d, touched %d, removed %d", created, rewritten, touched, removed)
	return o, res
}

// TestSameBehaviour runs one scenario on Express and on sesh, each on its
// own collection, under each configuration of rows, and compares what a
// user observes at each step: status, body, Set-Cookie and its attributes,
// the browser's cookie, the session shown, and the stored documents (their
// fields and BSON types, the session field's form, the cookie's sub-fields,
// the expiry, and whether the step created, rewrote, touched or removed
// them). Where sesh differs from Express on purpose (regenerate keeps the
// data; destroy clears the cookie), the test checks the documented
// difference and compares the rest.
func TestSameBehaviour(t *testing.T) {
	requireNode(t)
	for _, rw := range rows {
		t.Run(rw.name, func(t *testing.T) {
			t.Parallel()
			db := newDatabase(t)
			dec, format := newDecrypter(t, rw.env)
			exp := launch(t, Express, "express("+rw.name+")", merge(db.env("express"), rw.env))
			ses := launch(t, Sesh, "sesh("+rw.name+")", merge(db.env("sesh"), rw.env))
			exp.await(t)
			ses.await(t)
			re := &runner{t: t, s: exp, coll: db.coll("express"), dec: dec, format: format, b: newBrowserVia(t, rw.proxied)}
			rs := &runner{t: t, s: ses, coll: db.coll("sesh"), dec: dec, format: format, b: newBrowserVia(t, rw.proxied)}
			var regenE, regenS string      // the ids regenerate gave
			var dataAtRegen map[string]any // what sesh keeps
			for i, st := range script {
				had := rs.b.cookie(ses) != ""
				dataBefore := rs.lastData
				oe, resE := re.play(st)
				os, resS := rs.play(st)
				what := fmt.Sprintf("step %d, %s (GET %s)", i+1, st.name, st.path)
				switch st.name {
				case "reserved key cookie", "reserved key id":
					if oe.Status != http.StatusBadRequest || os.Status != http.StatusBadRequest {
						t.Errorf("%s: want 400 on both sides:\n%s\n%s", what, resE, resS)
					}
				case "regenerate", "get after regenerate":
					// Deliberate difference: sesh's Regenerate keeps the data,
					// express-session's discards it.
					wantE := map[string]any{"regenerated": true}
					wantS := maps.Clone(dataBefore)
					if wantS == nil {
						wantS = map[string]any{}
					}
					wantS["regenerated"] = true
					if st.path == "/regenerate" {
						regenE, regenS = resE.str("id"), resS.str("id")
						dataAtRegen = wantS
					} else {
						wantS = dataAtRegen
					}
					docE, docS := valuesOf(t, re, regenE), valuesOf(t, rs, regenS)
					if (docE != nil || docS != nil) && (!reflect.DeepEqual(docE, wantE) || !reflect.DeepEqual(docS, wantS)) {
						t.Errorf("%s: after regenerate express should store only %v (data discarded) and sesh %v (data kept); they store express %v, sesh %v",
							what, wantE, wantS, docE, docS)
					}
					if st.path == "/get" {
						shown := resE.str("id") == regenE
						if shown != (resS.str("id") == regenS) {
							t.Errorf("%s: one side shows the regenerated session, the other does not:\n%s\n%s", what, resE, resS)
						}
						if shown && (!reflect.DeepEqual(resE.data(), wantE) || !reflect.DeepEqual(resS.data(), wantS)) {
							t.Errorf("%s: /get after regenerate should show express %v and sesh %v; it shows express %v, sesh %v",
								what, wantE, wantS, resE.data(), resS.data())
						}
						if shown {
							oe.Data, os.Data = "", ""
						}
					}
					oe.Docs, os.Docs = blankValues(oe.Docs), blankValues(os.Docs)
				case "destroy":
					// Deliberate difference: sesh replaces the destroyed session
					// with a new one at once; express-session leaves the request
					// without a session and the browser with the dead cookie.
					// The new session is empty, so sesh clears the browser's
					// cookie, unless saveUninitialized says to store it and send
					// its cookie (Express does that on the next request).
					saveUninit := rw.env["SAVE_UNINITIALIZED"] == "true"
					if oe.SetCookie != "none" || oe.Jar != "unchanged" && had {
						t.Errorf("%s: express-session sends no Set-Cookie on destroy, and the browser keeps its cookie; express sent %s and the browser has %s", what, oe.SetCookie, oe.Jar)
					}
					c, _ := resS.sessionCookie()
					switch {
					case saveUninit:
						if c.value == "" || os.Jar != "cookie for another session" || os.Writes != "created 1, rewritten 0, touched 0, removed 1" {
							t.Errorf("%s: with saveUninitialized, sesh should store a new empty session and send its cookie; it sent %s, the browser has %s, and the step %s",
								what, os.SetCookie, os.Jar, os.Writes)
						}
						oe.Writes, os.Writes, oe.Docs, os.Docs = "", "", "", ""
					case had:
						if exp, err := http.ParseTime(c.attrs["expires"]); c.value != "" || err != nil || !exp.Before(time.Now()) || c.attrs["path"] != "/" || os.Jar != "no cookie" {
							t.Errorf("%s: sesh should clear the browser's cookie (empty value, Expires in the past, Path=/); it sent %s and the browser has %s", what, os.SetCookie, os.Jar)
						}
					default:
						if os.SetCookie != "none" {
							t.Errorf("%s: sesh sent %s, but the browser had no cookie to clear", what, os.SetCookie)
						}
					}
					oe.SetCookie, os.SetCookie, oe.Jar, os.Jar = "", "", "", ""
				case "get after destroy":
					// The Express browser still sends the dead cookie; the sesh
					// browser sends none, or with saveUninitialized the cookie of
					// the session sesh created at destroy. Both show a new, empty
					// session.
					if oe.Session == "the session of the cookie sent" {
						t.Errorf("%s: a destroyed session came back:\n%s", what, resE)
					}
					if rw.env["SAVE_UNINITIALIZED"] == "true" {
						rolling := rw.env["ROLLING"] == "true"
						if os.Session != "the session of the cookie sent" || oe.SetCookie == "none" || (os.SetCookie != "none") != rolling {
							t.Errorf("%s: with saveUninitialized, express should create the new session now, and sesh show the one it created at destroy:\n%s\n%s", what, resE, resS)
						}
						oe.SetCookie, os.SetCookie, oe.Jar, os.Jar, oe.Writes, os.Writes = "", "", "", "", "", ""
					} else if os.Session == "the session of the cookie sent" {
						t.Errorf("%s: a destroyed session came back:\n%s", what, resS)
					}
					oe.Session, os.Session = "", ""
					if oe.Jar == "unchanged" && os.Jar == "no cookie" {
						oe.Jar, os.Jar = "", "" // the dead cookie, or none
					}
				}
				if diff := compare(oe, os); diff != "" {
					t.Errorf("%s: Express and sesh differ:\n%s\nexpress: %s\nsesh:    %s", what, diff, resE, resS)
				}
			}
		})
	}
}

// valuesOf returns the values stored for session id, nil if it is not
// stored.
func valuesOf(t *testing.T, r *runner, id string) map[string]any {
	t.Helper()
	d := r.coll.doc(t, id)
	if d == nil {
		return nil
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(shapeOf(t, d, r.dec, r.format).Values), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// blankValues removes the values from docs shapes.
func blankValues(docs string) string {
	var out []string
	for _, part := range strings.Split(docs, "; ") {
		if i := strings.Index(part, ", values "); i >= 0 {
			if j := strings.Index(part[i+1:], ", expires in"); j >= 0 {
				part = part[:i] + part[i+1+j:]
			}
		}
		out = append(out, part)
	}
	return strings.Join(out, "; ")
}

// compare lists the fields in which e and s differ.
func compare(e, s observation) string {
	var b strings.Builder
	ve, vs := reflect.ValueOf(e), reflect.ValueOf(s)
	for i := range ve.NumField() {
		fe, fs := ve.Field(i).Interface(), vs.Field(i).Interface()
		if !reflect.DeepEqual(fe, fs) {
			fmt.Fprintf(&b, "  %s:\n    express: %v\n    sesh:    %v\n", ve.Type().Field(i).Name, fe, fs)
		}
	}
	return b.String()
}
