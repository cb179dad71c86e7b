package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
)

// Store is a backend.Backend on Redis, sharing sessions with connect-redis.
// It implements backend.ConditionalUpdater, Lister, Counter, Clearer and
// Owners (which declines unless Options.Owners is set), and io.Closer. It
// is safe for concurrent use.
type Store struct {
	c      goredis.UniversalClient
	owned  bool // c was created from Options.URL: Close closes it
	cfg    config
	closed atomic.Bool
}

var (
	_ backend.Backend            = (*Store)(nil)
	_ backend.ConditionalUpdater = (*Store)(nil)
	_ backend.Lister             = (*Store)(nil)
	_ backend.Counter            = (*Store)(nil)
	_ backend.Clearer            = (*Store)(nil)
	_ backend.Owners             = (*Store)(nil)
)

// New returns a Store. It checks the options but sends nothing to the
// server: a server that is down makes operations fail until it is back.
func New(opts Options) (*Store, error) {
	cfg, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	if cfg.owners {
		if _, ring := opts.Client.(*goredis.Ring); ring {
			// A Ring shards by a key's hash tag without regard to slots:
			// a session and its companion hash would land apart.
			return nil, errors.New("redis: Options.Owners needs a single server or a Redis Cluster, not a Ring")
		}
		slotTags() // built once, some ms of CPU, rather than in a request
	}
	s := &Store{c: opts.Client, cfg: cfg}
	if opts.URL != "" {
		if s.c, err = newClient(opts); err != nil {
			return nil, err
		}
		s.owned = true
	}
	return s, nil
}

// Close makes later calls fail with an error matching backend.ErrClosed
// and closes the client if the Store created it from Options.URL; a client
// passed in Options.Client stays open. Close is idempotent.
func (s *Store) Close() error {
	if s.closed.Swap(true) || !s.owned {
		return nil
	}
	if err := s.c.Close(); err != nil {
		return fmt.Errorf("redis: close: %w", err)
	}
	return nil
}

// key returns the key of session id: connect-redis's prefix + sid.
func (s *Store) key(id string) string { return s.cfg.prefix + id }

// metaKey returns the key of the hash holding the owner and creation time
// of the session stored under key. Its hash tag puts it in key's cluster
// slot, so that one script can write both; the key follows so that the
// name is unique and says whose it is.
func (s *Store) metaKey(key string) string {
	return s.cfg.ownersPrefix + "m:" + sameSlotTag(key) + key
}

// indexKey returns the key of the sorted set of owner's session ids.
func (s *Store) indexKey(owner string) string { return s.cfg.ownersPrefix + "o:" + owner }

// isOwnerKey reports whether key belongs to the owner index rather than
// holding a session, which only an empty Prefix makes possible.
func (s *Store) isOwnerKey(key string) bool {
	return s.cfg.owners && s.cfg.prefix == "" && strings.HasPrefix(key, s.cfg.ownersPrefix)
}

// begin starts operation op: it fails if the Store is closed or ctx done,
// and bounds ctx by the operation timeout. The caller must call the
// returned cancel function.
func (s *Store) begin(ctx context.Context, op string) (context.Context, context.CancelFunc, error) {
	if s.closed.Load() {
		return ctx, func() {}, fmt.Errorf("redis: %s: %w", op, backend.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return ctx, func() {}, fmt.Errorf("redis: %s: %w", op, err)
	}
	if s.cfg.timeout > 0 {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout)
		return ctx, cancel, nil
	}
	return ctx, func() {}, nil
}

// fail wraps err, the failure of operation op run with ctx, with the
// operation and with the backend error it amounts to.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	switch {
	case s.closed.Load() && errors.Is(err, goredis.ErrClosed):
		return fmt.Errorf("redis: %s: %w", op, backend.ErrClosed)
	case goredis.HasErrorPrefix(err, "WRONGTYPE"):
		return fmt.Errorf("redis: %s: %w (%w)", op, backend.ErrCorrupt, err)
	case strings.Contains(err.Error(), "exceeds maximum allowed size"),
		strings.Contains(err.Error(), "invalid bulk length"): // proto-max-bulk-len
		return fmt.Errorf("redis: %s: %w (%w)", op, backend.ErrTooLarge, err)
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		// go-redis reports a deadline reached on the socket as an I/O
		// timeout: say which deadline it was.
		return fmt.Errorf("redis: %s: %w (%w)", op, cerr, err)
	}
	return fmt.Errorf("redis: %s: %w", op, err)
}

// ttl returns connect-redis's TTL in seconds for a session expiring at
// expires: ceil((expires - now) / 1 s) on millisecond times, or the
// configured TTL for a zero expires. A result of 0 or less means the
// session has expired.
func (s *Store) ttl(expires, now time.Time) int64 {
	if expires.IsZero() {
		return s.cfg.ttl
	}
	ms := expires.UnixMilli() - now.UnixMilli()
	if ms <= 0 {
		return ms / 1000 // rounds towards zero: the ceiling
	}
	return (ms + 999) / 1000
}
