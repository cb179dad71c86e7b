package postgres

import (
	"net/url"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/internal/pgtest"
)

// zoneURL returns the shared server's URL with connections in zone
// (pgx sends unknown URL parameters as run-time parameters).
func zoneURL(t *testing.T, zone string) string {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Skipf("DATABASE_URL is not a URL (%v); the time-zone tests need one", err)
	}
	q := u.Query()
	q.Set("timezone", zone)
	u.RawQuery = q.Encode()
	return u.String()
}

// The rule: every application sharing the table uses one TimeZone. Under
// it, in any zone, sesh's rows are connect-pg-simple's, each reads the
// other's, and Expires comes back exact.
func TestTimeZoneSameOnBothSides(t *testing.T) {
	table := uniqueName("sesh_test_")
	dropTable(t, quoteIdent(table))
	for _, zone := range []string{"UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"} {
		t.Run(zone, func(t *testing.T) {
			u := zoneURL(t, zone)
			s := newStore(t, Options{URL: u, Table: table, CreateTable: true})
			e := express{t: t, pool: poolWith(t, u), table: s.names.table}
			var got string
			if err := e.pool.QueryRow(ctxT(t), "SHOW TimeZone").Scan(&got); err != nil || got != zone {
				t.Fatalf("connection TimeZone %q (%v), want %q", got, err, zone)
			}
			ctx := ctxT(t)
			exp := time.Now().Add(time.Hour)
			data := session(exp, `,"zone":"`+zone+`"`)
			if _, err := s.Create(ctx, backend.Record{ID: "sesh-" + zone, Data: data, Expires: exp}); err != nil {
				t.Fatal(err)
			}
			e.set("express-"+zone, data, jsExpire(exp.UTC().Format(time.RFC3339Nano), time.Now()))

			var same bool
			if err := e.pool.QueryRow(ctx, "SELECT a.expire = b.expire FROM "+e.table+" a, "+e.table+" b WHERE a.sid = $1 AND b.sid = $2",
				"sesh-"+zone, "express-"+zone).Scan(&same); err != nil || !same {
				t.Fatalf("sesh's expire differs from connect-pg-simple's in %s (%v)", zone, err)
			}
			if e.get("sesh-"+zone, time.Now()) == nil {
				t.Fatalf("connect-pg-simple in %s does not find sesh's session", zone)
			}
			for _, id := range []string{"sesh-" + zone, "express-" + zone} {
				if rec := mustGet(t, s, id); !rec.Expires.Equal(secondsUp(exp)) {
					t.Fatalf("Get(%s) in %s: Expires %v, want %v", id, zone, rec.Expires, secondsUp(exp))
				}
			}
			later := time.Now().Add(5 * time.Hour)
			if err := s.Touch(ctx, "express-"+zone, later, time.Time{}, backend.Token{}); err != nil {
				t.Fatal(err)
			}
			if rec := mustGet(t, s, "express-"+zone); !rec.Expires.Equal(secondsUp(later)) {
				t.Fatalf("after Touch in %s: Expires %v, want %v", zone, rec.Expires, secondsUp(later))
			}
			mustCreate(t, s, "past-"+zone, time.Now().Add(-2*time.Second), "")
			if _, ok, err := s.Get(ctx, "past-"+zone); ok || err != nil {
				t.Fatalf("a session expired 2 s ago is live in %s (%v)", zone, err)
			}
		})
	}
}

// The trap the rule avoids, shown: the naive expire is wall-clock time in
// the writer's zone, read in the reader's. A session written in New York
// and read in UTC is off by New York's offset (4 or 5 hours early: a
// one-hour session looks expired), and the reverse lives that much longer.
// sesh behaves here exactly as connect-pg-simple does.
func TestTimeZoneMismatchShiftsExpiry(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	table := uniqueName("sesh_test_")
	dropTable(t, quoteIdent(table))
	utc := newStore(t, Options{URL: zoneURL(t, "UTC"), Table: table, CreateTable: true})
	nyc := newStore(t, Options{URL: zoneURL(t, "America/New_York"), Table: table})
	exp := time.Now().Add(10 * time.Hour)
	_, offset := exp.In(ny).Zone()
	shift := time.Duration(offset) * time.Second // negative

	mustCreate(t, utc, "from-utc", exp, "")
	if got := mustGet(t, nyc, "from-utc").Expires; !got.Equal(secondsUp(exp).Add(-shift)) {
		t.Fatalf("UTC-written, read in New York: Expires %v, want %v (shifted by %v)", got, secondsUp(exp).Add(-shift), -shift)
	}
	mustCreate(t, nyc, "from-ny", exp, "")
	if got := mustGet(t, utc, "from-ny").Expires; !got.Equal(secondsUp(exp).Add(shift)) {
		t.Fatalf("New-York-written, read in UTC: Expires %v, want %v", got, secondsUp(exp).Add(shift))
	}
	mustCreate(t, nyc, "short", time.Now().Add(time.Hour), "")
	if _, ok, err := utc.Get(ctxT(t), "short"); ok || err != nil {
		t.Fatalf("a one-hour session written in New York is live in UTC (%v): the trap is gone? Update the documentation", err)
	}
}
