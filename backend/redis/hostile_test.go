package redis_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
)

// A key of another type under the prefix is a corrupt session: an error
// matching ErrCorrupt, never a panic or "not found"; listings yield it and
// go on.
func TestWrongType(t *testing.T) {
	for _, owners := range []bool{false, true} {
		s, c, prefix := shared(t, redis.Options{Owners: owners})
		if err := c.HSet(ctx, prefix+"hash", "cookie", "{}").Err(); err != nil {
			t.Fatal(err)
		}
		if err := c.RPush(ctx, prefix+"list", "x").Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, backend.Record{ID: "good", Data: sessJSON(``), Expires: soon()}); err != nil {
			t.Fatal(err)
		}
		if _, found, err := s.Get(ctx, "hash"); !errors.Is(err, backend.ErrCorrupt) || found {
			t.Errorf("owners=%v: Get of a hash = found %v, %v; want ErrCorrupt", owners, found, err)
		}
		tok := mustGet(t, s, "good").Token
		if _, err := s.UpdateIf(ctx, backend.Record{ID: "hash", Data: sessJSON(``), Expires: soon(), Token: tok}); !errors.Is(err, backend.ErrCorrupt) {
			t.Errorf("owners=%v: UpdateIf of a hash = %v, want ErrCorrupt", owners, err)
		}
		if _, err := s.Create(ctx, backend.Record{ID: "hash", Data: sessJSON(``), Expires: soon()}); !errors.Is(err, backend.ErrExists) {
			t.Errorf("owners=%v: Create over a hash = %v, want ErrExists", owners, err)
		}
		var good, corrupt []string
		for rec, err := range s.All(ctx) {
			switch {
			case err == nil:
				good = append(good, rec.ID)
			case errors.Is(err, backend.ErrCorrupt):
				corrupt = append(corrupt, rec.ID)
			default:
				t.Fatalf("owners=%v: All: %v", owners, err)
			}
		}
		slices.Sort(corrupt)
		if !slices.Equal(good, []string{"good"}) || !slices.Equal(corrupt, []string{"hash", "list"}) {
			t.Errorf("owners=%v: All yielded %v and, corrupt, %v; want [good] and [hash list]", owners, good, corrupt)
		}
		if err := s.Destroy(ctx, "hash"); err != nil {
			t.Errorf("owners=%v: Destroy of a hash: %v", owners, err)
		}
	}
}

// Sessions of a megabyte, well past any buffer, go and come back whole.
func TestBigValue(t *testing.T) {
	for _, owners := range []bool{false, true} {
		s, _, _ := shared(t, redis.Options{Owners: owners})
		big := make([]byte, 1<<20)
		rand.Read(big)
		tok, err := s.Create(ctx, backend.Record{ID: "big", Data: big, Expires: soon()})
		if err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, s, "big"); !bytes.Equal(got.Data, big) {
			t.Fatalf("owners=%v: a 1 MiB session came back different", owners)
		}
		big[0]++
		if _, err := s.UpdateIf(ctx, backend.Record{ID: "big", Data: big, Expires: soon(), Token: tok}); err != nil {
			t.Fatalf("owners=%v: UpdateIf of 1 MiB: %v", owners, err)
		}
		if got := mustGet(t, s, "big"); !bytes.Equal(got.Data, big) {
			t.Fatalf("owners=%v: a 1 MiB UpdateIf came back different", owners)
		}
	}
}

