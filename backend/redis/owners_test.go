package redis_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
)

func TestOwnersShared(t *testing.T) { testOwners(t, sharedOpener) }

func TestOwnedDeclinesWhenOff(t *testing.T) {
	s, _, _ := shared(t, redis.Options{})
	n := 0
	for _, err := range s.Owned(ctx, "alice") {
		n++
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("Owned with the index off yielded %v, want an error matching errors.ErrUnsupported", err)
		}
	}
	if n != 1 {
		t.Errorf("Owned yielded %d times, want one error", n)
	}
}

// ownedIDs returns the ids Owned yields, sorted, failing on errors.
func ownedIDs(t *testing.T, s *redis.Store, owner string) []string {
	t.Helper()
	var ids []string
	for rec, err := range s.Owned(ctx, owner) {
		if err != nil {
			t.Fatalf("Owned(%q): %v", owner, err)
		}
		if rec.Owner != owner {
			t.Errorf("Owned(%q) yielded %q owned by %q", owner, rec.ID, rec.Owner)
		}
		ids = append(ids, rec.ID)
	}
	slices.Sort(ids)
	return ids
}

func inIndex(t *testing.T, s *redis.Store, raw goredis.UniversalClient, owner, id string) bool {
	t.Helper()
	err := raw.ZScore(ctx, redis.IndexKey(s, owner), id).Err()
	if err != nil && err != goredis.Nil {
		t.Fatal(err)
	}
	return err == nil
}

