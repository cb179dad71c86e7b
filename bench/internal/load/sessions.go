package load

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Sessions creates n sessions by sending path(i), with no cookie, for i in
// [0, n), from concurrency workers, and returns the cookies (name=value)
// the server set, in the order of i. It fails if a request fails or sets
// no cookie.
func (g *Generator) Sessions(ctx context.Context, n, concurrency int, path func(i int) string) ([]string, error) {
	cookies := make([]string, n)
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := func(err error) {
		errOnce.Do(func() { first = err })
		cancel()
	}
	for range min(concurrency, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				status, cookie, err := g.Do(ctx, path(i), "")
				switch {
				case err != nil:
					fail(err)
				case status != 200:
					fail(fmt.Errorf("GET %s: status %d", path(i), status))
				case cookie == "":
					fail(fmt.Errorf("GET %s: no Set-Cookie in the response", path(i)))
				}
				cookies[i] = cookie
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, fmt.Errorf("creating sessions: %w", first)
	}
	return cookies, nil
}