// A prefix with glob characters lists its own keys only: SCAN's pattern is
// escaped.
func TestGlobPrefix(t *testing.T) {
	_, c, prefix := shared(t, redis.Options{})
	base := strings.TrimSuffix(prefix, "sess:")
	globby := base + `s*[?]\:`
	s, _, _ := shared(t, redis.Options{Prefix: globby})
	if _, err := s.Create(ctx, backend.Record{ID: "mine", Data: sessJSON(``), Expires: soon()}); err != nil {
		t.Fatal(err)
	}
	// Matched by the unescaped pattern s*[?]\:*, not by the prefix.
	decoy := base + `sXYZ?:decoy`
	if err := c.Set(ctx, decoy, "{}", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rec, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	if !slices.Equal(ids, []string{"mine"}) {
		t.Errorf("All = %q, want [mine]", ids)
	}
	if n, _ := s.Len(ctx); n != 1 {
		t.Errorf("Len = %d, want 1", n)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Exists(ctx, decoy).Val() != 1 {
		t.Error("Clear deleted a key outside the prefix")
	}
	if c.Exists(ctx, globby+"mine").Val() != 0 {
		t.Error("Clear left a session")
	}
}

// Sessions as connect-redis writes them read back as they are, with the
// key's TTL as Expires, including connect-redis's disableTTL keys.
func TestReadsConnectRedisSessions(t *testing.T) {
	s, c, prefix := shared(t, redis.Options{})
	exp := time.Now().Add(time.Hour)
	express := expressJSON(exp, "alice")
	before := time.Now()
	if err := c.Do(ctx, "SET", prefix+"Ab_PsnHI76MeZgr0kO7cYC1QvZXtwnno", express, "EX", 3600).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "SET", prefix+"forever", express).Err(); err != nil { // disableTTL: true
		t.Fatal(err)
	}
	got := mustGet(t, s, "Ab_PsnHI76MeZgr0kO7cYC1QvZXtwnno")
	if !bytes.Equal(got.Data, express) {
		t.Errorf("Data = %s, want %s", got.Data, express)
	}
	if got.Expires.Before(before.Add(3599*time.Second)) || got.Expires.After(time.Now().Add(3600*time.Second)) {
		t.Errorf("Expires = %v, want 3600 s after the SET", got.Expires)
	}
	if got := mustGet(t, s, "forever"); !got.Expires.IsZero() {
		t.Errorf("Expires of a key without TTL = %v, want zero", got.Expires)
	}
	// Touch gives the key without TTL one, as connect-redis's touch does.
	if err := s.Touch(ctx, "forever", exp, time.Time{}, backend.Token{}); err != nil {
		t.Fatal(err)
	}
	if ttl := c.TTL(ctx, prefix+"forever").Val(); ttl < 3599*time.Second {
		t.Errorf("TTL after Touch = %v", ttl)
	}
	n := 0
	for rec, err := range s.All(ctx) {
		if err != nil || !bytes.Equal(rec.Data, express) {
			t.Errorf("All yielded %q, %s, %v", rec.ID, rec.Data, err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("All yielded %d sessions, want 2", n)
	}
}

// With NoPrefix the key is the bare id (connect-redis's prefix: "").
func TestNoPrefix(t *testing.T) {
	s, _, c := private(t, redis.Options{NoPrefix: true, Owners: true, OwnersPrefix: "owners:"})
	if _, err := s.Create(ctx, backend.Record{ID: "abc", Data: []byte("v"), Expires: soon(), Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	if v := c.Get(ctx, "abc").Val(); v != "v" {
		t.Errorf("GET abc = %q, want the session", v)
	}
	// The owner keys share the keyspace, but are not sessions.
	var ids []string
	for rec, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	if !slices.Equal(ids, []string{"abc"}) {
		t.Errorf("All = %q, want [abc]", ids)
	}
	if n, err := s.Len(ctx); n != 1 || err != nil {
		t.Errorf("Len = %d, %v; want 1", n, err)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n := c.DBSize(ctx).Val(); n != 0 {
		t.Errorf("%d keys left after Clear", n)
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		opts redis.Options
		want string
	}{
		{redis.Options{}, "exactly one of"},
		{redis.Options{URL: "redis://x", Client: nil, Cluster: false, TTL: -1}, "TTL is negative"},
		{redis.Options{URL: "redis://x", NoPrefix: true, Prefix: "p:"}, "NoPrefix"},
		{redis.Options{URL: "redis://x", ScanCount: -1}, "ScanCount"},
		{redis.Options{URL: "redis://x", OwnersPrefix: "o:"}, "without Options.Owners"},
		{redis.Options{URL: "redis://x", Owners: true, OwnersPrefix: "o{x}:"}, "'{'"},
		{redis.Options{URL: "redis://x", Owners: true, OwnersPrefix: "sess:owners:"}, "overlap"},
		{redis.Options{URL: "redis://x", Prefix: "s", Owners: true}, "overlap"},
		{redis.Options{URL: "http://x"}, "scheme"},
		{redis.Options{URL: "redis://h:1?addr=h:2"}, "Options.Cluster"},
		{redis.Options{URL: "redis://user:hunter2@h:1/x%zz"}, "URL"},
	} {
		s, err := redis.New(tc.opts)
		if err == nil {
			s.Close()
			t.Errorf("New(%+v) succeeded, want an error about %s", tc.opts, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error about %s", tc.opts, err, tc.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("New's error shows the password: %v", err)
		}
	}
}
