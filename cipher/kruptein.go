package cipher

import (
	"bytes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Parameters of kruptein 3.0.8 as connect-mongo 6 configures it
// (aes-256-gcm, sha512, PBKDF2, ASN.1): fixed by the format.
const (
	krupteinIterations = 15000
	krupteinKeySize    = 32
	krupteinSaltSize   = 128
	krupteinIVSize     = 12
	krupteinTagSize    = 16
	krupteinAADKeySize = 128
	krupteinMACLen     = 88 // length of the base64 text of an HMAC-SHA512

	// krupteinRekeyAfter is how many messages a Kruptein encrypts with one
	// salt and key before it draws a new salt: well below the 2³² messages
	// that random 96-bit GCM IVs allow per key.
	krupteinRekeyAfter = 1 << 30
)

// KrupteinOptions configures NewKruptein.
type KrupteinOptions struct {
	// Secrets are the passwords keys are derived from, connect-mongo's
	// crypto.secret. The first encrypts; every one is tried, in order, to
	// decrypt. At least one is required and none may be empty. The bytes of
	// each string are used as they are (Node uses the UTF-8 encoding).
	Secrets []string

	// CacheSize is how many derived read keys are kept, one per pair of
	// secret and stored salt. Zero means DefaultKeyCacheSize; a negative
	// value turns the cache off, so that every Decrypt derives keys.
	CacheSize int
}

// Kruptein is connect-mongo's legacy cipher, the one that
//
//	crypto: { secret }
//
// configures (createKrupteinAdapter): the format of kruptein 3.0.8 with
// connect-mongo's options, which connect-mongo 4.2.2 and later read and
// write. Each stored text is the base64 of a DER SEQUENCE of six OCTET
// STRINGs, in this order:
//
//   - ct: the base64 text of the AES-256-GCM ciphertext;
//   - hmac: the base64 text of HMAC-SHA512, keyed with the AES key, of
//     the ct text;
//   - iv: the 12-byte GCM IV;
//   - salt: the 128-byte PBKDF2 salt;
//   - at: the 16-byte GCM tag;
//   - aad: the base64 text of the 64-byte GCM additional data, itself an
//     HMAC-SHA512 of the plaintext under a random, discarded key.
//
// The AES key is PBKDF2-SHA512(secret, salt, 15000 iterations, 32 bytes).
// What is encrypted is not the plaintext but its JSON string literal, as
// JavaScript's JSON.stringify writes it: kruptein encodes its input as JSON
// and connect-mongo hands it a session that is already JSON text. Encrypt
// does the same, so its output is readable by connect-mongo 4.2.2 to 6.x,
// and Decrypt removes that layer again, so that Decrypt(Encrypt(p)) is p.
// Because of that layer the plaintext must be valid UTF-8, as session JSON
// always is. Decrypt returns a decrypted text that is not a string literal
// as it is, like connect-mongo 6.
//
// # Cost
//
// Each key derivation takes milliseconds, and kruptein derives a fresh key
// for every message from a fresh salt. Kruptein does not: the format
// stores the salt with each message, so a writer may reuse one. A Kruptein
// draws one random salt, derives its key once in NewKruptein, and then
// encrypts every message with that key under a fresh random IV and a fresh
// additional-data key (it draws a new salt after 2³⁰ messages). That is as
// safe as WebCrypto's fixed salt: GCM needs unique IVs, not unique keys.
// Readers, including connect-mongo, derive the key from the stored salt
// as usual.
// For reading, derived keys are kept in a cache bounded by
// KrupteinOptions.CacheSize, keyed by secret and salt, so a record read
// again, and every record this Kruptein wrote, costs no derivation. A
// record written by kruptein itself has its own salt, so reading it the
// first time costs one derivation per secret tried.
//
// Before deriving anything, Decrypt checks the DER structure, the field
// sizes and the base64 of the text fields, so that text which is not a
// Kruptein record is rejected cheaply.
//
// A Kruptein is safe for concurrent use.
type Kruptein struct {
	secrets    []string
	random     randomFunc
	iterations int // krupteinIterations except in fuzz tests
	cache      *keyCache
	rekeyAfter uint64

	mu    sync.Mutex // serializes rekeying
	write atomic.Pointer[writeKey]

	derivations atomic.Uint64 // read keys derived; for tests
}

// derivedKey is an AES key and the GCM built on it.
type derivedKey struct {
	key  []byte
	aead cipher.AEAD
}

// writeKey is the salt and key Encrypt uses, and how often it was used.
type writeKey struct {
	salt []byte
	dk   *derivedKey
	used atomic.Uint64
}

// NewKruptein returns a Kruptein that encrypts with the first of
// opts.Secrets and decrypts with any of them. It draws the salt Encrypt
// uses and derives its key: one PBKDF2 run of a few milliseconds.
func NewKruptein(opts KrupteinOptions) (*Kruptein, error) {
	return newKruptein(opts, cryptoRandom, krupteinIterations)
}

// newKruptein is NewKruptein with a given random source and iteration
// count; only tests use other values than the real ones.
func newKruptein(opts KrupteinOptions, random randomFunc, iterations int) (*Kruptein, error) {
	if len(opts.Secrets) == 0 {
		return nil, errors.New("cipher: NewKruptein: no secret")
	}
	for i, s := range opts.Secrets {
		if s == "" {
			return nil, fmt.Errorf("cipher: NewKruptein: secret %d is empty", i)
		}
	}
	size := opts.CacheSize
	if size == 0 {
		size = DefaultKeyCacheSize
	}
	k := &Kruptein{
		secrets:    append([]string(nil), opts.Secrets...),
		random:     random,
		iterations: iterations,
		cache:      newKeyCache(size),
		rekeyAfter: krupteinRekeyAfter,
	}
	w, err := k.newWriteKey()
	if err != nil {
		return nil, fmt.Errorf("cipher: NewKruptein: %w", err)
	}
	k.write.Store(w)
	return k, nil
}

// deriveKrupteinKey runs kruptein's key derivation, PBKDF2-SHA512 with
// iter iterations (krupteinIterations).
func deriveKrupteinKey(secret string, salt []byte, iter int) (*derivedKey, error) {
	key, err := pbkdf2.Key(sha512.New, secret, salt, iter, krupteinKeySize)
	if err != nil {
		return nil, fmt.Errorf("deriving key: %w", err)
	}
	aead, err := newGCM(key, krupteinIVSize)
	if err != nil {
		return nil, err
	}
	return &derivedKey{key: key, aead: aead}, nil
}

func (k *Kruptein) newWriteKey() (*writeKey, error) {
	salt := make([]byte, krupteinSaltSize)
	k.random(salt)
	dk, err := deriveKrupteinKey(k.secrets[0], salt, k.iterations)
	if err != nil {
		return nil, err
	}
	return &writeKey{salt: salt, dk: dk}, nil
}

// writer returns the write key, drawing a new one when the current one has
// been used rekeyAfter times.
func (k *Kruptein) writer() (*writeKey, error) {
	for {
		w := k.write.Load()
		if w.used.Add(1) <= k.rekeyAfter {
			return w, nil
		}
		if err := k.rekey(w); err != nil {
			return nil, err
		}
	}
}

func (k *Kruptein) rekey(old *writeKey) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.write.Load() != old {
		return nil // another goroutine replaced it
	}
	w, err := k.newWriteKey()
	if err != nil {
		return err
	}
	// Records written with the old key are still read without derivation
	// while they stay in the cache.
	k.cache.put(keyCacheKey{0, string(old.salt)}, old.dk)
	k.write.Store(w)
	return nil
}

