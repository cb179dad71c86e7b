package conformance

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seshgo/sesh/backend"
)

// The properties of Get's data and ids.

func checkGetMissing(ctx context.Context, t *reporter, b backend.Backend) {
	t.Expect(absent(ctx, b, "no-such-session", "of an id never stored"))
}

// roundTrip creates a record holding data under id, then checks that Get
// returns it as written.
func roundTrip(ctx context.Context, b backend.Backend, id string, data []byte) error {
	exp := inAnHour()
	if _, err := create(ctx, b, rec(id, data, exp)); err != nil {
		return err
	}
	return holds(ctx, b, id, data, exp, "after Create")
}

func checkRoundTrip(ctx context.Context, t *reporter, b backend.Backend) {
	data := session(`,"user":{"name":"ada","roles":["admin","dev"],"age":36,"ok":true,"none":null,"empty":{},"list":[],"nested":{"deep":[1,[2,{"x":3.5}]]}},"views":7`)
	t.Expect(roundTrip(ctx, b, "round-trip", data))
}

func checkUnicode(ctx context.Context, t *reporter, b backend.Backend) {
	// Text as JSON.stringify writes it: non-ASCII, U+2028 and HTML
	// characters raw, control characters escaped.
	data := session(`,"greeting":"héllo wörld — 你好 — 😀","rtl":"שלום","combining":"` + "e\u0301" +
		`","separators":"` + "\u2028\u2029" + `","html":"<a href=\"/x?a=1&b=2\">'</a>",` +
		`"escaped":"\u0000\u001f\b\f\n\r\t\"\\","ключ":"значение"`)
	t.Expect(roundTrip(ctx, b, "unicode", data))
}

func checkLargePayload(ctx context.Context, t *reporter, b backend.Backend) {
	blob := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	first := session(`,"blob":"` + blob + `"`)
	t.Require(roundTrip(ctx, b, "large", first))
	got, err := get(ctx, b, "large")
	t.Require(err)
	second := session(`,"blob":"` + strings.ToUpper(blob) + `"`)
	exp := inAnHour()
	_, err = update(ctx, b, backend.Record{ID: "large", Data: second, Expires: exp, Token: got.Token}, "with 1 MiB")
	t.Require(err)
	t.Expect(holds(ctx, b, "large", second, exp, "after an Update with 1 MiB"))
}

// verbatimIDs are stored as they are, however they look to a database.
var verbatimIDs = []string{
	"a", "A", "a ", "a.b", "$where", "$", "a$b", "x/y/../z", "/", "with space",
	"ünïcødé-😀", `{"$gt":""}`, "*", "a*", "?", "[a]", "%", "_", `a\b`,
	"'; DROP TABLE sessions; --", strings.Repeat("L", 200), "Hk6R-6sCDIHu9JuoOR0hh1DjIh5Zx2wF",
}

func checkIDsVerbatim(ctx context.Context, t *reporter, b backend.Backend) {
	data := func(i int) []byte { return session(fmt.Sprintf(`,"n":%d`, i)) }
	exp := inAnHour()
	for i, id := range verbatimIDs {
		_, err := create(ctx, b, rec(id, data(i), exp))
		t.Require(err)
	}
	for i, id := range verbatimIDs {
		t.Expect(holds(ctx, b, id, data(i), exp, "among ids that a database might confuse"))
	}
	for _, id := range []string{"a.", "A.B", "b", "aa", "ü", "a  "} {
		t.Expect(absent(ctx, b, id, "of an id never stored, among ids like it"))
	}
	t.Require(destroy(ctx, b, "a"))
	t.Expect(absent(ctx, b, "a", "after Destroy"))
	for i, id := range verbatimIDs[1:5] {
		t.Expect(holds(ctx, b, id, data(i+1), exp, `after Destroy("a")`))
	}
}

func checkOverwrite(ctx context.Context, t *reporter, b backend.Backend) {
	// The second write is shorter, for a backend that writes in place.
	tok, err := create(ctx, b, rec("ow", session(`,"v":"`+strings.Repeat("long", 100)+`"`), inAnHour()))
	t.Require(err)
	short, exp := session(`,"v":2`), now().Add(2*time.Hour)
	_, err = update(ctx, b, backend.Record{ID: "ow", Data: short, Expires: exp, Token: tok}, "of a record just created")
	t.Require(err)
	t.Expect(holds(ctx, b, "ow", short, exp, "after Update"))
}

func checkDestroyIdempotent(ctx context.Context, t *reporter, b backend.Backend) {
	t.Expect(destroy(ctx, b, "never-stored"))
	_, err := create(ctx, b, rec("d", session(``), inAnHour()))
	t.Require(err)
	t.Require(destroy(ctx, b, "d"))
	t.Expect(absent(ctx, b, "d", "after Destroy"))
	t.Expect(destroy(ctx, b, "d"))
}

func destroy(ctx context.Context, b backend.Backend, id string) error {
	if err := b.Destroy(ctx, id); err != nil {
		return fmt.Errorf("Destroy(%q): %w; want nil, whether or not a record is stored", id, err)
	}
	return nil
}

func checkNoAliasing(ctx context.Context, t *reporter, b backend.Backend) {
	scribble := func(p []byte) {
		for i := range p {
			p[i] = 'X'
		}
	}
	data, exp := session(`,"k":"original"`), inAnHour()
	in := bytes.Clone(data)
	tok, err := create(ctx, b, rec("alias", in, exp))
	t.Require(err)
	scribble(in)
	t.Expect(holds(ctx, b, "alias", data, exp, "after the caller changed the slice it passed to Create"))

	got, err := get(ctx, b, "alias")
	t.Require(err)
	scribble(got.Data)
	t.Expect(holds(ctx, b, "alias", data, exp, "after the caller changed the slice Get returned"))

	data = session(`,"k":"updated"`)
	in = bytes.Clone(data)
	_, err = update(ctx, b, backend.Record{ID: "alias", Data: in, Expires: exp, Token: tok}, "of a record just created")
	t.Require(err)
	scribble(in)
	t.Expect(holds(ctx, b, "alias", data, exp, "after the caller changed the slice it passed to Update"))

	if l, ok := b.(backend.Lister); ok {
		for r, err := range l.All(ctx) {
			if err != nil {
				t.Errorf("All: %w", err)
				break
			}
			scribble(r.Data)
		}
		t.Expect(holds(ctx, b, "alias", data, exp, "after the caller changed the slice All returned"))
	}
}
