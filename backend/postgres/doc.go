// Package postgres is a session backend on PostgreSQL that reads and writes
// connect-pg-simple 10's table, so that Express applications (express-session
// with connect-pg-simple) and Go services using sesh share one table of
// sessions, and either can take over the other's. It uses
// github.com/jackc/pgx/v5 and its pgxpool.
//
// # Table
//
// connect-pg-simple's table.sql, which Options.CreateTable runs when the
// table is missing, with names derived from the table's and two nullable
// columns of sesh's:
//
//	CREATE TABLE "session" (
//	  "sid" varchar NOT NULL COLLATE "default",
//	  "sess" json NOT NULL,
//	  "expire" timestamp(6) NOT NULL,
//	  "owner" text,            -- sesh: Record.Owner; Express ignores it
//	  "created" timestamptz,   -- sesh: Record.Created; Express ignores it
//	  CONSTRAINT "session_pkey" PRIMARY KEY ("sid")
//	);
//	CREATE INDEX "IDX_session_expire" ON "session" ("expire");
//	CREATE INDEX "IDX_session_owner" ON "session" ("owner") WHERE "owner" IS NOT NULL;
//
// connect-pg-simple names only sid, sess and expire in its statements, so
// its writes keep owner and created. On a table without them (one that
// connect-pg-simple or its table.sql made) everything works but
// backend.Owners: Owned yields an error matching errors.ErrUnsupported, and
// Owner and Created are not stored. Options.Owners adds them, or run:
//
//	ALTER TABLE "session" ADD COLUMN IF NOT EXISTS "owner" text,
//	  ADD COLUMN IF NOT EXISTS "created" timestamptz;
//	CREATE INDEX IF NOT EXISTS "IDX_session_owner" ON "session" ("owner") WHERE "owner" IS NOT NULL;
//
// The Store reads the table's columns before its first operation and uses
// owner and created whenever they exist. A sess column of type jsonb or
// text works too (as with connect-pg-simple); jsonb rewrites the JSON text,
// so Data then comes back equivalent rather than byte for byte.
//
// # Operations
//
// Each operation is one statement ("session" stands for the quoted table;
// $now is ceil(now_ms/1000), live is expire >= to_timestamp($now)):
//
//	Get       SELECT sess, date_part('epoch', expire::timestamptz), xmin, owner, created
//	            FROM "session" WHERE sid = $1 AND live
//	Create    INSERT INTO "session" AS s (sid, sess, expire, owner, created)
//	            VALUES ($3, $1, to_timestamp($2), NULLIF($5, ''), $6)
//	            ON CONFLICT (sid) DO UPDATE SET sess = EXCLUDED.sess, expire = EXCLUDED.expire,
//	              owner = EXCLUDED.owner, created = EXCLUDED.created
//	            WHERE s.expire < to_timestamp($now) RETURNING xmin      -- no row: ErrExists
//	Update    UPDATE "session" SET sess = $1, expire = to_timestamp($2), owner = NULLIF($5, ''),
//	            created = COALESCE($6, created) WHERE sid = $3 AND live RETURNING xmin
//	UpdateIf  the same, AND xmin = $7; when no row: SELECT xmin FROM "session"
//	            WHERE sid = $1 AND live tells ErrConflict from ErrNotFound
//	Touch     UPDATE "session" SET expire = to_timestamp($1) WHERE sid = $2 AND live
//	Destroy   DELETE FROM "session" WHERE sid = $1
//	All       SELECT sid, … FROM "session" WHERE live [AND sid > $last] ORDER BY sid LIMIT 256
//	Owned     the same, WHERE owner = $1 AND live …
//	Len       SELECT count(*) FROM "session"       -- expired rows not yet pruned included
//	Clear     DELETE FROM "session"
//	Prune     DELETE FROM "session" WHERE expire < to_timestamp($now)
//
// Get, Touch and Destroy are connect-pg-simple's statements plus the live
// condition on writes (so that a session destroyed or expired since it was
// read is never written back) and the columns sesh needs. Without the owner
// columns, the statements leave them out. Every time is bound as epoch
// seconds in double precision, never as a Go time.Time.
//
// # Data
//
// sess holds Record.Data as JSON text, verbatim, so an Express application
// reads the session express-session wrote, byte for byte. Data that is not
// JSON, such as the middleware's ciphertext or another codec's text, is
// stored as one JSON string and unwrapped on read (a top-level JSON string
// is wrapped too, which keeps the mapping one to one). connect-pg-simple
// has no encryption, so an Express application cannot use such sessions
// (express-session fails on a session that is not an object): encrypt only
// when no Express application reads the table. Data that is not UTF-8 is
// refused with backend.ErrInvalidData; so are session ids holding NUL or
// invalid UTF-8, which PostgreSQL's text cannot hold (Get reports them
// missing), and ids too long for the primary key's index (about 2,700
// bytes). A row whose sess cannot be read (a text column holding something
// else than JSON, a NULL, an infinite expire) is reported with an error
// matching backend.ErrCorrupt and left in place; connect-pg-simple deletes
// such rows.
//
// # Expiry
//
// Exactly connect-pg-simple's, on the application's clock (the database's
// now() is never used, which its issue #25 shows mixes two clocks):
//
//	expire = to_timestamp(ceil(Expires_ms / 1000))
//	         or to_timestamp(ceil(now_ms / 1000 + TTL_s)) for a zero Expires
//	live   ⇔ expire >= to_timestamp(ceil(now_ms / 1000))
//
// So expiries are whole seconds, rounded up: Get returns the stored expiry,
// up to a second later than the Expires written. Touch changes only expire,
// as connect-pg-simple's does (the cookie inside sess goes stale; the column
// is the truth). Record.Modified is not stored, as connect-pg-simple has no
// column for it: Get returns it zero and the middleware derives the time of
// the last write from the expiry, which stays right when Express writes too.
//
// # Time zones
//
// expire is a timestamp without time zone. to_timestamp gives an instant,
// which PostgreSQL stores as the wall-clock time of the writing
// connection's TimeZone setting; reading compares it, and sesh converts it
// back (expire::timestamptz), in the reading connection's TimeZone. So the
// rule, which connect-pg-simple imposes on every application sharing the
// table:
//
//	Every application using the table must connect with the same TimeZone.
//
// Leaving TimeZone to the server's default everywhere keeps it; setting the
// database's to UTC (ALTER DATABASE myapp SET timezone TO 'UTC') is best,
// since in a zone with daylight saving time the hour repeated each autumn
// makes expiries in it ambiguous (PostgreSQL then reads the later one).
// sesh never sets TimeZone; a timezone parameter in Options.URL, or a pool
// whose connections set it, breaks the rule if Express does not do the same.
// Under the rule, sesh's rows are connect-pg-simple's in any zone; across
// zones, expiries shift by the difference (a one-hour session written in
// New York looks expired in UTC), for connect-pg-simple as for sesh.
//
// # Conditional writes
//
// The Token of a record is its row version's xmin, the id of the
// transaction that wrote it, together with the session id. Every write to
// the row, by any program, gives it a new xmin, so UpdateIf notices writes
// by Express, which knows nothing of sesh. It also notices touches,
// Express's and sesh's, which change only the expiry: the middleware then
// reads again and retries, which is harmless. HOT updates and VACUUM
// (freezing keeps xmin since PostgreSQL 9.4) do not change it; a dump and
// restore does, costing one retry. Transaction ids wrap around after 2³²
// transactions: a Token would wrongly match only if its row were rewritten
// by a transaction with the same id, some four billion transactions later,
// while the Token was held. xmin is PostgreSQL's own: servers that imitate
// PostgreSQL without it cannot serve this backend.
//
// The statements work in every pgx query execution mode: the default
// (prepared statements cached per connection), or exec and simple_protocol
// (default_query_exec_mode in the URL) behind PgBouncer's transaction
// pooling.
//
// # Options and connect-pg-simple
//
// Each field of Options names its connect-pg-simple equivalent; the README's
// PostgreSQL table maps them side by side, for a migration.
//
// # Where it differs from connect-pg-simple
//
// Each difference keeps the table and its rows as they are:
//
//   - A failed connection or table creation is not kept for ever: New does
//     no I/O, and the next operation tries again, so a database that is
//     down at start only fails requests until it is back.
//   - Every operation is bounded by OperationTimeout and the caller's
//     context, and fails with an error naming the operation and the cause.
//   - CreateTable derives the primary key and index names from the table
//     name, so two session tables can share a schema (connect-pg-simple's
//     creation fails there: relation "session_pkey" already exists), and
//     takes an advisory lock, so processes starting together do not fail.
//   - Conditional writes (UpdateIf), listing (All, Owned), counting and
//     clearing, which connect-pg-simple lacks.
//   - Update, UpdateIf and Touch never write back a session destroyed or
//     expired since it was read; Create never replaces a live session.
//   - A corrupt row is an error, not a session silently lost; data the
//     table cannot hold is refused before anything is written.
//   - Pruning never overlaps itself, and Close stops it.
//   - Session ids, which are credentials, never appear in errors or logs.
package postgres
