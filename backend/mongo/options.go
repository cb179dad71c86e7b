package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/seshgo/sesh/backend"
)

// Defaults of Options.
const (
	// DefaultCollection is the collection sessions are stored in
	// (connect-mongo's collectionName default).
	DefaultCollection = "sessions"

	// DefaultAutoRemoveInterval is how often AutoRemoveInterval removes
	// expired sessions (connect-mongo's autoRemoveInterval default, 10
	// minutes).
	DefaultAutoRemoveInterval = 10 * time.Minute

	// DefaultOperationTimeout bounds every operation on the database.
	DefaultOperationTimeout = 5 * time.Second

	// DefaultEventBuffer is how many events wait for OnEvent before new
	// ones are dropped.
	DefaultEventBuffer = 1024
)

// Format is how the session is stored in a document's session field.
type Format int

const (
	// FormatString stores Record.Data as a string: the session's JSON
	// text, exactly the text express-session hands to its store
	// (connect-mongo's default, stringify: true), or the ciphertext when
	// the middleware encrypts sessions, exactly the string connect-mongo's
	// crypto adapters store. Data must be UTF-8 text, as BSON strings are.
	FormatString Format = iota

	// FormatDocument stores the session as a BSON sub-document
	// (connect-mongo's stringify: false), as the Node.js driver writes it:
	// cookie.expires as a BSON date, the cookie's unset fields as null,
	// numbers as int32, double or int64; see JSONToDocument. Keys MongoDB
	// cannot store (with '.' or a leading '$') and numbers no BSON number
	// holds exactly make writes fail with an error matching
	// backend.ErrInvalidData. It needs the session's JSON: CheckUsage
	// refuses it when the middleware encrypts sessions (connect-mongo's
	// crypto adapters store a ciphertext string whatever stringify says:
	// use FormatString) or uses another codec.
	FormatDocument
)

