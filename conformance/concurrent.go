package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/seshgo/sesh/backend"
)

// checkConcurrent has workers write records of their own and records they
// share, with every method; run with -race, it also finds data races in
// the backend. The numbers are small, for slow backends.
func checkConcurrent(ctx context.Context, t *reporter, b backend.Backend) {
	const workers, rounds = 8, 16
	data := func(w, i int) []byte { return session(fmt.Sprintf(`,"w":%d,"i":%d`, w, i)) }
	written := make(map[string]bool) // every version any worker writes
	for w := range workers {
		for i := range rounds {
			written[string(data(w, i))] = true
		}
	}
	// Outcomes that another worker's Create, Destroy or expiry explains.
	raced := func(err error) bool {
		return err == nil || errors.Is(err, backend.ErrExists) || errors.Is(err, backend.ErrNotFound)
	}

	var wg sync.WaitGroup
	last := make([]time.Time, workers) // the expiry of each worker's last write
	for w := range workers {
		wg.Go(func() {
			own, shared := fmt.Sprintf("own-%d", w), fmt.Sprintf("shared-%d", w%3)
			for i := range rounds {
				exp := inAnHour()
				var err error
				if i == 0 {
					_, err = create(ctx, b, rec(own, data(w, i), exp))
				} else {
					_, err = update(ctx, b, rec(own, data(w, i), exp), "of the worker's own record")
				}
				if err != nil {
					t.Errorf("worker %d: %w", w, err)
					return
				}
				last[w] = exp
				if _, err := b.Create(ctx, rec(shared, data(w, i), exp)); !raced(err) {
					t.Errorf("worker %d: Create(%q): %w", w, shared, err)
				}
				if _, err := b.Update(ctx, rec(shared, data(w, i), exp)); !raced(err) {
					t.Errorf("worker %d: Update(%q): %w", w, shared, err)
				}
				r, found, err := b.Get(ctx, shared)
				switch {
				case err != nil:
					t.Errorf("worker %d: Get(%q): %w", w, shared, err)
				case found && !written[string(r.Data)]:
					t.Errorf("worker %d: Get(%q) returned %.80q, which no worker wrote", w, shared, r.Data)
				}
				if err := b.Touch(ctx, shared, exp, now(), r.Token); !raced(err) {
					t.Errorf("worker %d: Touch(%q): %w", w, shared, err)
				}
				if i%5 == 4 {
					if err := b.Destroy(ctx, shared); err != nil {
						t.Errorf("worker %d: Destroy(%q): %w", w, shared, err)
					}
				}
			}
		})
	}
	wg.Wait()
	for w := range workers {
		own := fmt.Sprintf("own-%d", w)
		t.Expect(holds(ctx, b, own, data(w, rounds-1), last[w], "of a worker's own record, after the workers are done"))
	}
}
