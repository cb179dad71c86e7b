package mongo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/seshgo/sesh/backend"
)

// Field names of the stored document: connect-mongo's, and seshOwner,
// which only sesh writes and Express ignores.
const (
	fieldID           = "_id"
	fieldSession      = "session"
	fieldExpires      = "expires"
	fieldLastModified = "lastModified"
	fieldCreatedAt    = "createdAt"
	fieldUpdatedAt    = "updatedAt"
	fieldOwner        = "seshOwner"
)

// MaxDocumentSize is the largest document MongoDB stores, 16 MiB. Create
// and Update refuse a session whose document would be larger with an error
// matching backend.ErrTooLarge, before sending anything.
const MaxDocumentSize = 16 * 1024 * 1024

// Store is a backend.Backend that keeps sessions in a MongoDB collection,
// in connect-mongo's document format. It implements
// backend.ConditionalUpdater (on MongoDB; not on FerretDB), backend.Lister,
// backend.Counter, backend.Clearer, backend.Owners, backend.UsageChecker
// and io.Closer. It is safe for concurrent use.
type Store struct {
	opts   resolved
	conn   *conn
	events *events

	mu     sync.RWMutex // guards closed against the start of operations
	closed bool
	ops    sync.WaitGroup // operations in progress

	bgCtx    context.Context // cancelled by Close
	bgCancel context.CancelFunc
	bg       sync.WaitGroup // background work: maintain, the owner index

	closeOnce sync.Once
	closeErr  error

	ferretMu    sync.Mutex
	ferretKnown bool // ferret is set
	ferret      bool // the server is FerretDB

	ownerIndex sync.Once // starts the creation of the owner index

	// updateIfAnyServer lets tests run UpdateIf's logic on FerretDB, where
	// it holds as long as no other write races it.
	updateIfAnyServer bool

	// getWithLiveFilter makes Get filter out expired documents on the
	// server, with connect-mongo's $or, instead of checking the expiry
	// itself: the benchmark's alternative.
	getWithLiveFilter bool
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

// New returns a Store configured by opts. It does no I/O that depends on
// the server: with a URI, the driver connects in the background, and an
// unreachable server makes operations fail (within OperationTimeout) until
// it is back, with no need to recreate the Store. New starts the
// background work of opts.AutoRemove; Close stops it.
func New(opts Options) (*Store, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	var client *mongo.Client
	switch {
	case r.URI != "":
		client, err = mongo.Connect(options.Client().ApplyURI(r.URI), r.ClientOptions)
		if err != nil {
			return nil, fmt.Errorf("mongo: creating the client: %w", err)
		}
	case r.Client != nil:
		client = r.Client
	}
	s := &Store{opts: r}
	s.conn = newConn(&s.opts, client)
	s.events = newEvents(r.OnEvent, r.EventBuffer)
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	s.background(s.maintain)
	return s, nil
}

// background runs fn on a goroutine of its own, with a context that Close
// cancels before it waits for fn to return.
func (s *Store) background(fn func(ctx context.Context)) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		fn(s.bgCtx)
	}()
}

// DroppedEvents returns how many events were not delivered to
// Options.OnEvent because EventBuffer events were already waiting.
func (s *Store) DroppedEvents() uint64 { return s.events.droppedCount() }

// storedID returns the _id of the document of session id.
func (s *Store) storedID(id string) string {
	if s.opts.TransformID != nil {
		return s.opts.TransformID(id)
	}
	return id
}

// do runs fn as operation op on session id: it refuses to start after
// Close, bounds the context by OperationTimeout, resolves the collection,
// and wraps and reports fn's error.
func (s *Store) do(ctx context.Context, op, id string, fn func(ctx context.Context, coll *mongo.Collection) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mongo: %s: %w", op, err)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("mongo: %s: %w", op, backend.ErrClosed)
	}
	s.ops.Add(1)
	s.mu.RUnlock()
	defer s.ops.Done()

	opCtx := ctx
	if s.opts.OperationTimeout > 0 {
		var cancel context.CancelFunc
		opCtx, cancel = context.WithTimeout(ctx, s.opts.OperationTimeout)
		defer cancel()
	}
	coll, err := s.conn.collection(opCtx)
	if err == nil {
		err = fn(opCtx, coll)
	}
	if err != nil {
		return s.fail(ctx, opCtx, op, id, err)
	}
	return nil
}

// fail wraps err, the error of operation op, and reports it.
func (s *Store) fail(ctx, opCtx context.Context, op, id string, err error) error {
	switch {
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		err = fmt.Errorf("mongo: %s: %w: %w", op, ctx.Err(), err)
	case ctx.Err() == nil && opCtx != nil && opCtx.Err() != nil:
		err = fmt.Errorf("mongo: %s: no reply within Options.OperationTimeout (%v): %w", op, s.opts.OperationTimeout, err)
	default:
		err = fmt.Errorf("mongo: %s: %w", op, err)
	}
	if ctx.Err() == nil && !expected(err) {
		s.events.emit(Event{Kind: EventError, Op: op, ID: id, Err: err})
	}
	return err
}