// String returns "string" or "document".
func (f Format) String() string {
	switch f {
	case FormatString:
		return "string"
	case FormatDocument:
		return "document"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// AutoRemove is how expired sessions are deleted from the collection. Get,
// Update, UpdateIf, Touch, All and Owned never see an expired session
// whatever the mode.
type AutoRemove int

const (
	// AutoRemoveNative creates a TTL index, {expires: 1} with
	// expireAfterSeconds 0, and lets the server delete expired documents
	// (its TTL monitor runs once a minute). This is connect-mongo's
	// default, 'native'. The index is created in the background, once per
	// Store; creating an index that exists is harmless. If the server
	// refuses the index (FerretDB, Azure Cosmos DB, an expires_1 index with
	// other options, a user without the createIndex privilege) the Store
	// logs a warning, sends an EventFallback and removes expired sessions
	// as AutoRemoveInterval does. If the server cannot be reached, it tries
	// again later.
	AutoRemoveNative AutoRemove = iota

	// AutoRemoveInterval deletes expired sessions every
	// AutoRemoveInterval, with an acknowledged deleteMany, from one
	// goroutine (sweeps never overlap), the first sweep one interval after
	// New. connect-mongo's 'interval' (which, unlike this, sends the
	// deletes unacknowledged).
	AutoRemoveInterval

	// AutoRemoveDisabled deletes nothing: expired sessions stay until
	// something else removes them (connect-mongo's 'disabled'). A TTL
	// index created earlier keeps working; drop it if it is not wanted.
	AutoRemoveDisabled
)

// String returns connect-mongo's name of the mode: "native", "interval"
// or "disabled".
func (a AutoRemove) String() string {
	switch a {
	case AutoRemoveNative:
		return "native"
	case AutoRemoveInterval:
		return "interval"
	case AutoRemoveDisabled:
		return "disabled"
	}
	return fmt.Sprintf("AutoRemove(%d)", int(a))
}

// Options configure a Store. Exactly one of URI, Client and Connect must be
// set; every other field has a useful zero value. Each field names its
// connect-mongo 6 equivalent.
type Options struct {
	// URI is a MongoDB connection string (connect-mongo's mongoUrl). The
	// Store creates its own client from it, connects lazily, and
	// disconnects it on Close. Its path names the database unless Database
	// is set.
	URI string

	// ClientOptions are applied after URI when the Store creates its
	// client (connect-mongo's mongoOptions). Only with URI.
	ClientOptions *options.ClientOptions

	// Client is a client the application owns (connect-mongo's client).
	// The Store uses it and never disconnects it, Close included.
	// Database is required with it.
	Client *mongo.Client

	// Connect returns the client to use (connect-mongo's clientPromise),
	// for clients that become available after New, such as one an ORM
	// creates. It is called on the first operation; if it fails, the
	// operation returns its error and the next operation calls it again
	// (connect-mongo, in contrast, keeps the first failure forever). Only
	// one call runs at a time, and operations wait for it; it must return
	// when ctx is done (ctx is bounded by OperationTimeout). The client
	// belongs to the application: the Store never disconnects it. Database
	// is required with it.
	Connect func(ctx context.Context) (*mongo.Client, error)

	// Database is the database name (connect-mongo's dbName). Default: the
	// database in URI's path; required when it has none and with Client or
	// Connect.
	Database string

	// Collection is the collection name (connect-mongo's collectionName).
	// Default "sessions".
	Collection string

	// TTL is the lifetime of a session stored without an expiry of its own
	// (a browser-session cookie) (connect-mongo's ttl, in seconds there).
	// Default backend.DefaultTTL, 14 days.
	TTL time.Duration

	// AutoRemove is how expired sessions are deleted (connect-mongo's
	// autoRemove). Default AutoRemoveNative.
	AutoRemove AutoRemove

	// AutoRemoveInterval is the period of AutoRemoveInterval and of the
	// fallback of AutoRemoveNative (connect-mongo's autoRemoveInterval, in
	// minutes there). Default 10 minutes.
	AutoRemoveInterval time.Duration

	// Format is how the session field is written (connect-mongo's
	// stringify: true is FormatString, the default; stringify: false is
	// FormatDocument). Get reads both forms whatever Format says, so
	// switching is safe for stored sessions.
	Format Format

	// Timestamps adds createdAt, set when the document is inserted (to
	// Record.Created, or the time of the insert), and updatedAt, set on
	// every write and touch (connect-mongo's timestamps). Without it,
	// createdAt is written for owned sessions only.
	Timestamps bool

	// Serialize, if set, returns the value stored in the session field
	// instead of Format's (connect-mongo's serialize). It receives the
	// session's JSON text; the value is marshalled with the driver's
	// default registry. The document size limit still applies.
	Serialize func(data []byte) (any, error)

	// Unserialize, if set, turns the stored session field back into the
	// session's JSON text (connect-mongo's unserialize). Its errors are
	// reported wrapped in backend.ErrCorrupt. Serialize and Unserialize
	// need the session's JSON: CheckUsage refuses them when the middleware
	// encrypts sessions or uses another codec.
	Unserialize func(v bson.RawValue) ([]byte, error)

	// TransformID maps a session id to the document's _id
	// (connect-mongo's transformId), for example to store a hash of the id
	// rather than the id itself. It is applied to every operation; events
	// carry the id as given. It must be deterministic and collision-free.
	// All then yields the stored ids, and Owned declines (an error matching
	// errors.ErrUnsupported): the session ids cannot be recovered.
	TransformID func(id string) string

	// WriteConcern is the write concern of every write: Create, Update,
	// UpdateIf, Touch, Destroy, Clear and the interval removal (connect-mongo's
	// writeOperationOptions). Default: the client's. An unacknowledged
	// write concern (w: 0) is refused by New; and if the client's default
	// is unacknowledged, the Store writes with {w: 1} instead, since it
	// must know whether a session was stored (and FerretDB answers
	// unacknowledged writes anyway, which hands the next operation on the
	// connection a reply meant for another).
	WriteConcern *writeconcern.WriteConcern

	// OperationTimeout bounds every operation on the database, on top of
	// the caller's context, so that an unreachable server makes requests
	// fail in bounded time rather than after the driver's 30-second server
	// selection timeout. Default 5 seconds; negative means no bound beyond
	// the caller's context. (connect-mongo has none.)
	OperationTimeout time.Duration

	// Logger receives warnings about background work: the TTL index
	// falling back to interval removal, failed removals, a client whose
	// write concern was overridden. Default slog.Default(). Session ids are
	// never logged.
	Logger *slog.Logger

	// OnEvent, if set, receives the Store's events (connect-mongo's
	// 'create', 'update', 'set', 'touch' and 'destroy' events, plus errors
	// and background work). Events are delivered in order, one at a time,
	// on a goroutine of the Store, so OnEvent never slows a request; if
	// EventBuffer events are already waiting, new ones are dropped and
	// counted (see Store.DroppedEvents). Close delivers the events still
	// waiting before it returns.
	OnEvent func(Event)

	// EventBuffer is how many events may wait for OnEvent. Default 1024.
	EventBuffer int
}

// resolved is the validated configuration of a Store.
type resolved struct {
	Options
	owned bool // the Store created the client from URI
}

var errNoConnection = errors.New("mongo: set exactly one of Options.URI, Options.Client and Options.Connect")

func (o Options) resolve() (resolved, error) {
	r := resolved{Options: o}
	n := 0
	for _, set := range []bool{o.URI != "", o.Client != nil, o.Connect != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return r, errNoConnection
	}
	if o.ClientOptions != nil && o.URI == "" {
		return r, errors.New("mongo: Options.ClientOptions needs Options.URI")
	}
	if o.URI != "" {
		r.owned = true
		cs, err := connstring.Parse(o.URI)
		if err != nil {
			return r, fmt.Errorf("mongo: Options.URI: %w", err)
		}
		if r.Database == "" {
			r.Database = cs.Database
		}
	}
	if r.Database == "" {
		if o.URI != "" {
			return r, errors.New("mongo: no database: set Options.Database or put one in the URI's path (mongodb://host/dbname)")
		}
		return r, errors.New("mongo: Options.Database is required with Options.Client and Options.Connect")
	}
	if r.Collection == "" {
		r.Collection = DefaultCollection
	}
	if r.TTL == 0 {
		r.TTL = backend.DefaultTTL
	}
	if r.TTL < 0 {
		return r, errors.New("mongo: Options.TTL is negative")
	}
	switch r.AutoRemove {
	case AutoRemoveNative, AutoRemoveInterval, AutoRemoveDisabled:
	default:
		return r, fmt.Errorf("mongo: unknown Options.AutoRemove %d", int(r.AutoRemove))
	}
	if r.AutoRemoveInterval == 0 {
		r.AutoRemoveInterval = DefaultAutoRemoveInterval
	}
	if r.AutoRemoveInterval < 0 {
		return r, errors.New("mongo: Options.AutoRemoveInterval is negative")
	}
	switch r.Format {
	case FormatString, FormatDocument:
	default:
		return r, fmt.Errorf("mongo: unknown Options.Format %d", int(r.Format))
	}
	if r.OperationTimeout == 0 {
		r.OperationTimeout = DefaultOperationTimeout
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.EventBuffer <= 0 {
		r.EventBuffer = DefaultEventBuffer
	}
	if wc := r.WriteConcern; wc != nil {
		if !wc.Acknowledged() || isZeroW(wc.W) {
			return r, errors.New("mongo: Options.WriteConcern is unacknowledged (w: 0); sessions need acknowledged writes: use w: 1 or more, or \"majority\"")
		}
		if !wc.IsValid() {
			return r, fmt.Errorf("mongo: Options.WriteConcern is invalid: %+v", *wc)
		}
	}
	if r.owned && r.WriteConcern == nil {
		// The client's default, from the URI (w=0) or ClientOptions.
		merged := options.MergeClientOptions(options.Client().ApplyURI(o.URI), o.ClientOptions)
		if wc := merged.WriteConcern; wc != nil && (!wc.Acknowledged() || isZeroW(wc.W)) {
			r.Logger.Warn("mongo session store: the client's write concern is unacknowledged (w: 0); writing sessions with {w: 1}")
			r.WriteConcern = writeconcern.W1()
		}
	}
	return r, nil
}

// isZeroW reports whether w is the number 0 of any integer type (the
// driver's Acknowledged only recognises int).
func isZeroW(w any) bool {
	switch v := w.(type) {
	case int:
		return v == 0
	case int32:
		return v == 0
	case int64:
		return v == 0
	case uint:
		return v == 0
	case float64:
		return v == 0
	}
	return false
}
