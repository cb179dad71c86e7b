package mongo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/seshgo/sesh/backend"
)

// Field names of the stored document, connect-mongo's, plus seshVersion.
const (
	fieldID           = "_id"
	fieldSession      = "session"
	fieldExpires      = "expires"
	fieldLastModified = "lastModified"
	fieldCreatedAt    = "createdAt"
	fieldUpdatedAt    = "updatedAt"
	fieldVersion      = "seshVersion"
)

// MaxDocumentSize is the largest document MongoDB stores, 16 MiB. Set and
// SetIf refuse a session whose document would be larger with an error
// matching backend.ErrTooLarge, before sending anything.
const MaxDocumentSize = 16 * 1024 * 1024

// Store is a backend.Backend that keeps sessions in a MongoDB collection,
// in connect-mongo's document format. It implements backend.Lister,
// backend.Counter, backend.Clearer, backend.ConditionalSetter and
// io.Closer. It is safe for concurrent use.
type Store struct {
	opts   resolved
	conn   *conn
	events *events

	mu     sync.RWMutex // guards closed against the start of operations
	closed bool
	ops    sync.WaitGroup // operations in progress

	bgCancel context.CancelFunc
	bgDone   chan struct{}

	closeOnce sync.Once
	closeErr  error

	ferretMu    sync.Mutex
	ferretKnown bool // ferret is set
	ferret      bool // the server is FerretDB

	// setIfAnyServer lets tests run SetIf's logic on FerretDB, where it
	// holds as long as no other write races it.
	setIfAnyServer bool

	// getWithLiveFilter makes Get filter out expired documents on the
	// server, with connect-mongo's $or, instead of checking the expiry
	// itself: the benchmark's alternative.
	getWithLiveFilter bool
}

var (
	_ backend.Backend           = (*Store)(nil)
	_ backend.Lister            = (*Store)(nil)
	_ backend.Counter           = (*Store)(nil)
	_ backend.Clearer           = (*Store)(nil)
	_ backend.ConditionalSetter = (*Store)(nil)
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
	s := &Store{opts: r, bgDone: make(chan struct{})}
	s.conn = newConn(&s.opts, client)
	s.events = newEvents(r.OnEvent, r.EventBuffer)
	var bg context.Context
	bg, s.bgCancel = context.WithCancel(context.Background())
	go s.maintain(bg)
	return s, nil
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
	if ctx.Err() == nil && !errors.Is(err, backend.ErrNotFound) && !errors.Is(err, backend.ErrConflict) {
		s.events.emit(Event{Kind: EventError, Op: op, ID: id, Err: err})
	}
	return err
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

// classifyWriteError wraps a server's refusal of the document written with
// backend.ErrInvalidData or backend.ErrTooLarge.
func classifyWriteError(err error) error {
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

// Get implements backend.Backend. It reads the document by _id and checks
// its expiry on the application's clock: a document whose expires is
// past, or not a date, is reported as missing; one without expires is
// live (as in connect-mongo). A session field that cannot be read (a
// wrong key, malformed data) is an error matching backend.ErrCorrupt.
func (s *Store) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	var (
		rec   backend.Record
		found bool
	)
	err := s.do(ctx, "get", id, func(ctx context.Context, coll *mongo.Collection) error {
		filter := bson.D{{Key: fieldID, Value: s.storedID(id)}}
		if s.getWithLiveFilter {
			filter = append(filter, liveFilter(time.Now()))
		}
		raw, err := coll.FindOne(ctx, filter).Raw()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		}
		if err != nil {
			return err
		}
		rec, found, err = s.decode(raw, time.Now())
		return err
	})
	if err != nil || !found {
		return backend.Record{}, false, err
	}
	rec.ID = id
	return rec, true, nil
}

