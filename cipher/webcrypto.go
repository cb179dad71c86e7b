package cipher

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Defaults of connect-mongo's createWebCryptoAdapter.
const (
	// DefaultWebCryptoSalt is the PBKDF2 salt WebCrypto uses when
	// WebCryptoOptions.Salt is empty: a fixed, public string, the same in
	// every connect-mongo deployment.
	DefaultWebCryptoSalt = "connect-mongo:webcrypto-default-salt"

	// DefaultWebCryptoIterations is the PBKDF2-SHA256 iteration count
	// WebCrypto uses when WebCryptoOptions.Iterations is zero.
	DefaultWebCryptoIterations = 310000

	// MinWebCryptoIterations is the lowest iteration count NewWebCrypto
	// accepts: a third of connect-mongo's default. Fewer make each guess
	// of a weak secret cheap for whoever copies the database.
	MinWebCryptoIterations = 100000

	// DefaultWebCryptoIVLength is the AES-GCM IV size in bytes WebCrypto
	// uses when WebCryptoOptions.IVLength is zero.
	DefaultWebCryptoIVLength = 12
)

const (
	webCryptoKeySize  = 32 // AES-256
	webCryptoTagSize  = 16 // the WebCrypto default tag length, 128 bits
	webCryptoMaxIVLen = 256
)

// WebCryptoOptions configures NewWebCrypto. The zero value of every field
// except Secrets is connect-mongo's default.
type WebCryptoOptions struct {
	// Secrets are the passwords keys are derived from, connect-mongo's
	// secret option. The first encrypts; every one is tried, in order, to
	// decrypt, so that a secret can be rotated by putting the new one
	// first. At least one is required and none may be empty. The bytes of
	// each string are used as they are: Node uses the UTF-8 encoding of a
	// string secret and the raw bytes of a buffer secret.
	Secrets []string

	// Salt is the PBKDF2 salt, connect-mongo's salt option. Empty means
	// DefaultWebCryptoSalt. The salt is not stored in the ciphertext, so
	// reader and writer must agree on it.
	Salt []byte

	// Iterations is the PBKDF2-SHA256 iteration count, connect-mongo's
	// iterations option. Zero means DefaultWebCryptoIterations; a count
	// below MinWebCryptoIterations is an error (connect-mongo accepts any:
	// an Express application configured below the floor must raise its
	// count, which re-keys its sessions, before sharing them).
	Iterations int

	// IVLength is the size in bytes of the random AES-GCM IV, connect-mongo's
	// ivLength option. Zero means DefaultWebCryptoIVLength; other values
	// must be between 12 and 256.
	IVLength int

	// Encoding is how the binary ciphertext is turned into text,
	// connect-mongo's encoding option. The zero value is Base64.
	Encoding Encoding
}

// WebCrypto is connect-mongo's preferred cipher, the one that
//
//	cryptoAdapter: createWebCryptoAdapter({ secret })
//
// configures, with algorithm 'AES-GCM' (the default). Each secret is
// stretched once, in NewWebCrypto, with PBKDF2-SHA256 into an AES-256 key.
// Encrypt seals the plaintext with AES-256-GCM under a random IV, without
// additional data, and returns the encoding of IV ‖ ciphertext ‖ 16-byte
// tag. The plaintext is stored as it is, with no extra JSON encoding.
//
// The format carries no key identifier, so Decrypt tries the key of each
// secret in turn; a failed attempt costs one GCM tag check, not a key
// derivation.
//
// connect-mongo's 'AES-CBC' algorithm is not supported: it has no MAC, so a
// reader cannot tell tampered data from a wrong key or detect
// modification at all, and padding errors make it a decryption oracle.
// Keys are used with random 96-bit IVs; as for any such use of GCM, rotate
// the secret well before 2³² sessions have been written with it.
//
// A WebCrypto is safe for concurrent use.
type WebCrypto struct {
	aeads  []cipher.AEAD // one per secret, in order; the first encrypts
	ivLen  int
	enc    Encoding
	random randomFunc
}

// NewWebCrypto derives a key from each secret in opts and returns a
// WebCrypto that encrypts with the first. Each derivation runs PBKDF2 with
// opts.Iterations rounds, some 50 ms of CPU time at the default count, and
// happens only here, never per message.
func NewWebCrypto(opts WebCryptoOptions) (*WebCrypto, error) {
	if opts.Iterations > 0 && opts.Iterations < MinWebCryptoIterations {
		return nil, fmt.Errorf("cipher: NewWebCrypto: %d PBKDF2 iterations is below the floor of %d: a stolen database's sessions would be cheap to decrypt by guessing the secret", opts.Iterations, MinWebCryptoIterations)
	}
	return newWebCrypto(opts, cryptoRandom)
}

