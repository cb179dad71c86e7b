package interop

import (
	"net/http"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// near reports whether got is within tolerance of want.
func near(got, want time.Time, tolerance time.Duration) bool {
	d := got.Sub(want)
	return d > -tolerance && d < tolerance
}

// wantExpiry checks that an expiry written between before and after for
// a lifetime of d is what Express's stores write: now + d, on MongoDB to
// the millisecond, on Redis a TTL of ceil(d) seconds from the write, on
// PostgreSQL now + d rounded up to the second. So it lies between
// before + d and after + d + 1 s, give or take express-session's
// originalMaxAge jitter (up to 50 ms less; see maskJSON) and JavaScript's
// millisecond clock.
func wantExpiry(t *testing.T, got, before, after time.Time, d time.Duration, what string) {
	t.Helper()
	lo, hi := before.Add(d-50*time.Millisecond), after.Add(d+time.Second+time.Millisecond)
	if got.Before(lo) || got.After(hi) {
		t.Errorf("%s: the stored expiry is %v, want between %v and %v (now + %v, rounded up to the second at most)",
			what, got.Format(time.RFC3339Nano), lo.Format(time.RFC3339Nano), hi.Format(time.RFC3339Nano), d)
	}
}

// touch: an unmodified request on one side extends the expiry of a
// session the other side stored, exactly as the other's own touch would,
// without rewriting its data.
func (f *shared) touch(t *testing.T) {
	for _, p := range pairs(f.expOld, f.seshOld) {
		a, b := p[0], p[1]
		t.Run(string(a.side)+"-to-"+string(b.side), func(t *testing.T) {
			br := newBrowser(t)
			id := create(t, br, a, "k", "v")
			rec := mustGet(t, f.place, id, "created")
			// Ten minutes pass.
			early := rec.expires.Add(-10 * time.Minute)
			f.place.setExpiry(t, id, early)

			before := time.Now()
			r := br.get(b, "/noop")
			after := time.Now()
			wantStatus(t, r, http.StatusOK)
			if len(r.setCookies) != 0 {
				t.Errorf("%s sent a cookie for an unmodified session without rolling: %s", b.name, r)
			}
			touched := mustGet(t, f.place, id, "touched")
			wantExpiry(t, touched.expires, before, after, maxAge, b.name+" touching the session "+a.name+" stored (its expiry was "+early.Format(time.RFC3339)+")")
			if touched.text != rec.text {
				t.Errorf("%s rewrote the session on a touch:\nbefore %s\nafter  %s", b.name, rec.text, touched.text)
			}
		})
	}
}

// touchAfter: with TOUCH_AFTER_S on both sides, the lastModified either
// side writes gates the other's touches.
func (f *shared) touchAfter(t *testing.T) {
	for _, p := range pairs(f.expLazy, f.seshLzy) {
		x, y := p[0], p[1]
		t.Run(string(x.side)+"-to-"+string(y.side), func(t *testing.T) {
			br := newBrowser(t)
			id := create(t, br, x, "k", "v")
			doc := f.lazy.mustDoc(t, id, "created")
			lm, exp := dateField(t, doc, "lastModified"), dateField(t, doc, "expires")
			if lm.IsZero() {
				t.Fatalf("%s with touchAfter stored no lastModified: %s", x.name, doc)
			}
			gated := func(s *server, why string) {
				t.Helper()
				wantStatus(t, br.get(s, "/noop"), http.StatusOK)
				d := f.lazy.mustDoc(t, id, why)
				if l, e := dateField(t, d, "lastModified"), dateField(t, d, "expires"); !l.Equal(lm) || !e.Equal(exp) {
					t.Fatalf("%s: %s touched the session although its lastModified (%v) is recent: lastModified %v → %v, expires %v → %v",
						why, s.name, lm, lm, l, exp, e)
				}
			}
			touched := func(s *server, why string) {
				t.Helper()
				// An hour and ten minutes pass (expires is moved back by ten
				// minutes only, so that the session is still alive).
				lm, exp = lm.Add(-70*time.Minute), exp.Add(-10*time.Minute)
				f.lazy.set(t, id, bson.D{{Key: "lastModified", Value: lm}, {Key: "expires", Value: exp}})
				before := time.Now()
				wantStatus(t, br.get(s, "/noop"), http.StatusOK)
				d := f.lazy.mustDoc(t, id, why)
				l, e := dateField(t, d, "lastModified"), dateField(t, d, "expires")
				if !near(l, before, 5*time.Second) || !near(e, before.Add(maxAge), 5*time.Second) {
					t.Fatalf("%s: %s did not touch the session although its lastModified is over touchAfter old: lastModified %v → %v, expires %v → %v; want both about now (%v) and now + %v",
						why, s.name, lm, l, exp, e, before.UTC(), maxAge)
				}
				lm, exp = l, e
			}
			gated(y, "lastModified written by "+x.name+"'s save")
			touched(y, "lastModified an hour old")
			gated(x, "lastModified written by "+y.name+"'s touch")
			touched(x, "lastModified an hour old again")
			gated(y, "lastModified written by "+x.name+"'s touch")
			wantData(t, br.get(y, "/get"), id, map[string]any{"k": "v"}, "after the touches")
		})
	}
}

// expired: a stored session past its expiry is gone for both, even
// though the record is still there (MongoDB on FerretDB, which has no TTL
// indexes; PostgreSQL until the next prune); on Redis the key is gone.
func (f *shared) expired(t *testing.T) {
	for _, a := range []*server{f.expOld, f.seshOld} {
		br := newBrowser(t)
		id := create(t, br, a, "k", "v")
		f.place.setExpiry(t, id, time.Now().Add(-time.Second))
		for _, s := range []*server{f.expOld, f.seshOld} {
			wantFresh(t, br.get(s, "/get"), id, s.name+" given the cookie of an expired session "+a.name+" stored")
		}
	}
}

// destroy: a session destroyed on one side is gone on both; the old cookie
// then gets a fresh session everywhere. sesh's /destroy clears the
// browser's cookie, Express's does not (a deliberate difference).
func (f *shared) destroy(t *testing.T) {
	for _, p := range pairs(f.expOld, f.seshOld) {
		x, y := p[0], p[1]
		t.Run(string(x.side)+"-to-"+string(y.side), func(t *testing.T) {
			br := newBrowser(t)
			id := create(t, br, x, "k", "v")
			header := br.header(x)
			r := br.get(y, "/destroy")
			wantStatus(t, r, http.StatusOK)
			if r.str("id") != id || r.body["destroyed"] != true {
				t.Fatalf("%s did not destroy session %s: %s", y.name, id, r)
			}
			if rec := f.place.get(t, id); rec != nil {
				t.Fatalf("%s destroyed session %s but it is still stored: %s", y.name, id, rec.text)
			}
			c, sent := r.sessionCookie()
			switch y.side {
			case Express:
				if sent {
					t.Errorf("express-session sends no cookie on destroy, but %s sent %s", y.name, c.raw)
				}
				if br.cookie(x) == "" {
					t.Errorf("the browser lost its cookie although %s sent no Set-Cookie: %s", y.name, r)
				}
			case Sesh:
				// Deliberate difference: sesh clears the cookie.
				if !sent || c.value != "" || c.shape() != "connect.sid=<empty>; Expires=<past>; httponly; path=/" {
					t.Errorf("sesh clears the browser's cookie on destroy, but %s sent %v", y.name, r.setCookies)
				}
				if v := br.cookie(x); v != "" {
					t.Errorf("the browser still holds the cookie %s after %s cleared it", v, y.name)
				}
			}
			for _, s := range []*server{x, y} {
				wantFresh(t, fetch(t, s, "/get", header), id, s.name+" given the cookie of the session "+y.name+" destroyed")
			}
			if rec := f.place.get(t, id); rec != nil {
				t.Fatalf("session %s came back after it was destroyed: %s", id, rec.text)
			}
		})
	}
}
