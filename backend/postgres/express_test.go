package postgres

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/seshgo/sesh/backend"
)

// express plays connect-pg-simple 10 on a pool: its statements, verbatim,
// with the parameters it computes.
type express struct {
	t     *testing.T
	pool  *pgxpool.Pool
	table string // quoted
}

// jsExpire is connect-pg-simple's #getExpireTime for a cookie with expires
// (an ISO string), or, for "", for a browser-session cookie with ttl 86400:
// epoch seconds.
func jsExpire(cookieExpires string, now time.Time) float64 {
	if cookieExpires == "" {
		return math.Ceil(float64(now.UnixMilli())/1000 + 86400)
	}
	tm, err := time.Parse(time.RFC3339Nano, cookieExpires)
	if err != nil {
		panic(err)
	}
	return math.Ceil(float64(tm.UnixMilli()) / 1000)
}

// set is connect-pg-simple's set.
func (e express) set(sid string, sess []byte, expire float64) {
	e.t.Helper()
	_, err := e.pool.Exec(ctxT(e.t), `INSERT INTO `+e.table+` (sess, expire, sid) SELECT $1, to_timestamp($2), $3 ON CONFLICT (sid) DO UPDATE SET sess=$1, expire=to_timestamp($2) RETURNING sid`,
		string(sess), expire, sid)
	if err != nil {
		e.t.Fatalf("connect-pg-simple set: %v", err)
	}
}

// touch is connect-pg-simple's touch.
func (e express) touch(sid string, expire float64) {
	e.t.Helper()
	if _, err := e.pool.Exec(ctxT(e.t), `UPDATE `+e.table+` SET expire = to_timestamp($1) WHERE sid = $2 RETURNING sid`, expire, sid); err != nil {
		e.t.Fatalf("connect-pg-simple touch: %v", err)
	}
}

// get is connect-pg-simple's get: the sess text, or nil when it finds no
// live row.
func (e express) get(sid string, now time.Time) []byte {
	e.t.Helper()
	rows, err := e.pool.Query(ctxT(e.t), `SELECT sess FROM `+e.table+` WHERE sid = $1 AND expire >= to_timestamp($2)`, sid, nowEpoch(now))
	if err != nil {
		e.t.Fatalf("connect-pg-simple get: %v", err)
	}
	defer rows.Close()
	var sess []byte
	for rows.Next() {
		if err := rows.Scan(&sess); err != nil {
			e.t.Fatal(err)
		}
	}
	return sess
}

func expressOn(t *testing.T, s *Store) express {
	return express{t: t, pool: admin(t), table: s.names.table}
}

