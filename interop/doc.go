// Package interop holds sesh's interop suite: tests that run the real
// Express stack (express 5, express-session 1.19, and connect-mongo 6,
// connect-redis 10 with node-redis 6, or connect-pg-simple 10 with pg 8,
// from node/package-lock.json) and cmd/sesh-compat side by side on one
// store (a MongoDB collection, a Redis key prefix, a PostgreSQL table),
// and check that they share sessions in both directions, store the same
// records with the same expiry, and behave alike, except where sesh
// differs on purpose (the test then asserts the difference).
//
// The tests need node and npm (they run npm ci themselves), a
// MongoDB-compatible server in MONGODB_URI (./scripts/test starts
// FerretDB), Redis in REDIS_URL (default 127.0.0.1:6379; each test uses
// a key prefix of its own and deletes it) and PostgreSQL in DATABASE_URL
// (default 127.0.0.1:5432, database test; each test uses a schema of its
// own and drops it). SESH_INTEROP_STORES (mongo, redis, postgres,
// comma-separated; default all) narrows the stores: ./scripts/test runs
// only the MongoDB part again on FerretDB's PostgreSQL handler.
package interop
