package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/seshgo/sesh/backend"
)

// chain writes versions of one record, each with the Token that the write
// or read before it returned, as the middleware does from request to
// request.
type chain struct {
	ctx  context.Context
	b    backend.Backend
	id   string
	exp  time.Time
	data []byte
	tok  backend.Token
	from string // what returned tok
	n    int
}

func newChain(ctx context.Context, b backend.Backend, id string) (*chain, error) {
	c := &chain{ctx: ctx, b: b, id: id, exp: inAnHour(), data: session(`,"v":0`)}
	tok, err := create(ctx, b, rec(id, c.data, c.exp))
	c.tok, c.from = tok, "Create"
	return c, err
}

// write stores the next version with w, named how.
func (c *chain) write(how string, w func(context.Context, backend.Record) (backend.Token, error)) error {
	c.n++
	data := session(fmt.Sprintf(`,"v":%d`, c.n))
	tok, err := w(c.ctx, backend.Record{ID: c.id, Data: data, Expires: c.exp, Token: c.tok})
	if err != nil {
		return fmt.Errorf("%s(%q) with the Token %s returned: %w", how, c.id, c.from, err)
	}
	c.data, c.tok, c.from = data, tok, how
	return nil
}

func (c *chain) get() error {
	got, err := get(c.ctx, c.b, c.id)
	c.tok, c.from = got.Token, "Get"
	return err
}

// all takes the record's Token from All.
func (c *chain) all(l backend.Lister) error {
	for r, err := range l.All(c.ctx) {
		if err != nil {
			return fmt.Errorf("All: %w", err)
		}
		if r.ID == c.id {
			c.tok, c.from = r.Token, "All"
			return nil
		}
	}
	return fmt.Errorf("All did not yield %q", c.id)
}

func (c *chain) touch() error {
	return touch(c.ctx, c.b, c.id, c.exp, time.Time{}, c.tok, "with the Token "+c.from+" returned")
}

// holds checks that the record holds the last version written.
func (c *chain) holds() error {
	return holds(c.ctx, c.b, c.id, c.data, c.exp, "after writes each with the Token of the one before")
}

func checkTokenRoundTrip(ctx context.Context, t *reporter, b backend.Backend) {
	c, err := newChain(ctx, b, "plain")
	t.Require(err)
	t.Require(c.write("Update", b.Update))
	t.Require(c.write("Update", b.Update))
	t.Require(c.get())
	t.Require(c.write("Update", b.Update))
	t.Require(c.get())
	t.Require(c.touch())
	t.Expect(c.holds())

	cu, ok := b.(backend.ConditionalUpdater)
	if !ok {
		return
	}
	c, err = newChain(ctx, b, "conditional")
	t.Require(err)
	t.Require(c.write("UpdateIf", cu.UpdateIf))
	t.Require(c.write("UpdateIf", cu.UpdateIf))
	t.Require(c.write("Update", b.Update))
	t.Require(c.write("UpdateIf", cu.UpdateIf))
	t.Require(c.get())
	t.Require(c.write("UpdateIf", cu.UpdateIf))
	if l, ok := b.(backend.Lister); ok {
		t.Require(c.all(l))
		t.Require(c.write("UpdateIf", cu.UpdateIf))
	}
	t.Expect(c.holds())
}

func checkZeroToken(ctx context.Context, t *reporter, b backend.Backend) {
	v2, exp := session(`,"v":2`), inAnHour()
	_, err := create(ctx, b, rec("z", session(`,"v":1`), exp))
	t.Require(err)
	_, err = update(ctx, b, rec("z", v2, exp), "with the zero Token")
	t.Require(err)
	t.Require(touch(ctx, b, "z", exp, time.Time{}, backend.Token{}, "with the zero Token"))
	t.Expect(holds(ctx, b, "z", v2, exp, "after an Update and a Touch with the zero Token"))

	if cu, ok := b.(backend.ConditionalUpdater); ok {
		_, err = cu.UpdateIf(ctx, rec("z", session(`,"v":3`), exp))
		t.Expect(expect(`UpdateIf("z") of a stored record with the zero Token`, err, backend.ErrConflict),
			holds(ctx, b, "z", v2, exp, "after a refused UpdateIf with the zero Token"))
	}
}

func checkTokenIsolation(ctx context.Context, t *reporter, b backend.Backend) {
	exp := inAnHour()
	data := func(id string, v int) []byte { return session(fmt.Sprintf(`,"id":%q,"v":%d`, id, v)) }
	tokA, err := create(ctx, b, rec("A", data("A", 1), exp))
	t.Require(err)
	_, err = create(ctx, b, rec("B", data("B", 1), exp))
	t.Require(err)
	readB, err := get(ctx, b, "B")
	t.Require(err)
	_, err = update(ctx, b, backend.Record{ID: "A", Data: data("A", 2), Expires: exp, Token: tokA}, "with the Token Create returned")
	t.Require(err)

	// Writing A leaves B's Token as good as it was.
	cu, conditional := b.(backend.ConditionalUpdater)
	how, writeB := "Update", b.Update
	if conditional {
		how, writeB = "UpdateIf", cu.UpdateIf
	}
	if _, err = writeB(ctx, backend.Record{ID: "B", Data: data("B", 2), Expires: exp, Token: readB.Token}); err != nil {
		t.Fatalf(`%s("B") with the Token Get returned, after a write of another record: %w`, how, err)
	}

	// A's Token does not pass for B's, nor lead a write of B to A.
	readA, err := get(ctx, b, "A")
	t.Require(err)
	if conditional {
		_, err = cu.UpdateIf(ctx, backend.Record{ID: "B", Data: data("B", 3), Expires: exp, Token: readA.Token})
		t.Expect(expect(`UpdateIf("B") with A's Token`, err, backend.ErrConflict),
			holds(ctx, b, "B", data("B", 2), exp, "after an UpdateIf with A's Token was refused"))
	}
	_, _ = b.Update(ctx, backend.Record{ID: "B", Data: data("B", 4), Expires: exp, Token: readA.Token}) // either outcome: the Token is not B's
	t.Expect(holds(ctx, b, "A", data("A", 2), exp, `after writes of "B" with A's Token`))
	if conditional {
		_, err = cu.UpdateIf(ctx, backend.Record{ID: "A", Data: data("A", 3), Expires: exp, Token: readA.Token})
		if err != nil {
			t.Errorf(`UpdateIf("A") with the Token Get returned, after writes of another record: %w`, err)
		}
	}
}
