package conformance

import (
	"context"
	"time"

	"github.com/seshgo/sesh/backend"
)

// The properties of Create and Update on records that are, or are not,
// there.

func checkCreateExisting(ctx context.Context, t *reporter, b backend.Backend) {
	v1, v2, exp := session(`,"v":1`), session(`,"v":2`), inAnHour()
	_, err := create(ctx, b, rec("live", v1, exp))
	t.Require(err)
	_, err = b.Create(ctx, rec("live", v2, exp.Add(time.Hour)))
	t.Expect(expect(`Create("live") over a live record`, err, backend.ErrExists),
		holds(ctx, b, "live", v1, exp, "after a Create over it was refused"))

	_, err = create(ctx, b, rec("old", v1, expired()))
	t.Require(err)
	_, err = create(ctx, b, rec("old", v2, exp))
	t.Expect(err, holds(ctx, b, "old", v2, exp, "after a Create over an expired record"))

	t.Require(destroy(ctx, b, "live"))
	_, err = create(ctx, b, rec("live", v2, exp))
	t.Expect(err, holds(ctx, b, "live", v2, exp, "after a Create over a destroyed record"))
}

func checkUpdateMissing(ctx context.Context, t *reporter, b backend.Backend) {
	_, err := b.Update(ctx, rec("never-stored", session(``), inAnHour()))
	t.Expect(expect(`Update("never-stored")`, err, backend.ErrNotFound),
		absent(ctx, b, "never-stored", "after an Update of an id never stored"))

	tok, err := create(ctx, b, rec("expired", session(``), expired()))
	t.Require(err)
	_, err = b.Update(ctx, backend.Record{ID: "expired", Data: session(`,"v":2`), Expires: inAnHour(), Token: tok})
	t.Expect(expect(`Update("expired") of an expired record`, err, backend.ErrNotFound),
		absent(ctx, b, "expired", "after an Update of an expired record"))
}

// checkUpdateAfterDestroy: signing out always wins over a request that
// read the session before and writes it after.
func checkUpdateAfterDestroy(ctx context.Context, t *reporter, b backend.Backend) {
	_, err := create(ctx, b, rec("signed-out", session(`,"user":"ada"`), inAnHour()))
	t.Require(err)
	read, err := get(ctx, b, "signed-out")
	t.Require(err)
	t.Require(destroy(ctx, b, "signed-out"))
	read.Data = session(`,"user":"ada","views":2`)
	_, err = b.Update(ctx, read)
	t.Expect(expect(`Update("signed-out") with the Token read before Destroy`, err, backend.ErrNotFound),
		absent(ctx, b, "signed-out", "after Destroy and an Update with the Token read before it"))
}