// readKey returns the key of secret i for salt, from the write key, the
// cache, or a fresh derivation, which it then caches.
func (k *Kruptein) readKey(i int, salt []byte) (*derivedKey, error) {
	if i == 0 {
		if w := k.write.Load(); bytes.Equal(w.salt, salt) {
			return w.dk, nil
		}
	}
	ck := keyCacheKey{i, string(salt)}
	if dk := k.cache.get(ck); dk != nil {
		return dk, nil
	}
	dk, err := deriveKrupteinKey(k.secrets[i], salt, k.iterations)
	if err != nil {
		return nil, err
	}
	k.derivations.Add(1)
	k.cache.put(ck, dk)
	return dk, nil
}

// Encrypt encrypts the JSON string literal of plaintext with the first
// secret and returns the base64 text of the DER record. plaintext must be
// valid UTF-8.
func (k *Kruptein) Encrypt(plaintext []byte) (string, error) {
	pt, err := appendJSString(make([]byte, 0, len(plaintext)+32), plaintext)
	if err != nil {
		return "", fmt.Errorf("cipher: kruptein: %w (the format carries text only)", err)
	}
	w, err := k.writer()
	if err != nil {
		return "", fmt.Errorf("cipher: kruptein: %w", err)
	}
	iv := make([]byte, krupteinIVSize)
	k.random(iv)
	aadKey := make([]byte, krupteinAADKeySize)
	k.random(aadKey)
	aad := hmacSHA512(aadKey, pt)

	sealed := w.dk.aead.Seal(nil, iv, pt, aad)
	n := len(sealed) - krupteinTagSize
	rec := krupteinRecord{
		Ct:   base64.StdEncoding.AppendEncode(nil, sealed[:n]),
		IV:   iv,
		Salt: w.salt,
		At:   sealed[n:],
		AAD:  base64.StdEncoding.AppendEncode(nil, aad),
	}
	rec.Hmac = base64.StdEncoding.AppendEncode(nil, hmacSHA512(w.dk.key, rec.Ct))
	der, err := rec.marshal()
	if err != nil {
		return "", fmt.Errorf("cipher: kruptein: %w", err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// Decrypt checks and decodes a Kruptein record, verifies its HMAC with the
// key each secret gives for the stored salt, in turn, opens the GCM
// ciphertext with the key that verified, and returns the string the
// decrypted JSON string literal holds. Errors match ErrDecrypt.
func (k *Kruptein) Decrypt(ciphertext string) ([]byte, error) {
	const format = "kruptein"
	raw, err := decodeBase64(strictStd, ciphertext)
	if err != nil {
		return nil, decryptError(format, notEncodedReason(Base64, ciphertext), err)
	}
	rec, err := parseKrupteinRecord(raw)
	if err != nil {
		return nil, decryptError(format, "not a kruptein AES-256-GCM record", err)
	}
	ct, err := decodeBase64(strictStd, string(rec.Ct))
	if err != nil {
		return nil, decryptError(format, "ct field is not base64", err)
	}
	aad, err := decodeBase64(strictStd, string(rec.AAD))
	if err != nil {
		return nil, decryptError(format, "aad field is not base64", err)
	}

	var dk *derivedKey
	for i := range k.secrets {
		cand, err := k.readKey(i, rec.Salt)
		if err != nil {
			return nil, decryptError(format, "cannot derive key", err)
		}
		mac := base64.StdEncoding.AppendEncode(nil, hmacSHA512(cand.key, rec.Ct))
		if hmac.Equal(mac, rec.Hmac) {
			dk = cand
			break
		}
	}
	if dk == nil {
		return nil, decryptError(format, "HMAC mismatch "+withSecrets(len(k.secrets))+
			" (wrong secret, or tampered data)", nil)
	}

	sealed := append(ct, rec.At...)
	pt, err := dk.aead.Open(sealed[:0], rec.IV, sealed, aad)
	if err != nil {
		return nil, decryptError(format, "authentication failed (tampered IV, tag or additional data)", nil)
	}
	return unwrapJSString(pt), nil
}

func hmacSHA512(key, msg []byte) []byte {
	m := hmac.New(sha512.New, key)
	m.Write(msg)
	return m.Sum(nil)
}