// decode reads a stored document. found is false for an expired one.
func (s *Store) decode(raw bson.Raw, now time.Time) (rec backend.Record, found bool, err error) {
	if v, err := raw.LookupErr(fieldExpires); err == nil {
		ms, ok := v.DateTimeOK()
		if !ok {
			return rec, false, nil // connect-mongo's $gt filter never matches a non-date
		}
		rec.Expires = time.UnixMilli(ms).UTC()
		if backend.Expired(rec.Expires, now) {
			return backend.Record{}, false, nil
		}
	} else if !errors.Is(err, bsoncore.ErrElementNotFound) {
		return rec, false, corruptf("reading expires: %v", err)
	}
	if v, err := raw.LookupErr(fieldLastModified); err == nil {
		if ms, ok := v.DateTimeOK(); ok {
			rec.Modified = time.UnixMilli(ms).UTC()
		}
	}
	if v, err := raw.LookupErr(fieldVersion); err == nil {
		rec.Version = versionOf(v)
	}
	v, err := raw.LookupErr(fieldSession)
	if err != nil {
		return rec, false, corruptf("the document has no session field")
	}
	if rec.Data, err = s.decodeSession(v); err != nil {
		return backend.Record{}, false, err
	}
	// raw is this call's own copy of the document: no need to copy again.
	rec.Native = stored{session: v}
	return rec, true, nil
}

// stored is the Record.Native of a session Get read: its session field as
// stored, which Set uses to keep BSON types and SetIf to detect writers
// that do not maintain seshVersion.
type stored struct {
	session bson.RawValue
}

func versionOf(v bson.RawValue) uint64 {
	if n, ok := v.Int64OK(); ok && n > 0 {
		return uint64(n)
	}
	if n, ok := v.Int32OK(); ok && n > 0 {
		return uint64(n)
	}
	if f, ok := v.DoubleOK(); ok && f > 0 && f < math.MaxInt64 {
		return uint64(f)
	}
	return 0
}

// decodeSession turns a stored session field into the session's JSON text.
func (s *Store) decodeSession(v bson.RawValue) ([]byte, error) {
	if s.opts.Cipher != nil && v.Type == bson.TypeString {
		ct, _ := v.StringValueOK()
		pt, err := s.opts.Cipher.Decrypt(ct)
		if err != nil {
			return nil, fmt.Errorf("%w: decrypting the session: %w", backend.ErrCorrupt, err)
		}
		text := unwrapJSONString(pt)
		if s.opts.Unserialize != nil {
			return s.unserialize(bson.RawValue{Type: bson.TypeString, Value: bsoncore.AppendString(nil, string(text))})
		}
		return text, nil
	}
	if s.opts.Unserialize != nil {
		return s.unserialize(v)
	}
	switch v.Type {
	case bson.TypeString:
		str, ok := v.StringValueOK()
		if !ok {
			return nil, corruptf("malformed session string")
		}
		return []byte(str), nil
	case bson.TypeEmbeddedDocument:
		return DocumentToJSON(v.Value)
	}
	return nil, corruptf("the session field is a BSON %v, not a string or a document", v.Type)
}

func (s *Store) unserialize(v bson.RawValue) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, corruptf("Options.Unserialize panicked: %v", p)
		}
	}()
	data, err = s.opts.Unserialize(v)
	if err != nil {
		return nil, fmt.Errorf("%w: Options.Unserialize: %w", backend.ErrCorrupt, err)
	}
	return data, nil
}

// encodeSession returns the value of the session field for data. native is
// the Record.Native of the session as read, if any.
func (s *Store) encodeSession(data []byte, native any) (bson.RawValue, error) {
	var v bson.RawValue
	switch {
	case s.opts.Serialize != nil:
		x, err := s.serialize(data)
		if err != nil {
			return v, err
		}
		t, b, err := bson.MarshalValue(x)
		if err != nil {
			return v, fmt.Errorf("%w: marshalling the value of Options.Serialize: %w", backend.ErrInvalidData, err)
		}
		v = bson.RawValue{Type: t, Value: b}
	case s.opts.Cipher != nil:
		// Encrypted, the field is a string whatever the format, and the
		// plaintext is the session's JSON either way (connect-mongo
		// encrypts JSON.stringify of the serialized session).
		v = bson.RawValue{Type: bson.TypeString}
	case s.opts.Format == FormatDocument:
		doc, err := JSONToDocument(data)
		if err != nil {
			return v, err
		}
		if was, ok := native.(stored); ok && was.session.Type == bson.TypeEmbeddedDocument {
			doc = keepTypes(doc, bson.Raw(was.session.Value))
		}
		v = bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}
	default:
		v = bson.RawValue{Type: bson.TypeString, Value: bsoncore.AppendString(nil, string(data))}
	}
	if s.opts.Cipher == nil {
		return v, nil
	}
	plaintext := data
	if s.opts.Serialize != nil {
		var err error
		if plaintext, err = valueText(v); err != nil {
			return v, err
		}
	}
	ct, err := s.opts.Cipher.Encrypt(plaintext)
	if err != nil {
		return v, fmt.Errorf("encrypting the session: %w", err)
	}
	return bson.RawValue{Type: bson.TypeString, Value: bsoncore.AppendString(nil, ct)}, nil
}

