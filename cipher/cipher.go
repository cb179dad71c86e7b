package cipher

import (
	"errors"
	"fmt"
)

// A Cipher encrypts a serialized session into the text a backend stores,
// and back.
//
// Encrypt returns printable ASCII text. Decrypt returns an error matching
// ErrDecrypt, and never panics, for text it cannot decrypt: a wrong key,
// truncated or tampered ciphertext, or text that is not ciphertext at all
// (for example a session stored in clear before encryption was turned on).
// Implementations are safe for concurrent use.
//
// WebCrypto and Kruptein implement the two formats of connect-mongo; Multi
// combines ciphers for key rotation and migrations. The middleware applies
// a Cipher to the sessions of any backend (middleware.Options.Encryption).
type Cipher interface {
	Encrypt(plaintext []byte) (string, error)
	Decrypt(ciphertext string) ([]byte, error)
}

// A Binder is a Cipher that can bind a ciphertext to associated data (the
// session id, for the middleware's Encryption.BindID), so that a ciphertext
// copied under another id does not decrypt. WebCrypto is one; Multi is one
// whose methods decline, with an error matching errors.ErrUnsupported,
// when a cipher it holds is not. A bound ciphertext is not connect-mongo's
// format: Node applications cannot read it.
type Binder interface {
	Cipher
	EncryptBound(plaintext, ad []byte) (string, error)
	DecryptBound(ciphertext string, ad []byte) ([]byte, error)
}

// ErrDecrypt reports text that could not be decrypted. Every decryption
// error returned by this package matches it with errors.Is.
var ErrDecrypt = errors.New("cipher: cannot decrypt session")

// decryptError returns an error that matches ErrDecrypt, names the format
// and says why the text was rejected. cause, when not nil, is wrapped too.
func decryptError(format, reason string, cause error) error {
	if cause == nil {
		return fmt.Errorf("%w: %s: %s", ErrDecrypt, format, reason)
	}
	return fmt.Errorf("%w: %s: %s: %w", ErrDecrypt, format, reason, cause)
}

// withSecrets says which keys were tried: "with the secret" or "with any of
// the n secrets".
func withSecrets(n int) string {
	if n == 1 {
		return "with the secret"
	}
	return fmt.Sprintf("with any of the %d secrets", n)
}

// The ciphers of this package.
var (
	_ Binder = (*WebCrypto)(nil)
	_ Cipher = (*Kruptein)(nil)
	_ Binder = (*multi)(nil)
)
