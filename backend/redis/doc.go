// Package redis is a sesh session backend on Redis (a single server, a
// Sentinel-managed one, a Redis Cluster, or a go-redis Ring) that shares
// sessions with Express applications using connect-redis 10, byte for
// byte.
//
// # Layout
//
// The layout is connect-redis's: each session is a string key, Prefix +
// id ("sess:" + id by default), holding Record.Data verbatim (the
// session's JSON as express-session writes it, or the middleware's
// ciphertext), with a TTL in whole seconds. The commands are:
//
//	operation  commands                                    connect-redis
//	Get        GET key + PTTL key (one pipeline)           GET key
//	Create     SET key value EX ttl NX                     SET key value EX ttl
//	Update     SET key value EX ttl XX                     SET key value EX ttl
//	UpdateIf   EVALSHA: GET, compare SHA-1, SET ... EX     -
//	Touch      EXPIRE key ttl                              EXPIRE key ttl
//	Destroy    DEL key                                     DEL key
//	All        SCAN 0 MATCH prefix* COUNT n, then          SCAN, then MGET
//	           GET + PTTL per key, one pipeline per batch
//	Len        SCAN                                        SCAN
//	Clear      SCAN, then DEL per key, one pipeline        SCAN, then DEL k1 k2 ...
//	           per batch
//
// ttl is connect-redis's: ceil((Expires − now) / 1 s) on millisecond
// times, or Options.TTL (86400 s) for a zero Expires (a browser-session
// cookie). A write whose ttl is 0 or less deletes the key instead (DEL),
// as connect-redis does; Touch sends it as is, and Redis deletes the key.
// The SET commands are built by hand so that they always say EX, never PX
// (go-redis's Set sends PX for durations that are not whole seconds, and
// no expiry at all for 0 or less).
//
// Because the TTL is in whole seconds, rounded up, a session lives up to a
// second past its Expires, as it does for Express; Get reports the key's
// real expiry (from PTTL). A key without a TTL (connect-redis's
// disableTTL) reads with a zero Expires. Record.Modified is never stored:
// connect-redis's layout has nowhere to keep it, so Get returns zero and
// the middleware derives the last write from Expires and the cookie's
// max age.
//
// # Options and connect-redis's
//
// Each field of Options names its connect-redis equivalent; the README's
// Redis table maps them side by side, for a migration. connect-redis's
// disableTouch and serializer are the middleware's (TouchAfter, Codec);
// its disableTTL is not offered: every session written gets a TTL, so
// nothing lives forever (keys without one are still read); a ttl function
// has no equivalent, as the middleware computes each session's expiry from
// its cookie, which is what connect-redis uses whenever the cookie has an
// expiry.
//
// # What this backend does that connect-redis does not
//
//   - Create is SET NX and Update SET XX: a new session never overwrites
//     another, and a request that finishes after the session was signed
//     out (destroyed, or expired) does not write it back, which a plain SET
//     does.
//   - UpdateIf (the middleware's optimistic mode) writes only if the
//     session is unchanged since it was read, by anyone: a script compares
//     redis.sha1hex of the stored value with the SHA-1 in the Token, so a
//     write by an Express application is a conflict too.
//   - It works on Redis Cluster: listings SCAN every master
//     (ForEachMaster) and read or delete with per-key pipelines, where
//     connect-redis's MGET and multi-key DEL are refused across slots
//     (CROSSSLOT).
//   - SCAN's pattern is escaped: a prefix with *, ?, [ or \ lists its own
//     keys only.
//   - A key that cannot be read (another type than a string) is reported
//     as that session, with an error matching backend.ErrCorrupt, and
//     listings go on; a server that is down fails each operation within
//     the timeout, with an error, and never reads as "no session".
//
// # Owner index
//
// With Options.Owners, the Store implements backend.Owners (a user's
// sessions, for "sign out everywhere"). Without it, Owned fails with an
// error matching errors.ErrUnsupported, and nothing below is written: the
// commands are exactly those above. (A Ring, which shards by hash tag
// without regard to slots, cannot keep the index; New refuses it.)
//
// The session value stays Express's; Owner and Created go in a companion
// hash, OwnersPrefix + "m:" + {tag} + key, whose hash tag puts it in the
// session key's cluster slot, so that one script writes both atomically on
// a cluster too, and Get reads both in one round trip (GET, PTTL and HMGET
// in one pipeline). Each owner's sessions are listed in a sorted set,
// OwnersPrefix + "o:" + owner, scored by expiry (Unix ms) and living as
// long as its longest-lived entry; it is in another slot, so it is written
// by a script of its own, before the session (in the same pipeline on a
// single server, which runs them in order; one after the other on a
// cluster): a failure between the two leaves an index entry without a
// session, never an owned session missing from the index. Writes raise
// entry scores only (ZADD GT) and drop entries that expired. Owned reads
// the index and then each listed session as Get does, and yields those that
// exist and whose companion names the owner, whatever else happened;
// entries that do not qualify are removed once expired. OwnersPrefix
// defaults to "sesh:" + Prefix, outside connect-redis's SCAN, and its keys
// are hashes and sorted sets, which connect-redis's MGET reads as nil and
// skips.
//
// When an Express application writes an owned session (connect-redis's
// SET), the companion hash is untouched: the session keeps its owner and
// its place in the index. When it deletes one (DEL), the session is gone
// for sesh too; its companion hash and index entry expire with the TTL
// sesh last gave them, and Owned skips them meanwhile. When it touches one
// (EXPIRE), only the session key is extended: ownership lasts until the
// expiry sesh last wrote or touched, so a session that only Express serves
// for longer than that loses its owner.
//
// # Clients
//
// New sends nothing: a server that is down makes operations fail until it
// is back. Each round trip is bounded by Options.OperationTimeout and the
// caller's context. The client the Store creates from a URL honours
// context deadlines on the network (go-redis's ContextTimeoutEnabled);
// for a client of the application, set that option, or go-redis bounds
// network waits by its own ReadTimeout and WriteTimeout instead. go-redis
// retries a command whose connection broke; tune that with the URL's
// max_retries and dialer_retries, or the client's options.
//
// Redis 2.6.12 or later is needed (SET EX NX); the owner index needs 6.2
// (ZADD GT). Values are limited to Redis's 512 MiB (ErrTooLarge).
package redis
