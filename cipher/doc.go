// Package cipher encrypts sessions at rest in the formats connect-mongo
// uses, so that encrypted sessions can be shared with Express
// applications.
//
// A Cipher turns the session text a codec produces into the text a backend
// stores, and back. The middleware applies one to the sessions of any
// backend (middleware.Options.Encryption).
//
// # Formats
//
// WebCrypto is connect-mongo 6's preferred format, written by
//
//	cryptoAdapter: createWebCryptoAdapter({ secret })
//
// The key is PBKDF2-SHA256 of the secret with a fixed salt (by default
// "connect-mongo:webcrypto-default-salt") and 310000 iterations; each
// session is sealed with AES-256-GCM under a random 12-byte IV, and the
// stored text is the base64 (or base64url, or hex) of IV ‖ ciphertext ‖
// tag. Nothing else is stored: reader and writer must agree on the salt,
// iteration count, IV length and encoding.
//
// Kruptein is the legacy format, written by connect-mongo's
//
//	crypto: { secret }
//
// option through kruptein 3.0.8. Each record carries its own 128-byte salt
// and an HMAC, in a base64-encoded DER structure, and the plaintext is
// JSON-encoded once more before encryption; see Kruptein for the layout.
//
// Both formats are authenticated: a wrong key, a changed byte or a
// truncated record is detected, and Decrypt returns an error matching
// ErrDecrypt. The AES-CBC mode of createWebCryptoAdapter is not supported:
// it has no MAC, so it detects none of these.
//
// # Key derivation cost
//
// Deriving a key is deliberately slow. WebCrypto derives one key per
// secret, once, in NewWebCrypto (some 50 ms of CPU time each at the
// default iteration count); after that, Encrypt and Decrypt cost about a
// microsecond. Kruptein's format stores a salt per record, so a reader
// must derive a key (some 6 ms) for every salt it meets. Kruptein
// keeps that rare: it writes every record with one salt whose key it
// derived in NewKruptein, and caches the keys it derives for reading.
// See the Kruptein documentation for the details.
//
// # Rotation
//
// Neither format says which key encrypted a record. To rotate a secret,
// list the new one first in the options' Secrets: new records are written
// with it and records written with any listed secret are still read. A
// wrong key costs one tag or HMAC check per secret, plus, for Kruptein,
// one key derivation per secret for a salt not yet cached. Once every
// record written with an old secret has expired (a cookie's maxAge, or
// the backend's TTL), remove the old secret.
//
// To change format, for example from the legacy kruptein format to
// WebCrypto, use Multi(newCipher, oldCipher): records are read in either
// format and written in the new one.
//
// Session ids, expiry dates and the other fields of a backend.Record are
// not encrypted, as in connect-mongo.
package cipher
