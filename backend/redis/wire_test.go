package redis_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
)

// The commands each operation sends, recorded with MONITOR on a private
// server, against connect-redis 10's (express-stores.md, 1.4): same key,
// value verbatim, EX with ceil((expires − now) / 1 s), EXPIRE for touch,
// DEL for destroy and for a session that has expired.
func TestWireCommands(t *testing.T) {
	s, srv, c := private(t, redis.Options{})
	mon := srv.Monitor(t)
	hour := time.Now().Add(time.Hour - 5*time.Millisecond) // ceil → 3600
	data := expressJSON(hour, "alice")
	q := func(b []byte) string { return `"` + strings.ReplaceAll(string(b), `"`, `\"`) + `"` }

	steps := []struct {
		name string
		run  func() error
		want []string
	}{
		{"create", func() error {
			_, err := s.Create(ctx, backend.Record{ID: "a", Data: data, Expires: hour})
			return err
		}, []string{`SET sess:a ` + q(data) + ` EX 3600 NX`}},
		{"create of a browser-session cookie: connect-redis's ttl", func() error {
			_, err := s.Create(ctx, backend.Record{ID: "b", Data: []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}}`)})
			return err
		}, []string{`SET sess:b "{\"cookie\":{\"originalMaxAge\":null,\"expires\":null,\"httpOnly\":true,\"path\":\"/\"}}" EX 86400 NX`}},
		{"get", func() error {
			_, _, err := s.Get(ctx, "a")
			return err
		}, []string{`GET sess:a`, `PTTL sess:a`}},
		{"update, half a second into the next second: rounded up", func() error {
			_, err := s.Update(ctx, backend.Record{ID: "a", Data: data, Expires: time.Now().Add(time.Hour + 500*time.Millisecond)})
			return err
		}, []string{`SET sess:a ` + q(data) + ` EX 3601 XX`}},
		{"touch", func() error {
			return s.Touch(ctx, "a", hour, time.Time{}, backend.Token{})
		}, []string{`EXPIRE sess:a 3600`}},
		{"update of an expired session deletes it", func() error {
			_, err := s.Update(ctx, backend.Record{ID: "b", Data: data, Expires: time.Now().Add(-time.Second)})
			return err
		}, []string{`DEL sess:b`}},
		{"destroy", func() error { return s.Destroy(ctx, "a") }, []string{`DEL sess:a`}},
		{"touch with an expiry past: Redis deletes", func() error {
			if _, err := s.Create(ctx, backend.Record{ID: "c", Data: data, Expires: hour}); err != nil {
				return err
			}
			mon.Take(t)
			return s.Touch(ctx, "c", time.Now().Add(-1500*time.Millisecond), time.Time{}, backend.Token{})
		}, []string{`EXPIRE sess:c -1`}},
	}
	mon.Take(t)
	for _, st := range steps {
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := args(mon.Take(t))
		if !slices.Equal(got, st.want) {
			t.Errorf("%s sent\n\t%s\nwant\n\t%s", st.name, strings.Join(got, "\n\t"), strings.Join(st.want, "\n\t"))
		}
	}
	if n, _ := c.Exists(ctx, "sess:c").Result(); n != 0 {
		t.Error("sess:c exists after a touch with a past expiry")
	}
}

// The key that Create leaves is the one connect-redis's set leaves: a
// string holding the JSON verbatim, with TTL ceil((expires − now) / 1 s).
func TestKeyAsConnectRedisLeavesIt(t *testing.T) {
	s, c, prefix := shared(t, redis.Options{})
	exp := time.Now().Add(30*time.Minute + 200*time.Millisecond)
	data := expressJSON(exp, "bob")
	if _, err := s.Create(ctx, backend.Record{ID: "k", Data: data, Expires: exp}); err != nil {
		t.Fatal(err)
	}
	if typ := c.Type(ctx, prefix+"k").Val(); typ != "string" {
		t.Errorf("TYPE = %q, want string", typ)
	}
	if v := c.Get(ctx, prefix+"k").Val(); v != string(data) {
		t.Errorf("value = %s, want the JSON verbatim %s", v, data)
	}
	if ttl := c.TTL(ctx, prefix+"k").Val(); ttl != 1801*time.Second {
		t.Errorf("TTL = %v, want 1801 s (ceil of 1800.2)", ttl)
	}
	if _, err := s.Create(ctx, backend.Record{ID: "browser", Data: data}); err != nil {
		t.Fatal(err)
	}
	if ttl := c.TTL(ctx, prefix+"browser").Val(); ttl != 86400*time.Second {
		t.Errorf("TTL of a browser-session cookie = %v, want 86400 s", ttl)
	}
}

// A session that has expired is deleted by Update and UpdateIf, not
// written with a TTL Redis would refuse (connect-redis #292).
func TestExpiredWriteDeletes(t *testing.T) {
	for _, owners := range []bool{false, true} {
		s, c, prefix := shared(t, redis.Options{Owners: owners})
		past := time.Now().Add(-time.Second)
		tok, err := s.Create(ctx, backend.Record{ID: "x", Data: []byte(`{"cookie":{}}`), Expires: time.Now().Add(time.Hour), Owner: "o"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateIf(ctx, backend.Record{ID: "x", Data: []byte(`{}`), Expires: past, Token: tok}); err != nil {
			t.Fatalf("owners=%v: UpdateIf with a past expiry: %v", owners, err)
		}
		if n := c.Exists(ctx, prefix+"x").Val(); n != 0 {
			t.Errorf("owners=%v: the key survived UpdateIf with a past expiry", owners)
		}
		if _, err := s.Update(ctx, backend.Record{ID: "x", Data: []byte(`{}`), Expires: past}); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("owners=%v: Update of a deleted session with a past expiry: %v, want ErrNotFound", owners, err)
		}
		if _, err := s.Create(ctx, backend.Record{ID: "y", Data: []byte(`{}`), Expires: past}); err != nil {
			t.Errorf("owners=%v: Create with a past expiry: %v", owners, err)
		}
		if n := c.Exists(ctx, prefix+"y").Val(); n != 0 {
			t.Errorf("owners=%v: Create with a past expiry stored a key", owners)
		}
	}
}

// UpdateIf runs one script; the write inside it is connect-redis's SET.
func TestWireConditional(t *testing.T) {
	s, srv, _ := private(t, redis.Options{})
	mon := srv.Monitor(t)
	hour := time.Now().Add(time.Hour - 5*time.Millisecond)
	tok, err := s.Create(ctx, backend.Record{ID: "a", Data: []byte("v1"), Expires: hour})
	if err != nil {
		t.Fatal(err)
	}
	mon.Take(t)
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "a", Data: []byte("v2"), Expires: hour, Token: tok}); err != nil {
		t.Fatal(err)
	}
	got := args(mon.Take(t))
	// EVALSHA, then EVAL if the server did not have the script yet.
	if len(got) < 3 || !strings.HasPrefix(got[0], "EVALSHA ") && !strings.HasPrefix(got[0], "evalsha ") {
		t.Fatalf("UpdateIf sent %q, want EVALSHA and the script's commands", got)
	}
	lua := slices.DeleteFunc(slices.Clone(got), func(s string) bool { return !strings.HasPrefix(s, "lua: ") })
	want := []string{"lua: GET sess:a", "lua: SET sess:a v2 EX 3600"}
	if !slices.Equal(lua, want) {
		t.Errorf("the script ran %q, want %q", lua, want)
	}
}
