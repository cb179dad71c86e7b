// Package mongo is a session backend on MongoDB that reads and writes
// connect-mongo 6's documents, so that Express applications (express-session
// with connect-mongo) and Go services using sesh can share one sessions
// collection, and either can take over the other's sessions.
//
// It uses the official Go driver, go.mongodb.org/mongo-driver/v2. Import it
// under another name if you also import the driver's package mongo:
//
//	import (
//		"go.mongodb.org/mongo-driver/v2/mongo"
//		sessmongo "github.com/seshgo/sesh/backend/mongo"
//	)
//
// # Documents
//
// Each session is one document of the collection ("sessions" by default):
//
//	{
//	  _id:          "<session id>",  // or TransformID(id)
//	  session:      "<the session's JSON text>"      // FormatString (default)
//	              | { cookie: {…, expires: Date}, … } // FormatDocument
//	              | "<ciphertext>",                  // with a Cipher, either format
//	  expires:      Date,            // always written; the TTL index is on it
//	  lastModified: Date,            // when Record.Modified is set (touchAfter)
//	  createdAt:    Date,            // with Timestamps, on insert
//	  updatedAt:    Date,            // with Timestamps, on every write and touch
//	  seshVersion:  Long             // only after SetIf (optimistic concurrency)
//	}
//
// These are connect-mongo's fields and types exactly, plus seshVersion,
// which Express ignores. A session written by the default express-session
// and connect-mongo settings, such as
//
//	{ _id: 'def',
//	  session: '{"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"views":1}',
//	  expires: ISODate('2026-11-23T13:25:38.959Z') }
//
// is what Set writes for the same session, byte for byte in the session
// field. Get reads either form of the session field whatever Format says
// (see DocumentToJSON for how BSON values become JSON).
//
// # Operations
//
//   - Get: findOne({_id}). The expiry is checked in Go, on the
//     application's clock as connect-mongo does: a document whose expires
//     is past is reported missing even before the server removes it, and
//     one with no expires is live. connect-mongo puts the expiry in the
//     query ({_id, $or: [{expires: {$exists: false}}, {expires: {$gt:
//     now}}]}); reading by _id alone is equivalent and never slower: in a
//     collection of 5,000 sessions it measured 4.7 ms against 25 ms per Get
//     on FerretDB's SQLite handler, and 1.3 ms against 1.5 ms on its
//     PostgreSQL handler (BenchmarkGet).
//   - Set: one upsert, updateOne({_id}, {$set: {_id, session, expires,
//     [lastModified]}, [$setOnInsert: {createdAt}, $currentDate:
//     {updatedAt: true}]}, {upsert: true}), as connect-mongo.
//   - Touch: updateOne({_id, live}, {$set: {expires, [lastModified]},
//     [$currentDate: {updatedAt: true}]}), no upsert; a missing or expired
//     session is an error matching backend.ErrNotFound.
//   - Destroy: deleteOne({_id}). Clear: deleteMany({}), which keeps the
//     indexes. Len: countDocuments({}), expired documents included. All:
//     find of the live documents.
//   - SetIf: see Store.SetIf.
//
// Every write uses Options.WriteConcern, or the client's, and is
// acknowledged: an unacknowledged write concern is refused (see
// Options.WriteConcern). Every operation is bounded by
// Options.OperationTimeout on top of the caller's context.
//
// # Options and connect-mongo
//
//	connect-mongo 6                 sesh Options
//	mongoUrl                        URI
//	mongoOptions                    ClientOptions
//	client                          Client (never disconnected by Close)
//	clientPromise                   Connect (retried after a failure)
//	dbName                          Database (default: the URI's path)
//	collectionName                  Collection ("sessions")
//	ttl (seconds, 14 days)          TTL (backend.DefaultTTL, 14 days)
//	autoRemove                      AutoRemove (AutoRemoveNative)
//	autoRemoveInterval (minutes)    AutoRemoveInterval (10 minutes)
//	touchAfter                      the middleware's TouchAfter; the store
//	                                writes lastModified when Record.Modified is set
//	stringify                       Format: true is FormatString, false FormatDocument
//	serialize / unserialize         Serialize / Unserialize
//	transformId                     TransformID
//	cryptoAdapter / crypto          Cipher (package cipher: WebCrypto, Kruptein)
//	writeOperationOptions           WriteConcern
//	timestamps                      Timestamps
//	events (create, update, set,    OnEvent, with EventCreate, EventUpdate,
//	  touch, destroy)                 EventSet, EventTouch, EventDestroy,
//	                                  EventError, EventIndex, EventFallback, EventSweep
//	—                               OperationTimeout, Logger, EventBuffer
//
// # Where it differs from connect-mongo
//
// Each difference fixes a problem connect-mongo's users report, without
// changing the documents:
//
//   - A failure to connect, or to create the TTL index, is not kept for
//     ever: the next operation tries again, and New never fails because the
//     server is down.
//   - A TTL index the server refuses (FerretDB, Azure Cosmos DB, an
//     expires_1 index with other options, missing privileges) is a logged
//     warning and an EventFallback, after which the Store removes expired
//     sessions itself every AutoRemoveInterval. Index creation runs in the
//     background and Close waits for it.
//   - The periodic removal is acknowledged and never overlaps itself.
//   - Close disconnects only a client the Store created from URI.
//   - Touch never revives an expired session the server has not removed.
//   - A session too large for a document (16 MiB) fails with
//     backend.ErrTooLarge before anything is sent; keys MongoDB cannot
//     store (FormatDocument) fail with backend.ErrInvalidData; the stored
//     session is left as it was.
//   - With FormatDocument, values a request leaves unchanged keep the BSON
//     types they were stored with (a Date an Express application stored
//     stays a date, not its JSON string), through Record.Native.
//   - SetIf also requires the session field to be the one Get read, so
//     that writers which do not maintain seshVersion (Express) are not
//     overwritten either.
//   - Concurrent first writes of one session do not fail with a duplicate
//     key error on servers that do not retry such upserts themselves.
//   - Session ids, which are credentials, never appear in errors or logs.
//
// # FerretDB
//
// The Store works on FerretDB 1.x (sesh's own tests run on it), with these
// limits of FerretDB: it has no TTL indexes, so AutoRemoveNative falls back
// to periodic removal; it cannot store nested arrays or infinite numbers,
// so FormatDocument fails with backend.ErrInvalidData on sessions holding
// them (and, on its PostgreSQL storage, with an internal error on strings
// holding a NUL character, which FormatString escapes); and its updates are not atomic, so SetIf refuses to run (see
// Store.SetIf) and the middleware's Optimistic mode needs MongoDB.
package mongo
