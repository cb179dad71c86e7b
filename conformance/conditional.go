package conformance

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/seshgo/sesh/backend"
)

func checkConditional(ctx context.Context, t *reporter, b backend.Backend) {
	cu := b.(backend.ConditionalUpdater)
	c, err := newChain(ctx, b, "cas")
	t.Require(err)
	t.Require(c.write("UpdateIf", cu.UpdateIf))

	// Another application, which knows nothing of Tokens, writes.
	other := session(`,"by":"another application"`)
	_, err = update(ctx, b, rec("cas", other, c.exp), "with the zero Token, as another application")
	t.Require(err)
	_, err = cu.UpdateIf(ctx, backend.Record{ID: "cas", Data: session(`,"by":"sesh"`), Expires: c.exp.Add(time.Hour), Token: c.tok})
	t.Expect(expect(`UpdateIf("cas") with a Token from before another writer's Update`, err, backend.ErrConflict),
		holds(ctx, b, "cas", other, c.exp, "after a refused UpdateIf"))

	// Two requests read the same version; the second to write loses.
	first, err := get(ctx, b, "cas")
	t.Require(err)
	second, err := get(ctx, b, "cas")
	t.Require(err)
	first.Data, second.Data = session(`,"by":"first"`), session(`,"by":"second"`)
	tok, err := cu.UpdateIf(ctx, first)
	if err != nil {
		t.Fatalf(`UpdateIf("cas") with the Token Get returned: %w`, err)
	}
	_, err = cu.UpdateIf(ctx, second)
	t.Expect(expect(`UpdateIf("cas") with a Token another UpdateIf used already`, err, backend.ErrConflict),
		holds(ctx, b, "cas", first.Data, c.exp, "after a refused UpdateIf"))

	// A record that is gone is not found, whatever the Token.
	t.Require(destroy(ctx, b, "cas"))
	expired, err := create(ctx, b, rec("expired", session(``), expired()))
	t.Require(err)
	for _, r := range []backend.Record{
		{ID: "cas", Data: session(`,"by":"late"`), Expires: c.exp, Token: tok},
		{ID: "expired", Data: session(`,"by":"late"`), Expires: c.exp, Token: expired},
		{ID: "never-stored", Data: session(`,"by":"late"`), Expires: c.exp},
	} {
		_, err = cu.UpdateIf(ctx, r)
		t.Expect(expect(fmt.Sprintf("UpdateIf(%q) of a record that is gone", r.ID), err, backend.ErrNotFound),
			absent(ctx, b, r.ID, "after an UpdateIf of a record that was gone"))
	}
}

func checkConditionalRace(ctx context.Context, t *reporter, b backend.Backend) {
	const racers, rounds = 12, 3
	cu := b.(backend.ConditionalUpdater)
	exp := inAnHour()
	tok, err := create(ctx, b, rec("race", session(``), exp))
	t.Require(err)
	data := func(round, i int) []byte { return session(fmt.Sprintf(`,"round":%d,"racer":%d`, round, i)) }
	type result struct {
		racer int
		tok   backend.Token
		err   error
	}
	for round := range rounds {
		results := make(chan result, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				next, err := cu.UpdateIf(ctx, backend.Record{ID: "race", Data: data(round, i), Expires: exp, Token: tok})
				results <- result{i, next, err}
			})
		}
		close(start)
		wg.Wait()
		close(results)
		wins, winner, failed := 0, 0, 0
		var failure error
		for r := range results {
			switch {
			case r.err == nil:
				wins, winner, tok = wins+1, r.racer, r.tok
			case !errors.Is(r.err, backend.ErrConflict):
				failed++
				failure = cmp.Or(failure, r.err)
			}
		}
		if failed > 0 {
			t.Fatalf("%d of %d concurrent UpdateIf calls with the same Token failed, the first with: %w; want success or an error matching backend.ErrConflict", failed, racers, failure)
		}
		if wins != 1 {
			t.Fatalf("%d of %d concurrent UpdateIf calls with the same Token succeeded (round %d), want exactly one", wins, racers, round)
		}
		t.Require(holds(ctx, b, "race", data(round, winner), exp, "after concurrent UpdateIf calls"))
	}
}
