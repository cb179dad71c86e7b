package interop

import (
	"errors"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// hangTimeout is how long TestReservedKeys waits for an Express response
// that never comes.
const hangTimeout = 2 * time.Second

// TestReservedKeys checks what happens to session keys that belong to
// express-session's Session object (and connect-mongo's lastModified): a
// sesh session refuses them with 400, where Express accepts the request
// and then loses or hides the value, or never answers.
func TestReservedKeys(t *testing.T) {
	requireNode(t)
	onlyOn(t, mongoStore)
	t.Parallel()
	db := newDatabase(t)
	env := merge(db.env("sessions"), map[string]string{"MAX_AGE_MS": hourMS})
	exp := launch(t, Express, "express", env)
	ses := launch(t, Sesh, "sesh", env)
	exp.await(t)
	ses.await(t)
	coll := db.coll("sessions")

	setKey := func(t *testing.T, b *browser, s *server, k string) *response {
		t.Helper()
		return b.get(s, "/set?k="+url.QueryEscape(k)+"&v=x")
	}

	// Refused by the application on both sides.
	for _, k := range []string{"cookie", "id", "req"} {
		t.Run(k, func(t *testing.T) {
			for _, s := range []*server{exp, ses} {
				b := newBrowser(t)
				id := create(t, b, s, "a", "1")
				r := setKey(t, b, s, k)
				if r.status != http.StatusBadRequest || !strings.Contains(r.str("error"), k) {
					t.Errorf("want 400 naming the key: %s", r)
				}
				wantData(t, b.get(s, "/get"), id, map[string]any{"a": "1"}, s.name+" after refusing "+k)
			}
		})
	}

	// Express answers 200 and stores the value, but express-session's
	// Session methods shadow it when the session is loaded: it is lost.
	// sesh refuses the key (deliberate difference).
	for _, k := range []string{"save", "regenerate", "reload", "destroy"} {
		t.Run(k, func(t *testing.T) {
			b := newBrowser(t)
			id := create(t, b, exp, "a", "1")
			if r := setKey(t, b, exp, k); r.status != http.StatusOK {
				t.Errorf("express-session accepts the key %q: want 200, got %s", k, r)
			}
			wantData(t, b.get(exp, "/get"), id, map[string]any{"a": "1"}, "express after storing "+k+" (the value is silently lost)")

			b = newBrowser(t)
			id = create(t, b, ses, "a", "1")
			r := setKey(t, b, ses, k)
			if r.status != http.StatusBadRequest || !strings.Contains(r.str("error"), "reserved") {
				t.Errorf("sesh refuses the key %q: want 400 naming it reserved, got %s", k, r)
			}
			wantData(t, b.get(ses, "/get"), id, map[string]any{"a": "1"}, "sesh after refusing "+k)
			if doc := coll.mustDoc(t, id, "after the refusal"); strings.Contains(sessionField(doc), k) {
				t.Errorf("sesh refused %q but stored it: %s", k, doc)
			}
		})
	}

	// lastModified: with touchAfter off, Express stores it as any other
	// key; sesh refuses it, as connect-mongo owns it when touchAfter is on.
	t.Run("lastModified", func(t *testing.T) {
		b := newBrowser(t)
		create(t, b, exp, "a", "1")
		if r := setKey(t, b, exp, "lastModified"); r.status != http.StatusOK {
			t.Errorf("express: want 200, got %s", r)
		}
		if got := b.get(exp, "/get").session()["lastModified"]; got != "x" {
			t.Errorf("express with touchAfter off should keep lastModified as data, got %v", got)
		}
		b = newBrowser(t)
		create(t, b, ses, "a", "1")
		if r := setKey(t, b, ses, "lastModified"); r.status != http.StatusBadRequest {
			t.Errorf("sesh: want 400, got %s", r)
		}
	})

	// touch and resetMaxAge: express-session calls them while sending the
	// headers; a string there throws and Express never answers. sesh
	// refuses the key at once.
	for _, k := range []string{"touch", "resetMaxAge"} {
		t.Run(k, func(t *testing.T) {
			t.Parallel()
			b := newBrowser(t)
			create(t, b, exp, "a", "1")
			b.client.Timeout = hangTimeout
			req, _ := http.NewRequest(http.MethodGet, exp.url+"/set?k="+k+"&v=x", nil)
			res, err := b.client.Do(req)
			var ne net.Error
			switch {
			case err == nil:
				res.Body.Close()
				t.Errorf("express answered %d to storing %q; it used to hang (update this test and the report)", res.StatusCode, k)
			case !errors.As(err, &ne) || !ne.Timeout():
				t.Errorf("express failed storing %q with %v; want no answer within %v", k, err, hangTimeout)
			}

			b = newBrowser(t)
			id := create(t, b, ses, "a", "1")
			if r := setKey(t, b, ses, k); r.status != http.StatusBadRequest {
				t.Errorf("sesh: want 400, got %s", r)
			}
			wantData(t, b.get(ses, "/get"), id, map[string]any{"a": "1"}, "sesh after refusing "+k)
		})
	}

	// Keys of Object.prototype: express-session's Session copies a stored
	// key only if it is not already "in" the object, so it drops these when
	// it loads a session, and its next write loses them. sesh refuses them
	// with 400, as the other reserved keys.
	t.Run("Object.prototype keys", func(t *testing.T) {
		for _, k := range []string{"constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
			"toLocaleString", "toString", "valueOf", "__proto__", "__defineGetter__", "__defineSetter__",
			"__lookupGetter__", "__lookupSetter__"} {
			b := newBrowser(t)
			id := create(t, b, ses, "a", "1")
			if r := setKey(t, b, ses, k); r.status != http.StatusBadRequest {
				t.Errorf("sesh stored the key %q, which express-session drops when it loads the session: %s", k, r)
			}
			wantData(t, b.get(ses, "/get"), id, map[string]any{"a": "1"}, "sesh after refusing "+k)
		}
	})

	// A session in which Express stored a key its Session methods shadow:
	// both sides hide the value when they load the session.
	t.Run("stored by Express, read by both", func(t *testing.T) {
		b := newBrowser(t)
		id := create(t, b, exp, "a", "1")
		if r := setKey(t, b, exp, "regenerate"); r.status != http.StatusOK {
			t.Fatalf("express: %s", r)
		}
		stored := sessionField(coll.mustDoc(t, id, "stored by express"))
		if !strings.Contains(stored, "regenerate") {
			t.Fatalf("express was expected to store regenerate; the session is %s", stored)
		}
		re, rs := fetch(t, exp, "/get", b.header(exp)), fetch(t, ses, "/get", b.header(ses))
		for _, r := range []*response{re, rs} {
			if got, want := r.data(), map[string]any{"a": "1"}; !maps.Equal(got, want) {
				t.Errorf("%s shows %v for the stored session %s, want %v", r.server.name, got, stored, want)
			}
		}
	})
}
