package postgres

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// Tokens round-trip: what a write returns is what Get then returns, and
// UpdateIf accepts it.
func TestTokenRoundTrip(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	tok := mustCreate(t, s, "a", exp, "")
	if tok.IsZero() {
		t.Fatal("Create returned the zero Token")
	}
	rec := mustGet(t, s, "a")
	if rec.Token != tok {
		t.Fatalf("Get's Token %v, Create's %v", rec.Token, tok)
	}
	rec.Data = session(exp, `,"v":2`)
	tok2, err := s.UpdateIf(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if tok2 == tok {
		t.Fatal("UpdateIf returned the Token of the version it replaced")
	}
	rec.Token = tok2
	rec.Data = session(exp, `,"v":3`)
	if _, err := s.UpdateIf(ctx, rec); err != nil {
		t.Fatalf("UpdateIf with the Token of the previous UpdateIf: %v", err)
	}
}

// Any write since the read is a conflict, whoever made it: sesh, or an
// Express application through connect-pg-simple's set or touch.
func TestUpdateIfConflicts(t *testing.T) {
	s := newStore(t, Options{})
	e := expressOn(t, s)
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	writers := map[string]func(id string){
		"sesh update": func(id string) {
			if _, err := s.Update(ctx, backend.Record{ID: id, Data: session(exp, `,"by":"sesh"`), Expires: exp}); err != nil {
				t.Fatal(err)
			}
		},
		"sesh touch": func(id string) {
			if err := s.Touch(ctx, id, exp.Add(time.Hour), time.Time{}, backend.Token{}); err != nil {
				t.Fatal(err)
			}
		},
		"express set":   func(id string) { e.set(id, session(exp, `,"by":"express"`), nowEpoch(exp)) },
		"express touch": func(id string) { e.touch(id, nowEpoch(exp)+60) },
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			id := "c-" + name
			mustCreate(t, s, id, exp, "")
			rec := mustGet(t, s, id)
			write(id)
			after := mustGet(t, s, id)
			rec.Data = session(exp, `,"by":"updateif"`)
			if _, err := s.UpdateIf(ctx, rec); !errors.Is(err, backend.ErrConflict) {
				t.Fatalf("UpdateIf after a %s = %v, want ErrConflict", name, err)
			}
			if got := mustGet(t, s, id); string(got.Data) != string(after.Data) || !got.Expires.Equal(after.Expires) {
				t.Fatalf("a conflicting UpdateIf stored %s", got.Data)
			}
			rec.Token = after.Token // read again: the retry goes through
			if _, err := s.UpdateIf(ctx, rec); err != nil {
				t.Fatalf("UpdateIf after reading again: %v", err)
			}
		})
	}
}

func TestUpdateIfZeroForeignAndGone(t *testing.T) {
	s := newStore(t, Options{})
	ctx := ctxT(t)
	exp := time.Now().Add(time.Hour)
	mustCreate(t, s, "a", exp, "")
	rec := backend.Record{ID: "a", Data: session(exp, `,"v":2`), Expires: exp}
	if _, err := s.UpdateIf(ctx, rec); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("UpdateIf with the zero Token over a stored record = %v, want ErrConflict", err)
	}
	if _, err := s.UpdateIf(ctx, backend.Record{ID: "none", Data: []byte("{}"), Expires: exp}); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("UpdateIf with the zero Token and no record = %v, want ErrNotFound", err)
	}

	// Rows written by one transaction share their xmin: the Token of one
	// must still not vouch for the other.
	_, err := admin(t).Exec(ctx, `INSERT INTO `+s.names.table+` (sid, sess, expire) VALUES
		('twin1', '{}', to_timestamp($1::double precision)), ('twin2', '{}', to_timestamp($1::double precision))`, nowEpoch(exp))
	if err != nil {
		t.Fatal(err)
	}
	twin1, twin2 := mustGet(t, s, "twin1"), mustGet(t, s, "twin2")
	twin2.Token = twin1.Token
	if _, err := s.UpdateIf(ctx, twin2); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("UpdateIf with another record's Token = %v, want ErrConflict", err)
	}
	if _, err := s.Update(ctx, twin2); err != nil {
		t.Fatalf("Update ignores Tokens, even another record's: %v", err)
	}

	got := mustGet(t, s, "a")
	if err := s.Destroy(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateIf(ctx, got); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("UpdateIf of a destroyed record = %v, want ErrNotFound", err)
	}
	if n := rowCount(t, s); n != 2 {
		t.Fatalf("%d rows, want the twins", n)
	}
}

// Of many UpdateIf racing with one Token, exactly one wins.
func TestUpdateIfRace(t *testing.T) {
	s := newStore(t, Options{})
	exp := time.Now().Add(time.Hour)
	mustCreate(t, s, "r", exp, "")
	rec := mustGet(t, s, "r")
	var won, lost atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			r := rec
			r.Data = session(exp, `,"w":1`)
			_, err := s.UpdateIf(ctxT(t), r)
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, backend.ErrConflict):
				lost.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || lost.Load() != 7 {
		t.Fatalf("%d UpdateIf won and %d conflicted; want 1 and 7", won.Load(), lost.Load())
	}
}