// sesh writes the row connect-pg-simple writes for the same session: sess
// byte for byte, and expire by its formula, checked by the server.
func TestWritesExpressRow(t *testing.T) {
	s := newStore(t, Options{})
	e := expressOn(t, s)
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	cookie := exp.UTC().Format("2006-01-02T15:04:05.000Z")
	data := session(exp, `,"user":"alice"`)
	if _, err := s.Create(ctx, backend.Record{ID: "sesh", Data: data, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	e.set("express", data, jsExpire(cookie, time.Now()))

	var sessEqual, expireEqual, formula bool
	var text string
	err := e.pool.QueryRow(ctx, `SELECT a.sess::text, a.sess::text = b.sess::text, a.expire = b.expire,
			a.expire = to_timestamp(ceil(extract(epoch from (a.sess->'cookie'->>'expires')::timestamptz)))
		FROM `+e.table+` a, `+e.table+` b WHERE a.sid = 'sesh' AND b.sid = 'express'`).Scan(&text, &sessEqual, &expireEqual, &formula)
	if err != nil {
		t.Fatal(err)
	}
	if text != string(data) || !sessEqual {
		t.Errorf("sess = %s, want %s as connect-pg-simple writes it", text, data)
	}
	if !expireEqual || !formula {
		t.Errorf("expire differs from connect-pg-simple's (same row: %v, formula: %v)", expireEqual, formula)
	}

	// A browser-session cookie: now + ttl, rounded up.
	browser := []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"user":"bob"}`)
	before := time.Now()
	if _, err := s.Create(ctx, backend.Record{ID: "browser", Data: browser}); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	var inRange bool
	err = e.pool.QueryRow(ctx, `SELECT expire BETWEEN to_timestamp($1::double precision) AND to_timestamp($2::double precision) FROM `+e.table+` WHERE sid = 'browser'`,
		jsExpire("", before), jsExpire("", after)).Scan(&inRange)
	if err != nil || !inRange {
		t.Errorf("a browser-session row's expire is not connect-pg-simple's now + 86400 s (%v)", err)
	}
}

// Rows as connect-pg-simple writes them read back as they are, whatever
// their cookie says: the expire column alone decides, as in Express.
func TestReadsExpressRows(t *testing.T) {
	s := newStore(t, Options{})
	e := expressOn(t, s)
	now := time.Now()
	hour := now.Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	rows := []struct {
		sid, sess string
		expire    float64
		live      bool
	}{
		{"jitter", `{"cookie":{"originalMaxAge":3599999,"expires":"` + hour + `","httpOnly":true,"path":"/"},"user":"alice"}`, jsExpire(hour, now), true},
		{"browser", `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"user":"bob"}`, jsExpire("", now), true},
		{"samesite", `{"cookie":{"originalMaxAge":3600000,"expires":"` + hour + `","secure":true,"httpOnly":true,"path":"/","sameSite":"lax"},"n":1}`, jsExpire(hour, now), true},
		// Touched: the cookie in sess is stale, the column is not.
		{"touched", `{"cookie":{"originalMaxAge":60000,"expires":"2001-01-01T00:00:00.000Z","httpOnly":true,"path":"/"}}`, nowEpoch(now) + 600, true},
		// Expired by the column, although its cookie says otherwise.
		{"dead", `{"cookie":{"originalMaxAge":3600000,"expires":"` + hour + `","httpOnly":true,"path":"/"}}`, nowEpoch(now) - 5, false},
	}
	for _, r := range rows {
		e.set(r.sid, []byte(r.sess), r.expire)
	}
	for _, r := range rows {
		rec, ok, err := s.Get(ctxT(t), r.sid)
		if err != nil || ok != r.live {
			t.Fatalf("Get(%s) = found %v, %v; want found %v", r.sid, ok, err, r.live)
		}
		if !ok {
			continue
		}
		if string(rec.Data) != r.sess {
			t.Errorf("Get(%s) data = %s, want %s", r.sid, rec.Data, r.sess)
		}
		if want := time.Unix(int64(r.expire), 0); !rec.Expires.Equal(want) {
			t.Errorf("Get(%s) Expires = %v, want the column's %v", r.sid, rec.Expires, want)
		}
		if rec.Owner != "" || !rec.Created.IsZero() || !rec.Modified.IsZero() {
			t.Errorf("Get(%s) invented attributes: %+v", r.sid, rec)
		}
	}
}

// Express reads what sesh writes, and its touch and set keep sesh's owner
// and created columns, which it does not name.
func TestExpressKeepsSeshColumns(t *testing.T) {
	s := newStore(t, Options{})
	e := expressOn(t, s)
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	created := time.Now().Add(-time.Minute).Truncate(time.Microsecond)
	data := session(exp, `,"user":"carol"`)
	if _, err := s.Create(ctx, backend.Record{ID: "x", Data: data, Expires: exp, Owner: "carol", Created: created}); err != nil {
		t.Fatal(err)
	}
	if got := e.get("x", time.Now()); !bytes.Equal(got, data) {
		t.Fatalf("connect-pg-simple's get read %s, want %s", got, data)
	}
	e.touch("x", nowEpoch(time.Now())+7200)
	e.set("x", session(exp, `,"user":"carol","n":2`), jsExpire(exp.UTC().Format(time.RFC3339Nano), time.Now()))
	rec := mustGet(t, s, "x")
	if rec.Owner != "carol" || !rec.Created.Equal(created) {
		t.Fatalf("after Express's writes: owner %q created %v, want carol %v", rec.Owner, rec.Created, created)
	}
	if !bytes.Equal(rec.Data, session(exp, `,"user":"carol","n":2`)) {
		t.Fatalf("Express's write not read: %s", rec.Data)
	}
}
