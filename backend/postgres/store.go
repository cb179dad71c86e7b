package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/seshgo/sesh/backend"
)

// Store is a backend.Backend that keeps sessions in connect-pg-simple's
// table. It implements backend.ConditionalUpdater, backend.Lister,
// backend.Counter, backend.Clearer, backend.Owners, backend.UsageChecker
// and io.Closer. It is safe for concurrent use.
type Store struct {
	opts  resolved
	pool  *pgxpool.Pool
	names names

	q     atomic.Pointer[queries] // set once the table is known
	setup chan struct{}           // one slot: held while setting up

	mu     sync.RWMutex // guards closed against the start of operations
	closed bool
	ops    sync.WaitGroup // operations in progress

	pruner *pruner

	closeOnce sync.Once
}

var (
	_ backend.Backend            = (*Store)(nil)
	_ backend.ConditionalUpdater = (*Store)(nil)
	_ backend.Lister             = (*Store)(nil)
	_ backend.Counter            = (*Store)(nil)
	_ backend.Clearer            = (*Store)(nil)
	_ backend.Owners             = (*Store)(nil)
	_ backend.UsageChecker       = (*Store)(nil)
)

// New returns a Store configured by opts. It does no I/O: the pool connects
// when the first operation needs it, and a server that cannot be reached
// makes operations fail (within OperationTimeout) until it is back, with no
// need to recreate the Store. The table is inspected (and created, with
// CreateTable) by the first operation. New starts the pruning of expired
// sessions; Close stops it.
func New(opts Options) (*Store, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	pool := r.Pool
	if r.owned {
		cfg, err := pgxpool.ParseConfig(r.URL)
		if err != nil {
			return nil, fmt.Errorf("postgres: Options.URL: %w", err)
		}
		if pool, err = pgxpool.NewWithConfig(context.Background(), cfg); err != nil {
			return nil, fmt.Errorf("postgres: creating the pool: %w", err)
		}
	}
	s := &Store{opts: r, pool: pool, names: newNames(r.Schema, r.Table), setup: make(chan struct{}, 1)}
	if r.PruneInterval > 0 {
		s.pruner = startPruner(s)
	}
	return s, nil
}

// ready returns the statements for the table, setting it up first if no
// operation has yet succeeded in doing so. One operation sets up at a time;
// the others wait for it, or for their context.
func (s *Store) ready(ctx context.Context) (*queries, error) {
	if q := s.q.Load(); q != nil {
		return q, nil
	}
	select {
	case s.setup <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.setup }()
	if q := s.q.Load(); q != nil {
		return q, nil
	}
	q, err := s.setupTable(ctx)
	if err != nil {
		return nil, err
	}
	s.q.Store(q)
	return q, nil
}

// do runs fn as operation op: it refuses to start after Close or with a
// done ctx, bounds the context by OperationTimeout, sets the table up, and
// wraps fn's error with op and the cause.
func (s *Store) do(ctx context.Context, op string, fn func(ctx context.Context, q *queries) error) error {
	return s.doWithin(ctx, op, s.opts.OperationTimeout, fn)
}

// doWithin is do with another bound than OperationTimeout.
func (s *Store) doWithin(ctx context.Context, op string, timeout time.Duration, fn func(ctx context.Context, q *queries) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("postgres: %s: %w", op, backend.ErrClosed)
	}
	s.ops.Add(1)
	s.mu.RUnlock()
	defer s.ops.Done()

	opCtx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		opCtx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	q, err := s.ready(opCtx)
	if err == nil {
		err = fn(opCtx, q)
	}
	if err != nil {
		return s.fail(ctx, opCtx, op, timeout, err)
	}
	return nil
}

// fail wraps err, the error of operation op, saying whether the caller's
// context or the operation's timeout ended it.
func (s *Store) fail(ctx, opCtx context.Context, op string, timeout time.Duration, err error) error {
	if isUndefined(err) {
		s.q.Store(nil) // the table changed under us: inspect it again next time
	}
	switch {
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		return fmt.Errorf("postgres: %s: %w: %w", op, ctx.Err(), err)
	case ctx.Err() == nil && opCtx.Err() != nil:
		return fmt.Errorf("postgres: %s: no reply within %v (Options.OperationTimeout): %w", op, timeout, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// isUndefined reports a missing table or column (42P01, 42703).
func isUndefined(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42P01" || pe.Code == "42703")
}

// CheckUsage implements backend.UsageChecker. Every use works: ciphertext
// and other codecs' text are stored as a JSON string (see the package
// documentation), and UpdateIf compares row versions. It does no I/O.
func (s *Store) CheckUsage(ctx context.Context, u backend.Usage) error { return nil }

// Close stops the pruning, waits for the operations in progress, and closes
// the pool if the Store created it from Options.URL; a pool passed in
// Options.Pool stays open. Later calls fail with an error matching
// backend.ErrClosed. Close is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		if s.pruner != nil {
			s.pruner.stop()
		}
		s.ops.Wait()
		if s.opts.owned {
			s.pool.Close()
		}
	})
	return nil
}
