package conformance

import (
	"context"
	"fmt"

	"github.com/seshgo/sesh/backend"
)

func checkOwnersIndex(ctx context.Context, t *reporter, b backend.Backend) {
	const ada, bob = "ada@example.com", "bob@example.com"
	exp := inAnHour()
	data := map[string][]byte{}
	toks := map[string]backend.Token{}
	for _, s := range []struct {
		id, owner string
		expired   bool
	}{
		{"a1", ada, false}, {"a2", ada, false}, {"b1", bob, false}, {"none", "", false},
		{"a-expired", ada, true}, {"a-destroyed", ada, false},
	} {
		r := rec(s.id, session(fmt.Sprintf(`,"id":%q`, s.id)), exp)
		if s.expired {
			r.Expires = expired()
		}
		r.Owner, r.Created = s.owner, now()
		tok, err := create(ctx, b, r)
		t.Require(err)
		data[s.id], toks[s.id] = r.Data, tok
	}
	t.Require(destroy(ctx, b, "a-destroyed"))

	o := b.(backend.Owners)
	owned := func(owner string, ids ...string) []error {
		want := map[string][]byte{}
		for _, id := range ids {
			want[id] = data[id]
		}
		what := fmt.Sprintf("Owned(%q)", owner)
		got, errs := collect(what, o.Owned(ctx, owner))
		return append(errs, sameRecords(what, got, want, exp)...)
	}
	t.Expect(owned(ada, "a1", "a2")...)
	t.Expect(owned(bob, "b1")...)
	t.Expect(owned("carol@example.com")...)

	// An Update moves a record to another owner, and a Destroy removes it.
	data["a2"] = session(`,"id":"a2","v":2`)
	r := rec("a2", data["a2"], exp)
	r.Owner, r.Token = bob, toks["a2"]
	_, err := update(ctx, b, r, "to another owner")
	t.Require(err)
	t.Expect(owned(ada, "a1")...)
	t.Expect(owned(bob, "b1", "a2")...)
	t.Require(destroy(ctx, b, "a1"))
	t.Expect(owned(ada)...)
}