func testOwners(t *testing.T, open opener) {
	t.Run("OwnedYieldsTheOwnersLiveSessions", func(t *testing.T) {
		t.Parallel()
		s, _, _ := open(t, redis.Options{Owners: true})
		var alice []string
		for i := range 20 {
			id := fmt.Sprintf("alice-%02d", i)
			alice = append(alice, id)
			created := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
			if _, err := s.Create(ctx, backend.Record{ID: id, Data: sessJSON(``), Expires: soon(), Owner: "alice", Created: created}); err != nil {
				t.Fatal(err)
			}
			if got := mustGet(t, s, id); got.Owner != "alice" || !got.Created.Equal(created) {
				t.Fatalf("Get(%q) = owner %q created %v, want alice, %v", id, got.Owner, got.Created, created)
			}
		}
		for _, id := range []string{"bob-1", "bob-2"} {
			if _, err := s.Create(ctx, backend.Record{ID: id, Data: sessJSON(``), Expires: soon(), Owner: "bob"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Create(ctx, backend.Record{ID: "nobody", Data: sessJSON(``), Expires: soon()}); err != nil {
			t.Fatal(err)
		}
		if got := ownedIDs(t, s, "alice"); !slices.Equal(got, alice) {
			t.Errorf("Owned(alice) = %v, want %v", got, alice)
		}
		if got := ownedIDs(t, s, "bob"); !slices.Equal(got, []string{"bob-1", "bob-2"}) {
			t.Errorf("Owned(bob) = %v", got)
		}
		if got := ownedIDs(t, s, "carol"); len(got) != 0 {
			t.Errorf("Owned(carol) = %v, want none", got)
		}
		// Created defaults to the time of Create, and survives an Update
		// that does not give one.
		got := mustGet(t, s, "bob-1")
		if time.Since(got.Created) > time.Minute || got.Created.IsZero() {
			t.Errorf("Created of a session created without one = %v, want about now", got.Created)
		}
		if _, err := s.Update(ctx, backend.Record{ID: "bob-1", Data: sessJSON(`,"v":2`), Expires: soon(), Owner: "bob"}); err != nil {
			t.Fatal(err)
		}
		if again := mustGet(t, s, "bob-1"); !again.Created.Equal(got.Created) {
			t.Errorf("Created after Update = %v, want %v kept", again.Created, got.Created)
		}
	})

	t.Run("OwnerChangeAndDestroy", func(t *testing.T) {
		t.Parallel()
		s, raw, _ := open(t, redis.Options{Owners: true})
		tok, err := s.Create(ctx, backend.Record{ID: "s", Data: sessJSON(``), Expires: soon()})
		if err != nil {
			t.Fatal(err)
		}
		// Signing in sets the owner.
		tok, err = s.UpdateIf(ctx, backend.Record{ID: "s", Data: sessJSON(`,"user":"alice"`), Expires: soon(), Owner: "alice", Token: tok})
		if err != nil {
			t.Fatal(err)
		}
		if got := ownedIDs(t, s, "alice"); !slices.Equal(got, []string{"s"}) {
			t.Fatalf("Owned(alice) after sign-in = %v", got)
		}
		if _, err := s.Update(ctx, backend.Record{ID: "s", Data: sessJSON(`,"user":"bob"`), Expires: soon(), Owner: "bob", Token: tok}); err != nil {
			t.Fatal(err)
		}
		if got := ownedIDs(t, s, "alice"); len(got) != 0 {
			t.Errorf("Owned(alice) after the owner changed to bob = %v", got)
		}
		if inIndex(t, s, raw, "alice", "s") {
			t.Error("the session is still in alice's index after it changed owner")
		}
		if got := ownedIDs(t, s, "bob"); !slices.Equal(got, []string{"s"}) {
			t.Errorf("Owned(bob) = %v", got)
		}
		if err := s.Destroy(ctx, "s"); err != nil {
			t.Fatal(err)
		}
		if inIndex(t, s, raw, "bob", "s") {
			t.Error("Destroy left the session in its owner's index")
		}
		if n := raw.Exists(ctx, redis.MetaKey(s, "s")).Val(); n != 0 {
			t.Error("Destroy left the companion hash")
		}
		if got := ownedIDs(t, s, "bob"); len(got) != 0 {
			t.Errorf("Owned(bob) after Destroy = %v", got)
		}
	})

	t.Run("ExpiryPrunes", func(t *testing.T) {
		t.Parallel()
		s, raw, _ := open(t, redis.Options{Owners: true})
		redis.SetClockSlack(s, 0)
		exp := time.Now().Add(time.Second)
		if _, err := s.Create(ctx, backend.Record{ID: "short", Data: sessJSON(``), Expires: exp, Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, backend.Record{ID: "long", Data: sessJSON(``), Expires: soon(), Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		if got := ownedIDs(t, s, "alice"); !slices.Equal(got, []string{"long", "short"}) {
			t.Fatalf("Owned(alice) = %v", got)
		}
		time.Sleep(time.Until(exp) + time.Second + 100*time.Millisecond)
		if got := ownedIDs(t, s, "alice"); !slices.Equal(got, []string{"long"}) {
			t.Errorf("Owned(alice) after a session expired = %v, want [long]", got)
		}
		if inIndex(t, s, raw, "alice", "short") {
			t.Error("Owned left the expired session in the index")
		}
		if n := raw.Exists(ctx, redis.MetaKey(s, "short")).Val(); n != 0 {
			t.Error("the companion hash outlived its session")
		}
		// The index lives as long as its longest-lived session.
		if ttl := raw.PTTL(ctx, redis.IndexKey(s, "alice")).Val(); ttl < 59*time.Minute || ttl > 61*time.Minute {
			t.Errorf("the index's TTL is %v, want about an hour, the session's", ttl)
		}
	})

	t.Run("ExpressWrites", func(t *testing.T) {
		t.Parallel()
		s, raw, prefix := open(t, redis.Options{Owners: true})
		for _, id := range []string{"rewritten", "deleted"} {
			if _, err := s.Create(ctx, backend.Record{ID: id, Data: sessJSON(``), Expires: soon(), Owner: "alice"}); err != nil {
				t.Fatal(err)
			}
		}
		// connect-redis's set and destroy.
		express := sessJSON(`,"cart":[1,2]`)
		if err := raw.Set(ctx, prefix+"rewritten", express, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		if err := raw.Del(ctx, prefix+"deleted").Err(); err != nil {
			t.Fatal(err)
		}
		got := mustGet(t, s, "rewritten")
		if got.Owner != "alice" || string(got.Data) != string(express) {
			t.Errorf("after Express rewrote it, Get = owner %q, data %s; want alice and Express's data", got.Owner, got.Data)
		}
		if ids := ownedIDs(t, s, "alice"); !slices.Equal(ids, []string{"rewritten"}) {
			t.Errorf("Owned(alice) after Express deleted one = %v, want [rewritten]", ids)
		}
		mustMiss(t, s, "deleted", "after Express deleted it")
	})

	t.Run("CorruptCompanion", func(t *testing.T) {
		t.Parallel()
		s, raw, _ := open(t, redis.Options{Owners: true})
		if _, err := s.Create(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: soon(), Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		if err := raw.Set(ctx, redis.MetaKey(s, "x"), "not a hash", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Get(ctx, "x"); !errors.Is(err, backend.ErrCorrupt) {
			t.Errorf("Get with a companion key of the wrong type = %v, want ErrCorrupt", err)
		}
		n := 0
		for rec, err := range s.Owned(ctx, "alice") {
			n++
			if !errors.Is(err, backend.ErrCorrupt) || rec.ID != "x" {
				t.Errorf("Owned yielded %q, %v; want x with ErrCorrupt", rec.ID, err)
			}
		}
		if n != 1 {
			t.Errorf("Owned yielded %d records, want 1", n)
		}
		if err := s.Destroy(ctx, "x"); err != nil {
			t.Errorf("Destroy of a session with a corrupt companion: %v", err)
		}
		if n := raw.Exists(ctx, redis.MetaKey(s, "x")).Val(); n != 0 {
			t.Error("Destroy left the corrupt companion key")
		}
	})

	t.Run("TouchExtendsOwnership", func(t *testing.T) {
		t.Parallel()
		s, raw, _ := open(t, redis.Options{Owners: true})
		if _, err := s.Create(ctx, backend.Record{ID: "t", Data: sessJSON(``), Expires: time.Now().Add(time.Minute), Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		// Touched with the zero Token: the owner comes from the store.
		if err := s.Touch(ctx, "t", time.Now().Add(3*time.Hour), time.Time{}, backend.Token{}); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{redis.MetaKey(s, "t"), redis.IndexKey(s, "alice")} {
			if ttl := raw.PTTL(ctx, key).Val(); ttl < 179*time.Minute {
				t.Errorf("TTL of %s after Touch = %v, want about 3 h, the session's", key, ttl)
			}
		}
	})
}
