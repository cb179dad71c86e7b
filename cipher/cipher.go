// Package cipher encrypts sessions at rest in the formats connect-mongo
// uses, so that encrypted sessions can be shared with Express applications.
package cipher

import "errors"

// A Cipher encrypts a serialized session into the text a backend stores,
// and back.
//
// Decrypt returns an error matching ErrDecrypt, never panics, for text it
// cannot decrypt: a wrong key, truncated or tampered ciphertext, or text
// that is not ciphertext at all. Implementations are safe for concurrent
// use.
type Cipher interface {
	Encrypt(plaintext []byte) (string, error)
	Decrypt(ciphertext string) ([]byte, error)
}

// ErrDecrypt reports text that could not be decrypted.
var ErrDecrypt = errors.New("cipher: cannot decrypt session")