func (s *Store) serialize(data []byte) (x any, err error) {
	defer func() {
		if p := recover(); p != nil {
			x, err = nil, invalidf("Options.Serialize panicked: %v", p)
		}
	}()
	x, err = s.opts.Serialize(data)
	if err != nil {
		return nil, fmt.Errorf("%w: Options.Serialize: %w", backend.ErrInvalidData, err)
	}
	return x, nil
}

// valueText is the plaintext encrypted for a value from Options.Serialize:
// a string as is, anything else as JSON (connect-mongo's JSON.stringify).
func valueText(v bson.RawValue) ([]byte, error) {
	if str, ok := v.StringValueOK(); ok {
		return []byte(str), nil
	}
	text, err := appendValueJSON(nil, bsoncore.Type(v.Type), v.Value, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: the value of Options.Serialize: %w", backend.ErrInvalidData, err)
	}
	return text, nil
}

// expiresOf returns the expiry to store for rec.
func (s *Store) expiresOf(rec backend.Record, now time.Time) time.Time {
	if rec.Expires.IsZero() {
		return now.Add(s.opts.TTL)
	}
	return rec.Expires
}

// documentSize returns the size of the BSON document Set or SetIf stores.
func (s *Store) documentSize(id string, session bson.RawValue, modified, version bool) int {
	field := func(name string, valueSize int) int { return 1 + len(name) + 1 + valueSize }
	n := 4 + 1
	n += field(fieldID, 4+len(id)+1)
	n += field(fieldSession, len(session.Value))
	n += field(fieldExpires, 8)
	if modified {
		n += field(fieldLastModified, 8)
	}
	if s.opts.Timestamps {
		n += field(fieldCreatedAt, 8) + field(fieldUpdatedAt, 8)
	}
	if version {
		n += field(fieldVersion, 8)
	}
	return n
}

// prepared is what Set and SetIf write.
type prepared struct {
	sid      string
	session  bson.RawValue
	expires  bson.DateTime
	modified *bson.DateTime
	now      time.Time
}

// prepare encodes rec and checks the document's size; errors are final.
func (s *Store) prepare(rec backend.Record, version bool) (prepared, error) {
	now := time.Now()
	p := prepared{sid: s.storedID(rec.ID), now: now}
	var err error
	if p.session, err = s.encodeSession(rec.Data, rec.Native); err != nil {
		return p, err
	}
	if n := s.documentSize(p.sid, p.session, !rec.Modified.IsZero(), version); n > MaxDocumentSize {
		return p, fmt.Errorf("%w: the document would be %d bytes; MongoDB stores at most %d", backend.ErrTooLarge, n, MaxDocumentSize)
	}
	p.expires = bson.NewDateTimeFromTime(s.expiresOf(rec, now))
	if !rec.Modified.IsZero() {
		m := bson.NewDateTimeFromTime(rec.Modified)
		p.modified = &m
	}
	return p, nil
}

// failEarly reports an error found before any I/O.
func (s *Store) failEarly(op, id string, err error) error {
	return s.fail(context.Background(), nil, op, id, err)
}