func newWebCrypto(opts WebCryptoOptions, random randomFunc) (*WebCrypto, error) {
	if len(opts.Secrets) == 0 {
		return nil, errors.New("cipher: NewWebCrypto: no secret")
	}
	salt := opts.Salt
	if len(salt) == 0 {
		salt = []byte(DefaultWebCryptoSalt)
	}
	iter := opts.Iterations
	switch {
	case iter == 0:
		iter = DefaultWebCryptoIterations
	case iter < 0:
		return nil, fmt.Errorf("cipher: NewWebCrypto: negative iteration count %d", iter)
	}
	ivLen := opts.IVLength
	switch {
	case ivLen == 0:
		ivLen = DefaultWebCryptoIVLength
	case ivLen < DefaultWebCryptoIVLength || ivLen > webCryptoMaxIVLen:
		return nil, fmt.Errorf("cipher: NewWebCrypto: IV length %d is not between %d and %d",
			ivLen, DefaultWebCryptoIVLength, webCryptoMaxIVLen)
	}
	if !opts.Encoding.valid() {
		return nil, fmt.Errorf("cipher: NewWebCrypto: unknown encoding %v", opts.Encoding)
	}

	for i, secret := range opts.Secrets {
		if secret == "" {
			return nil, fmt.Errorf("cipher: NewWebCrypto: secret %d is empty", i)
		}
	}

	w := &WebCrypto{ivLen: ivLen, enc: opts.Encoding, random: random}
	for i, secret := range opts.Secrets {
		key, err := deriveWebCryptoKey(secret, salt, iter)
		if err != nil {
			return nil, fmt.Errorf("cipher: NewWebCrypto: deriving key %d: %w", i, err)
		}
		aead, err := newGCM(key, ivLen)
		if err != nil {
			return nil, fmt.Errorf("cipher: NewWebCrypto: %w", err)
		}
		w.aeads = append(w.aeads, aead)
	}
	return w, nil
}

// deriveWebCryptoKey runs the key derivation of createWebCryptoAdapter.
func deriveWebCryptoKey(secret string, salt []byte, iter int) ([]byte, error) {
	return pbkdf2.Key(sha256.New, secret, salt, iter, webCryptoKeySize)
}

// newGCM returns AES-GCM with a 16-byte tag and nonceSize-byte nonces.
func newGCM(key []byte, nonceSize int) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if nonceSize == 12 {
		return cipher.NewGCM(block)
	}
	return cipher.NewGCMWithNonceSize(block, nonceSize)
}

// Encrypt seals plaintext with the first secret's key under a fresh random
// IV and returns the encoded IV ‖ ciphertext ‖ tag.
func (w *WebCrypto) Encrypt(plaintext []byte) (string, error) {
	return w.EncryptBound(plaintext, nil)
}

// EncryptBound is Encrypt with associated data: the ciphertext decrypts
// only with the same ad (AES-GCM's additional authenticated data). With a
// nil ad it is Encrypt, and connect-mongo reads the result; with any other
// ad, only DecryptBound with that ad does.
func (w *WebCrypto) EncryptBound(plaintext, ad []byte) (string, error) {
	out := make([]byte, w.ivLen, w.ivLen+len(plaintext)+webCryptoTagSize)
	w.random(out)
	out = w.aeads[0].Seal(out, out[:w.ivLen], plaintext, ad)
	return w.enc.encode(out), nil
}

// Decrypt decodes ciphertext, then opens it with the key of each secret in
// turn and returns the plaintext of the first that authenticates it. Errors
// match ErrDecrypt.
func (w *WebCrypto) Decrypt(ciphertext string) ([]byte, error) {
	return w.DecryptBound(ciphertext, nil)
}

// DecryptBound is Decrypt of a ciphertext that EncryptBound bound to ad.
// A ciphertext bound to other data, or to none, does not decrypt.
func (w *WebCrypto) DecryptBound(ciphertext string, ad []byte) ([]byte, error) {
	const format = "webcrypto"
	raw, err := w.enc.decode(ciphertext)
	if err != nil {
		return nil, decryptError(format, notEncodedReason(w.enc, ciphertext), err)
	}
	if len(raw) < w.ivLen+webCryptoTagSize {
		return nil, decryptError(format, fmt.Sprintf(
			"too short: %d bytes, want at least %d (IV and tag)", len(raw), w.ivLen+webCryptoTagSize), nil)
	}
	iv, sealed := raw[:w.ivLen], raw[w.ivLen:]
	for _, aead := range w.aeads {
		if pt, err := aead.Open(nil, iv, sealed, ad); err == nil {
			return pt, nil
		}
	}
	return nil, decryptError(format, "authentication failed "+withSecrets(len(w.aeads))+
		" (wrong secret, salt or iteration count, or tampered data)", nil)
}
