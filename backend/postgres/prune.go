package postgres

import (
	"context"
	"time"
)

// pruneTimeout bounds one removal of expired sessions when
// OperationTimeout is shorter: a table that was not pruned for a while can
// hold many rows to delete.
const pruneTimeout = time.Minute

// pruner removes expired sessions every PruneJitter(PruneInterval), from
// one goroutine: the next delay starts when a removal ends, so removals
// never overlap, however slow one is.
type pruner struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func startPruner(s *Store) *pruner {
	ctx, cancel := context.WithCancel(context.Background())
	p := &pruner{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for {
			delay := s.opts.PruneJitter(s.opts.PruneInterval)
			if delay <= 0 { // a broken PruneJitter must not spin
				delay = s.opts.PruneInterval
			}
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if n, err := s.Prune(ctx); err != nil {
				if ctx.Err() == nil {
					s.opts.Logger.Warn("postgres session store: removing expired sessions failed; trying again later", "table", s.names.table, "err", err)
				}
			} else if s.opts.onPrune != nil {
				s.opts.onPrune(n)
			}
		}
	}()
	return p
}

// stop ends the pruning, cancelling a removal in progress, and waits for
// the goroutine to return.
func (p *pruner) stop() {
	p.cancel()
	<-p.done
}

// Prune deletes the sessions that have expired and returns how many
// (connect-pg-simple's pruneSessions). The Store calls it every
// PruneInterval; call it yourself when that is off. It is bounded by
// OperationTimeout or one minute, whichever is longer.
func (s *Store) Prune(ctx context.Context) (int64, error) {
	timeout := s.opts.OperationTimeout
	if timeout > 0 && timeout < pruneTimeout {
		timeout = pruneTimeout
	}
	var n int64
	err := s.doWithin(ctx, "prune", timeout, func(ctx context.Context, q *queries) error {
		tag, err := s.pool.Exec(ctx, q.prune, nowEpoch(s.opts.now()))
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