// Set implements backend.Backend with one upsert, as connect-mongo does:
//
//	updateOne({_id}, {$set: {_id, session, expires, [lastModified]},
//	                  [$setOnInsert: {createdAt}, $currentDate: {updatedAt: true}]},
//	          {upsert: true})
//
// lastModified is written when rec.Modified is set; the timestamps with
// Options.Timestamps. A stored seshVersion is left as it is.
func (s *Store) Set(ctx context.Context, rec backend.Record) error {
	p, err := s.prepare(rec, false)
	if err != nil {
		return s.failEarly("set", rec.ID, err)
	}
	set := bson.D{
		{Key: fieldID, Value: p.sid},
		{Key: fieldSession, Value: p.session},
		{Key: fieldExpires, Value: p.expires},
	}
	if p.modified != nil {
		set = append(set, bson.E{Key: fieldLastModified, Value: *p.modified})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if s.opts.Timestamps {
		update = append(update,
			bson.E{Key: "$setOnInsert", Value: bson.D{{Key: fieldCreatedAt, Value: bson.NewDateTimeFromTime(p.now)}}},
			bson.E{Key: "$currentDate", Value: bson.D{{Key: fieldUpdatedAt, Value: true}}})
	}
	return s.do(ctx, "set", rec.ID, func(ctx context.Context, coll *mongo.Collection) error {
		filter := bson.D{{Key: fieldID, Value: p.sid}}
		res, err := coll.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		// Two upserts of a new _id can race: both find nothing and both
		// insert, and the loser gets a duplicate key error. MongoDB 4.2+
		// retries such upserts itself; older servers and FerretDB do not.
		// The document exists now, so trying again updates it.
		for retry := 0; retry < 3 && mongo.IsDuplicateKeyError(err); retry++ {
			res, err = coll.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		}
		if err != nil {
			return classifyWriteError(err)
		}
		if !res.Acknowledged {
			return errUnacknowledged
		}
		if res.UpsertedCount > 0 {
			s.events.emit(Event{Kind: EventCreate, ID: rec.ID})
		} else {
			s.events.emit(Event{Kind: EventUpdate, ID: rec.ID})
		}
		s.events.emit(Event{Kind: EventSet, ID: rec.ID})
		return nil
	})
}

// liveFilter matches documents whose expiry has not passed at now: with
// no expires field, or an expires date after now.
func liveFilter(now time.Time) bson.E {
	return bson.E{Key: "$or", Value: bson.A{
		bson.D{{Key: fieldExpires, Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: fieldExpires, Value: bson.D{{Key: "$gt", Value: bson.NewDateTimeFromTime(now)}}}},
	}}
}

// Touch implements backend.Backend, as connect-mongo does, with one
// update of expires (and lastModified when rec.Modified is set, and
// updatedAt with Options.Timestamps) that leaves the session field alone.
// Unlike connect-mongo it does not revive an expired document the server
// has not removed yet: a missing or expired session is an error matching
// backend.ErrNotFound.
func (s *Store) Touch(ctx context.Context, rec backend.Record) error {
	now := time.Now()
	sid := s.storedID(rec.ID)
	set := bson.D{{Key: fieldExpires, Value: bson.NewDateTimeFromTime(s.expiresOf(rec, now))}}
	if !rec.Modified.IsZero() {
		set = append(set, bson.E{Key: fieldLastModified, Value: bson.NewDateTimeFromTime(rec.Modified)})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if s.opts.Timestamps {
		update = append(update, bson.E{Key: "$currentDate", Value: bson.D{{Key: fieldUpdatedAt, Value: true}}})
	}
	filter := bson.D{{Key: fieldID, Value: sid}, liveFilter(now)}
	return s.do(ctx, "touch", rec.ID, func(ctx context.Context, coll *mongo.Collection) error {
		res, err := coll.UpdateOne(ctx, filter, update)
		if err != nil {
			return err
		}
		if !res.Acknowledged {
			return errUnacknowledged
		}
		if res.MatchedCount == 0 {
			return fmt.Errorf("%w: no live session to touch", backend.ErrNotFound)
		}
		s.events.emit(Event{Kind: EventTouch, ID: rec.ID})
		return nil
	})
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

// SetIf implements backend.ConditionalSetter on MongoDB, whose
// single-document updates are atomic. On FerretDB, whose updates are not,
// it stores nothing and returns an error matching errors.ErrUnsupported
// rather than a guarantee it cannot keep. The version is kept in a
// top-level seshVersion field, which connect-mongo and Express ignore (and
// which Set leaves alone):
//
//   - created: insertOne of the whole document with seshVersion want+1; a
//     duplicate _id is a conflict, unless the document there has expired,
//     which is then replaced;
//   - otherwise: updateOne({_id, seshVersion: want, live, [session]})
//     (for want 0, seshVersion absent) setting session, expires,
//     [lastModified] and seshVersion want+1; no match is a conflict.
//
// A conflict is an error matching backend.ErrConflict, and nothing is
// written. Writers that do not use SetIf (connect-mongo, Set) leave
// seshVersion as it is; so that their changes are not overwritten either,
// the filter also requires the session field to be the one Get read
// (rec.Native), when the record was read from this Store.
func (s *Store) SetIf(ctx context.Context, rec backend.Record, want uint64, created bool) error {
	if want >= math.MaxInt64 {
		return s.failEarly("setif", rec.ID, fmt.Errorf("%w: version %d out of range", backend.ErrConflict, want))
	}
	p, err := s.prepare(rec, true)
	if err != nil {
		return s.failEarly("setif", rec.ID, err)
	}
	next := int64(want + 1)
	if created {
		return s.do(ctx, "setif", rec.ID, func(ctx context.Context, coll *mongo.Collection) error {
			if err := s.checkAtomicUpdates(ctx, coll); err != nil {
				return err
			}
			return s.insert(ctx, coll, rec.ID, p, next)
		})
	}
	var version any = int64(want)
	if want == 0 {
		version = bson.D{{Key: "$exists", Value: false}}
	}
	filter := bson.D{{Key: fieldID, Value: p.sid}, {Key: fieldVersion, Value: version}, liveFilter(p.now)}
	if was, ok := rec.Native.(stored); ok {
		// Writers that do not maintain seshVersion (Express) change the
		// session field: insist that it is still what was read.
		filter = append(filter, bson.E{Key: fieldSession, Value: was.session})
	}
	set := bson.D{
		{Key: fieldSession, Value: p.session},
		{Key: fieldExpires, Value: p.expires},
	}
	if p.modified != nil {
		set = append(set, bson.E{Key: fieldLastModified, Value: *p.modified})
	}
	set = append(set, bson.E{Key: fieldVersion, Value: next})
	update := bson.D{{Key: "$set", Value: set}}
	if s.opts.Timestamps {
		update = append(update, bson.E{Key: "$currentDate", Value: bson.D{{Key: fieldUpdatedAt, Value: true}}})
	}
	return s.do(ctx, "setif", rec.ID, func(ctx context.Context, coll *mongo.Collection) error {
		if err := s.checkAtomicUpdates(ctx, coll); err != nil {
			return err
		}
		res, err := coll.UpdateOne(ctx, filter, update)
		if err != nil {
			return classifyWriteError(err)
		}
		if !res.Acknowledged {
			return errUnacknowledged
		}
		if res.MatchedCount == 0 {
			return fmt.Errorf("%w: the session is gone or was changed since it was read", backend.ErrConflict)
		}
		s.events.emit(Event{Kind: EventUpdate, ID: rec.ID})
		s.events.emit(Event{Kind: EventSet, ID: rec.ID})
		return nil
	})
}

// errNotAtomic is SetIf's error on FerretDB.
var errNotAtomic = fmt.Errorf("%w: the server is FerretDB, whose updates are not atomic (it finds the document, then writes it back), so a conditional write could overwrite a concurrent one; use MongoDB for optimistic concurrency", errors.ErrUnsupported)

// checkAtomicUpdates returns errNotAtomic if the server is FerretDB. It
// asks the server once (buildInfo has a ferretdbVersion field there), and
// again after a failure to ask.
func (s *Store) checkAtomicUpdates(ctx context.Context, coll *mongo.Collection) error {
	if s.setIfAnyServer {
		return nil
	}
	s.ferretMu.Lock()
	known, ferret := s.ferretKnown, s.ferret
	s.ferretMu.Unlock()
	if !known {
		raw, err := coll.Database().Client().Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
		if err != nil {
			return fmt.Errorf("asking the server for buildInfo: %w", err)
		}
		_, err = raw.LookupErr("ferretdbVersion")
		ferret = err == nil
		s.ferretMu.Lock()
		s.ferretKnown, s.ferret = true, ferret
		s.ferretMu.Unlock()
	}
	if ferret {
		return errNotAtomic
	}
	return nil
}

// insert stores a new document for SetIf(created).
func (s *Store) insert(ctx context.Context, coll *mongo.Collection, id string, p prepared, version int64) error {
	doc := bson.D{
		{Key: fieldID, Value: p.sid},
		{Key: fieldSession, Value: p.session},
		{Key: fieldExpires, Value: p.expires},
	}
	if p.modified != nil {
		doc = append(doc, bson.E{Key: fieldLastModified, Value: *p.modified})
	}
	if s.opts.Timestamps {
		now := bson.NewDateTimeFromTime(p.now)
		doc = append(doc, bson.E{Key: fieldCreatedAt, Value: now}, bson.E{Key: fieldUpdatedAt, Value: now})
	}
	doc = append(doc, bson.E{Key: fieldVersion, Value: version})
	res, err := coll.InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		// A document is there. If it has expired but was not removed yet,
		// it is as good as missing: replace it.
		filter := bson.D{
			{Key: fieldID, Value: p.sid},
			{Key: fieldExpires, Value: bson.D{{Key: "$lte", Value: bson.NewDateTimeFromTime(p.now)}}},
		}
		rres, err := coll.ReplaceOne(ctx, filter, doc)
		if err != nil {
			return classifyWriteError(err)
		}
		if !rres.Acknowledged {
			return errUnacknowledged
		}
		if rres.MatchedCount == 0 {
			return fmt.Errorf("%w: a session with this id exists", backend.ErrConflict)
		}
	} else if err != nil {
		return classifyWriteError(err)
	} else if !res.Acknowledged {
		return errUnacknowledged
	}
	s.events.emit(Event{Kind: EventCreate, ID: id})
	s.events.emit(Event{Kind: EventSet, ID: id})
	return nil
}

// All implements backend.Lister with connect-mongo's query,
// find({$or: [{expires: {$exists: false}}, {expires: {$gt: now}}]}).
// Each Record's ID is the document's _id: the session id, or, with
// Options.TransformID, the transformed id (which cannot be turned back).
// OperationTimeout bounds the query and each batch fetched, not the whole
// iteration. Iteration stops at the first error: a failed query, or a
// document that cannot be read (errors match backend.ErrCorrupt), as
// connect-mongo's all fails on the first bad document.
func (s *Store) All(ctx context.Context) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		now := time.Now()
		var cur *mongo.Cursor
		err := s.do(ctx, "all", "", func(ctx context.Context, coll *mongo.Collection) error {
			var err error
			cur, err = coll.Find(ctx, bson.D{liveFilter(now)})
			return err
		})
		if err != nil {
			yield(backend.Record{}, err)
			return
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = cur.Close(cctx)
		}()
		for {
			var more bool
			err := s.do(ctx, "all", "", func(ctx context.Context, _ *mongo.Collection) error {
				more = cur.Next(ctx)
				if !more {
					return cur.Err()
				}
				return nil
			})
			if err != nil {
				yield(backend.Record{}, err)
				return
			}
			if !more {
				return
			}
			rec, found, err := s.decode(cur.Current, now)
			if err == nil && found {
				idv, ierr := cur.Current.LookupErr(fieldID)
				id, ok := idv.StringValueOK()
				if ierr != nil || !ok {
					err = corruptf("a document's _id is not a string")
				}
				rec.ID = id
				// cur.Current is only valid until the next document.
				rec.Native = nil
			}
			if err != nil {
				yield(backend.Record{}, s.failEarly("all", "", err))
				return
			}
			if found && !yield(rec, nil) {
				return
			}
		}
	}
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
		<-s.bgDone
		s.ops.Wait()
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

// keepTypes returns doc with each top-level value that reads as the same
// JSON as the value of the same key in was replaced by was's value, so
// that BSON types JSON cannot carry (a date Express stored, an int64, an
// ObjectId) survive when a request rewrites a session without changing
// those values. The cookie is always doc's.
func keepTypes(doc, was bson.Raw) bson.Raw {
	elems, err := doc.Elements()
	if err != nil {
		return doc
	}
	idx, out := bsoncore.AppendDocumentStart(make([]byte, 0, len(doc)))
	for _, e := range elems {
		key, value := e.Key(), e.Value()
		if key != "cookie" {
			if old, err := was.LookupErr(key); err == nil && sameJSON(old, value) {
				value = old
			}
		}
		out = bsoncore.AppendValueElement(out, key, bsoncore.Value{Type: bsoncore.Type(value.Type), Data: value.Value})
	}
	out, err = bsoncore.AppendDocumentEnd(out, idx)
	if err != nil {
		return doc
	}
	return out
}

// sameJSON reports whether a and b read as the same JSON text.
func sameJSON(a, b bson.RawValue) bool {
	ja, err := appendValueJSON(nil, bsoncore.Type(a.Type), a.Value, 0)
	if err != nil {
		return false
	}
	jb, err := appendValueJSON(nil, bsoncore.Type(b.Type), b.Value, 0)
	return err == nil && bytes.Equal(ja, jb)
}
