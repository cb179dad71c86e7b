package conformance

import (
	"context"
	"io"
	"iter"
	"time"

	"github.com/seshgo/sesh/backend"
)

// The properties of calls that must not run: with a context that is done,
// or after Close.

func checkContextCancelled(ctx context.Context, t *reporter, b backend.Backend) {
	done, cancel := context.WithCancel(ctx)
	cancel()
	t.Expect(refuseDone(ctx, b, done, "a cancelled context")...)
}

func checkContextDeadline(ctx context.Context, t *reporter, b backend.Backend) {
	done, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	t.Expect(refuseDone(ctx, b, done, "a passed deadline")...)
}

// refuseDone calls every method with done, a context that is done, which
// the methods must return, and checks that the writes changed nothing.
func refuseDone(ctx context.Context, b backend.Backend, done context.Context, what string) []error {
	data, exp := session(`,"kept":true`), inAnHour()
	tok, err := create(ctx, b, rec("kept", data, exp))
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, c := range callEach(done, b, "kept", tok) {
		errs = append(errs, expect(c.method+" with "+what, c.err, done.Err()))
	}
	return append(errs,
		holds(ctx, b, "kept", data, exp, "after calls with "+what+", which must change nothing"),
		absent(ctx, b, "created", "after a Create with "+what))
}

func checkClose(ctx context.Context, t *reporter, b backend.Backend) {
	tok, err := create(ctx, b, rec("kept", session(``), inAnHour()))
	t.Require(err)
	c := b.(io.Closer)
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %w", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %w; want nil (Close is idempotent)", err)
	}
	for _, c := range callEach(ctx, b, "kept", tok) {
		t.Expect(expect(c.method+" after Close", c.err, backend.ErrClosed))
	}
}

// call is what one method returned.
type call struct {
	method string
	err    error
}

// callEach calls each method of b once with ctx, those of the optional
// interfaces b implements included: reads of the record stored under id,
// whose Token is tok, writes that would change it or create another
// ("created"), and, last, Destroy and Clear. It returns what each
// returned.
func callEach(ctx context.Context, b backend.Backend, id string, tok backend.Token) []call {
	changed, later := session(`,"changed":true`), inAnHour().Add(time.Hour)
	var calls []call
	add := func(method string, err error) { calls = append(calls, call{method, err}) }

	_, _, err := b.Get(ctx, id)
	add("Get", err)
	_, err = b.Create(ctx, rec("created", changed, later))
	add("Create", err)
	_, err = b.Update(ctx, backend.Record{ID: id, Data: changed, Expires: later, Token: tok})
	add("Update", err)
	add("Touch", b.Touch(ctx, id, later, now(), tok))
	if cu, ok := b.(backend.ConditionalUpdater); ok {
		_, err = cu.UpdateIf(ctx, backend.Record{ID: id, Data: changed, Expires: later, Token: tok})
		add("UpdateIf", err)
	}
	if l, ok := b.(backend.Lister); ok {
		add("All", firstError(l.All(ctx)))
	}
	if o, ok := b.(backend.Owners); ok {
		add("Owned", firstError(o.Owned(ctx, "ada@example.com")))
	}
	if c, ok := b.(backend.Counter); ok {
		_, err = c.Len(ctx)
		add("Len", err)
	}
	add("Destroy", b.Destroy(ctx, id))
	if c, ok := b.(backend.Clearer); ok {
		add("Clear", c.Clear(ctx))
	}
	return calls
}

// firstError returns the first error seq yields, or nil.
func firstError(seq iter.Seq2[backend.Record, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}
