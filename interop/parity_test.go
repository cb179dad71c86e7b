package interop

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
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
	Docs      string // the records' shapes
	Writes    string // what the step did to the records
}

func (o observation) String() string {
	var b strings.Builder
	v := reflect.ValueOf(o)
	for i := range v.NumField() {
		fmt.Fprintf(&b, "\n  %s: %v", v.Type().Field(i).Name, v.Field(i).Interface())
	}
	return b.String()
}

// docState is what a step may change in a record.
type docState struct {
	text    string
	version string
}

// runner plays the script on one side.
type runner struct {
	t      *testing.T
	s      *server
	place  place
	dec    decrypter
	format string
	b      *browser
	life   time.Duration // the lifetime of what a write stores
}

func (r *runner) snapshot() map[string]docState {
	out := map[string]docState{}
	for id, d := range r.place.all(r.t) {
		out[id] = docState{text: d.text, version: d.version}
	}
	return out
}

func keysOf(m map[string]any) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ",")
}

func (r *runner) play(st step) (observation, *response) {
	t := r.t
	t.Helper()
	time.Sleep(3 * time.Millisecond) // so that a touch always moves the expiry
	before := r.snapshot()
	jarBefore := idOf(r.b.cookie(r.s))
	start := time.Now()
	res := r.b.get(r.s, st.path)
	end := time.Now()
	records := r.place.all(t)

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
		b, _ := json.Marshal(res.data())
		o.Data = string(b)
	}

	var shapes []string
	var created, rewritten, touched, removed int
	for id, d := range records {
		sh := d.shape(t, r.dec, r.format)
		shapes = append(shapes, fmt.Sprintf("%s, expires in %v", sh, d.expires.Sub(end).Round(time.Minute)))
		b, ok := before[id]
		switch {
		case !ok:
			created++
		case d.text != b.text:
			rewritten++
		case d.version != b.version:
			touched++
		default:
			continue
		}
		wantExpiry(t, d.expires, start, end, r.life, fmt.Sprintf("%s, %s: a record written or touched", r.s.name, st.name))
	}
	for id := range before {
		if _, ok := records[id]; !ok {
			removed++
		}
	}
	slices.Sort(shapes)
	o.Docs = fmt.Sprintf("%d: %s", len(shapes), strings.Join(shapes, "; "))
	o.Writes = fmt.Sprintf("created %d, rewritten %d, touched %d, removed %d", created, rewritten, touched, removed)
	return o, res
}

// mongoOnly are the settings only connect-mongo has: a row using one runs
// on MongoDB only, as app.mjs ignores them with the other stores.
var mongoOnly = []string{"STRINGIFY", "TIMESTAMPS", "CRYPTO_SECRET", "CRYPTO_FORMAT", "TOUCH_AFTER_S"}

// rowsFor returns the rows that apply to store k.
func rowsFor(k storeKind) []row {
	var out []row
	for _, rw := range rows {
		applies := true
		for _, v := range mongoOnly {
			if _, ok := rw.env[v]; ok && k != mongoStore {
				applies = false
			}
		}
		if applies {
			out = append(out, rw)
		}
	}
	return out
}

// lifetime is how long a write on store k keeps a session under env: its
// cookie's max age, or for a browser-session cookie TTL_S, by default
// connect-mongo's 14 days and connect-redis's and connect-pg-simple's one.
func lifetime(t *testing.T, k storeKind, env map[string]string) time.Duration {
	t.Helper()
	parse := func(name string, unit time.Duration) time.Duration {
		n, err := strconv.ParseInt(env[name], 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", name, env[name], err)
		}
		return time.Duration(n) * unit
	}
	switch {
	case env["MAX_AGE_MS"] != "":
		return parse("MAX_AGE_MS", time.Millisecond)
	case env["TTL_S"] != "":
		return parse("TTL_S", time.Second)
	case k == mongoStore:
		return 14 * 24 * time.Hour
	}
	return 24 * time.Hour
}

// TestSameBehaviour runs one scenario on Express and on sesh, each on its
// own collection, key prefix or table of each store, under each
// configuration of rows that the store has, and compares what a user
// observes at each step: status, body, Set-Cookie and its attributes, the
// browser's cookie, the session shown, and the stored records (their
// fields and types, the session's form, the cookie's sub-fields, the
// session's keys in order, its JSON text but for the cookie's expiry date,
// the expiry to the minute, and whether the step created, rewrote,
// touched or removed them). Every record a step writes or touches must
// expire when Express's store makes it expire (to the second; see
// wantExpiry). Where sesh differs from Express on purpose (destroy clears
// the browser's cookie), the test checks the documented difference and
// compares the rest.
func TestSameBehaviour(t *testing.T) {
	requireNode(t)
	forEachStore(t, func(t *testing.T, k storeKind) {
		for _, rw := range rowsFor(k) {
			t.Run(rw.name, func(t *testing.T) {
				t.Parallel()
				sp := openSpace(t, k)
				pe, ps := sp.place(t, "express"), sp.place(t, "sesh")
				dec, format := newDecrypter(t, rw.env)
				exp := launch(t, Express, "express("+rw.name+")", merge(pe.env(), rw.env))
				ses := launch(t, Sesh, "sesh("+rw.name+")", merge(ps.env(), rw.env))
				exp.await(t)
				ses.await(t)
				life := lifetime(t, k, rw.env)
				re := &runner{t: t, s: exp, place: pe, dec: dec, format: format, b: newBrowserVia(t, rw.proxied), life: life}
				rs := &runner{t: t, s: ses, place: ps, dec: dec, format: format, b: newBrowserVia(t, rw.proxied), life: life}
				for i, st := range script {
					had := rs.b.cookie(ses) != ""
					oe, resE := re.play(st)
					os, resS := rs.play(st)
					what := fmt.Sprintf("step %d, %s (GET %s)", i+1, st.name, st.path)
					switch st.name {
					case "reserved key cookie", "reserved key id":
						if oe.Status != http.StatusBadRequest || os.Status != http.StatusBadRequest {
							t.Errorf("%s: want 400 on both sides:\n%s\n%s", what, resE, resS)
						}
					case "destroy":
						// Deliberate difference: sesh clears the browser's
						// cookie; express-session leaves the dead cookie there.
						if oe.SetCookie != "none" || oe.Jar != "unchanged" && had {
							t.Errorf("%s: express-session sends no Set-Cookie on destroy, and the browser keeps its cookie; express sent %s and the browser has %s", what, oe.SetCookie, oe.Jar)
						}
						c, _ := resS.sessionCookie()
						if had {
							if exp, err := http.ParseTime(c.attrs["expires"]); c.value != "" || err != nil || !exp.Before(time.Now()) || c.attrs["path"] != "/" || os.Jar != "no cookie" {
								t.Errorf("%s: sesh should clear the browser's cookie (empty value, Expires in the past, Path=/); it sent %s and the browser has %s", what, os.SetCookie, os.Jar)
							}
						} else if os.SetCookie != "none" {
							t.Errorf("%s: sesh sent %s, but the browser had no cookie to clear", what, os.SetCookie)
						}
						oe.SetCookie, os.SetCookie, oe.Jar, os.Jar = "", "", "", ""
					case "get after destroy":
						// The Express browser still sends the dead cookie, the
						// sesh browser none. Both show a new, empty session.
						for _, o := range []struct {
							o   observation
							res *response
						}{{oe, resE}, {os, resS}} {
							if o.o.Session == "the session of the cookie sent" {
								t.Errorf("%s: a destroyed session came back:\n%s", what, o.res)
							}
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
	})
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
