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
//	  session:      "<Record.Data>"                   // FormatString (default):
//	                                                  // the session's JSON, or the
//	                                                  // middleware's ciphertext
//	              | { cookie: {…, expires: Date}, … }, // FormatDocument
//	  expires:      Date,            // always written; the TTL index is on it
//	  lastModified: Date,            // when Record.Modified is set (touchAfter)
//	  createdAt:    Date,            // with Timestamps; and for owned sessions
//	  updatedAt:    Date,            // with Timestamps, on every write and touch
//	  seshOwner:    "<owner>"        // only for owned sessions (Record.Owner)
//	}
//
// These are connect-mongo's fields and types exactly; seshOwner, which
// Express ignores, is the only field of sesh's, and only sessions that
// belong to a user (see Owners) have it. A session written by the default
// express-session and connect-mongo settings, such as
//
//	{ _id: 'def',
//	  session: '{"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"views":1}',
//	  expires: ISODate('2026-11-23T13:25:38.959Z') }
//
// is what Create writes for the same session, byte for byte in the session
// field. When the middleware encrypts sessions, the session field is the
// ciphertext string, exactly as connect-mongo's crypto adapters store it
// (whatever their stringify option says); _id, expires and the timestamps
// stay in clear. Get reads either form of the session field whatever
// Format says.
//
// With FormatDocument the session is the sub-document that connect-mongo's
// stringify: false stores, as the Node.js driver writes it (see
// JSONToDocument): the cookie is Cookie.toJSON() with all nine fields in
// its order, those express-session leaves unset as null,
//
//	cookie: { originalMaxAge: 60000, partitioned: null, priority: null,
//	          expires: ISODate('…'), secure: null, httpOnly: true,
//	          domain: null, path: '/', sameSite: null }
//
// (originalMaxAge and expires are null for a browser-session cookie); and
// every number reads back as it was written: int32 for integers in its
// range, double where a double reads back as the same number, int64 for
// other integers in its range (9007199254740993), a negative-zero double
// for -0. A number no BSON number holds exactly (1e400,
// 0.10000000000000000001) makes the write fail with an error matching
// backend.ErrInvalidData, storing nothing, as do keys MongoDB cannot store
// ('.', a leading '$'). Reading gives back express-session's JSON (see
// DocumentToJSON): the cookie's null fields other than originalMaxAge and
// expires are left out, int64 values are written digit for digit, doubles
// as JavaScript writes them.
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
//   - Create: replaceOne({_id, not live}, document, {upsert: true}): it
//     inserts, or replaces a document that has expired but is still there;
//     a live document makes it fail with backend.ErrExists.
//   - Update: connect-mongo's update without its upsert,
//     updateOne({_id, live}, {$set: {session, expires, [lastModified]},
//     [$currentDate: {updatedAt: true}]}); no live document is
//     backend.ErrNotFound, so that a session signed out elsewhere is never
//     written back.
//   - UpdateIf: Update that also requires the session field to be the one
//     the Token holds; see Conditional writes.
//   - Touch: updateOne({_id, live}, {$set: {expires, [lastModified]},
//     [$currentDate: {updatedAt: true}]}), no upsert; a missing or expired
//     session is an error matching backend.ErrNotFound.
//   - Destroy: deleteOne({_id}). Clear: deleteMany({}), which keeps the
//     indexes. Len: countDocuments({}), expired documents included. All:
//     find of the live documents. Owned: find({seshOwner, live}).
//
// Every write uses Options.WriteConcern, or the client's, and is
// acknowledged: an unacknowledged write concern is refused (see
// Options.WriteConcern). Every operation is bounded by
// Options.OperationTimeout on top of the caller's context.
//
// # Tokens
//
// The backend.Token of a record holds the session field of the document
// as Get or All read it, or as the last write wrote it. It serves two
// purposes. With FormatDocument, Update and UpdateIf keep the BSON types of
// the values a request left unchanged: a Date that an Express application
// stored stays a date, an ObjectId an ObjectId, rather than becoming the
// string of their JSON. And UpdateIf writes only if the stored session
// field is still the one the Token holds. A zero Token (a session not read
// in this process) or a Token of another Store or session: Update writes
// the session as JSONToDocument converts it, and UpdateIf reports a
// conflict.
//
// # Conditional writes
//
// UpdateIf (the middleware's optimistic concurrency) adds the session
// field of the Token to Update's filter, {_id, live, session: <as read>},
// and MongoDB's single-document updates are atomic. Every writer rewrites
// the session field when it saves a session, sesh and Express alike, so a
// change by any of them since the read makes the filter miss: UpdateIf
// then stores nothing and returns an error matching backend.ErrConflict
// (or backend.ErrNotFound, after a second query, if the session is gone).
// A write of the very same session by another writer goes unnoticed, and
// is harmless: the session is then what the Token says. This needs no
// field of sesh's: earlier versions of this package kept a seshVersion
// counter, which Express does not maintain, and which Get now ignores.
//
// On FerretDB, whose updates are not atomic, UpdateIf refuses to run; see
// FerretDB below.
//
// # Owners
//
// Record.Owner, the user a session belongs to, is stored in seshOwner, a
// field Express ignores and that connect-mongo's $set leaves alone: an
// Express application saving the session keeps its owner. Record.Created
// is createdAt: connect-mongo's with Timestamps, set when the document is
// created; without Timestamps it is written for owned sessions only (the
// sessions Owned lists, for which the middleware shows when they began),
// so that the documents of anonymous sessions stay exactly
// connect-mongo's. Owned queries {seshOwner: owner, live}, on a sparse
// index {seshOwner: 1} that the Store creates, in the background, the first
// time it writes an owned session or lists one owner's: a collection
// shared with Express gets no index of sesh's until sesh uses owners. A
// server that refuses the index is reported as for the TTL index
// (EventFallback); Owned then scans the collection. With TransformID,
// Owned declines with an error matching errors.ErrUnsupported: the
// documents hold transformed ids, from which the session ids cannot be
// recovered.
//
// # Usage checks
//
// Store.CheckUsage, which the middleware calls when it is built, refuses
// FormatDocument, Serialize and Unserialize when the middleware encrypts
// sessions or uses another codec (they need the session's JSON; encrypted
// sessions are stored with FormatString, as connect-mongo stores them),
// and optimistic concurrency on FerretDB.
//
// # Options and connect-mongo
//
// Each field of Options names its connect-mongo equivalent; the README's
// MongoDB table maps them side by side, for a migration. Encryption
// (connect-mongo's cryptoAdapter and crypto) is the middleware's, for every
// backend (middleware.Options.Encryption), with FormatString.
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
//   - Update and Touch never revive a session destroyed or expired since
//     it was read.
//   - A session too large for a document (16 MiB) fails with
//     backend.ErrTooLarge before anything is sent; sessions FormatDocument
//     cannot store exactly fail with backend.ErrInvalidData; the stored
//     session is left as it was.
//   - With FormatDocument, values a request leaves unchanged keep the BSON
//     types they were stored with, and numbers are never rounded.
//   - Session ids, which are credentials, never appear in errors or logs.
//
// # FerretDB
//
// The Store works on FerretDB 1.x (sesh's own tests run on it), with these
// limits of FerretDB: it has no TTL indexes, so AutoRemoveNative falls back
// to periodic removal; it cannot store nested arrays or infinite numbers,
// so FormatDocument fails with backend.ErrInvalidData on sessions holding
// nested arrays (and, on its PostgreSQL storage, with an internal error on
// strings holding a NUL character, which FormatString escapes); it stores
// -0 as 0; it ignores the sparse option of the owner index; and its
// updates are not atomic, so UpdateIf refuses to run (an error matching
// errors.ErrUnsupported, and CheckUsage refuses optimistic concurrency):
// the middleware's optimistic mode needs MongoDB.
package mongo