// expected reports whether err is an outcome of the contract rather than a
// failure: no event reports it.
func expected(err error) bool {
	return errors.Is(err, backend.ErrNotFound) || errors.Is(err, backend.ErrConflict) || errors.Is(err, backend.ErrExists)
}

// failEarly reports an error found before any I/O.
func (s *Store) failEarly(op, id string, err error) error {
	return s.fail(context.Background(), nil, op, id, err)
}

// liveFilter matches documents whose expiry has not passed at now: with
// no expires field, or an expires date after now (connect-mongo's query).
func liveFilter(now time.Time) bson.E {
	return bson.E{Key: "$or", Value: bson.A{
		bson.D{{Key: fieldExpires, Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: fieldExpires, Value: bson.D{{Key: "$gt", Value: bson.NewDateTimeFromTime(now)}}}},
	}}
}

// errUnacknowledged is returned if a write was not acknowledged despite
// the Store's write concern (it should not happen).
var errUnacknowledged = errors.New("the server did not acknowledge the write (unacknowledged write concern)")

// Codes of write errors about the document itself.
var (
	invalidDocumentCodes = []int{
		2,   // BadValue: FerretDB's nested arrays, infinities, invalid UTF-8
		52,  // DollarPrefixedFieldName
		55,  // InvalidDBRef
		56,  // EmptyFieldName
		57,  // DottedFieldName
		121, // DocumentValidationFailure: a $jsonSchema validator on the collection
	}
	tooLargeCodes = []int{
		10334, // BSONObjectTooLarge
		17419, // the document after the update is too large
		17420,
	}
)

// sqlstateUntranslatableNUL is in the message of FerretDB's refusal, on
// PostgreSQL, of a string holding a NUL character.
const sqlstateUntranslatableNUL = "SQLSTATE 22P05"

// classifyWriteError wraps a server's refusal of the document written with
// backend.ErrInvalidData or backend.ErrTooLarge.
func classifyWriteError(err error) error {
	var se mongo.ServerError
	if errors.As(err, &se) && se.HasErrorMessage(sqlstateUntranslatableNUL) {
		return fmt.Errorf("%w: the server cannot store a NUL character (FerretDB on PostgreSQL): %w", backend.ErrInvalidData, err)
	}
	var we mongo.WriteException
	if !errors.As(err, &we) {
		return err
	}
	for _, w := range we.WriteErrors {
		for _, c := range tooLargeCodes {
			if w.Code == c {
				return fmt.Errorf("%w: the server refused the document: %w", backend.ErrTooLarge, err)
			}
		}
		for _, c := range invalidDocumentCodes {
			if w.Code == c {
				return fmt.Errorf("%w: the server refused the session: %w", backend.ErrInvalidData, err)
			}
		}
	}
	return err
}

// Destroy implements backend.Backend with deleteOne({_id}).
func (s *Store) Destroy(ctx context.Context, id string) error {
	sid := s.storedID(id)
	return s.do(ctx, "destroy", id, func(ctx context.Context, coll *mongo.Collection) error {
		res, err := coll.DeleteOne(ctx, bson.D{{Key: fieldID, Value: sid}})
		if err != nil {
			return err
		}
		if !res.Acknowledged {
			return errUnacknowledged
		}
		s.events.emit(Event{Kind: EventDestroy, ID: id})
		return nil
	})
}

// Len implements backend.Counter with countDocuments({}), as connect-mongo's
// length: it counts expired documents not yet removed.
func (s *Store) Len(ctx context.Context) (int, error) {
	var n int64
	err := s.do(ctx, "len", "", func(ctx context.Context, coll *mongo.Collection) error {
		var err error
		n, err = coll.CountDocuments(ctx, bson.D{})
		return err
	})
	return int(n), err
}

// Clear implements backend.Clearer with deleteMany({}), as connect-mongo 6:
// the collection and its indexes stay.
func (s *Store) Clear(ctx context.Context) error {
	return s.do(ctx, "clear", "", func(ctx context.Context, coll *mongo.Collection) error {
		res, err := coll.DeleteMany(ctx, bson.D{})
		var se mongo.ServerError
		if errors.As(err, &se) && se.HasErrorCode(codeNamespaceNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !res.Acknowledged {
			return errUnacknowledged
		}
		return nil
	})
}

// Close stops the Store's background work (TTL index creation, interval
// removal), waits for operations in progress, delivers the events still
// queued, and disconnects the client if the Store created it from
// Options.URI; a client from Options.Client or Options.Connect is left
// connected. Later operations return errors matching backend.ErrClosed.
// Close is idempotent and returns the result of the first call.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.bgCancel()
		s.ops.Wait()
		s.bg.Wait()
		s.events.close()
		if s.opts.owned {
			client, _ := s.conn.current()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := client.Disconnect(ctx); err != nil {
				s.closeErr = fmt.Errorf("mongo: close: %w", err)
			}
		}
	})
	return s.closeErr
}
