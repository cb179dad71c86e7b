// Package interop holds sesh's interop suite: tests that run the real
// Express stack (express 5, express-session 1.19, connect-mongo 6, from
// node/package-lock.json) and cmd/sesh-compat against one MongoDB-compatible
// database and check that they share sessions in both directions and
// behave alike. The tests need node and npm (they run npm ci themselves)
// and a server in MONGODB_URI; ./scripts/test provides both.
package interop
