package cipher

import (
	"errors"
	"fmt"
	"strings"
)

// Multi returns a Cipher that encrypts with primary and decrypts with the
// first of primary, then each fallback in order, that accepts the text.
// Use it to move between formats or keys without losing sessions: for
// example Multi(webCrypto, kruptein) writes connect-mongo's WebCrypto
// format and still reads records written with the legacy crypto option,
// which are re-encrypted with primary the next time they are saved.
// (Within one format, prefer listing several secrets in its options: that
// costs less than trying several ciphers.)
//
// No format carries an identifier, so a record is only recognised by
// decrypting it: put the cipher that most records use first. Attempts by
// a cipher of another format fail fast, on the encoding or structure.
//
// When every cipher fails, the error matches ErrDecrypt and wraps each
// cipher's error. Nil fallbacks are ignored; with a nil primary, Encrypt
// returns an error.
func Multi(primary Cipher, fallbacks ...Cipher) Cipher {
	m := &multi{primary: primary}
	if primary != nil {
		m.all = append(m.all, primary)
	}
	for _, c := range fallbacks {
		if c != nil {
			m.all = append(m.all, c)
		}
	}
	return m
}

type multi struct {
	primary Cipher
	all     []Cipher // primary first, without nils
}

func (m *multi) Encrypt(plaintext []byte) (string, error) {
	if m.primary == nil {
		return "", errors.New("cipher: Multi: no primary cipher to encrypt with")
	}
	return m.primary.Encrypt(plaintext)
}

func (m *multi) Decrypt(ciphertext string) ([]byte, error) {
	return m.decrypt(func(c Cipher) ([]byte, error) { return c.Decrypt(ciphertext) })
}

// EncryptBound implements Binder when the primary cipher does.
func (m *multi) EncryptBound(plaintext, ad []byte) (string, error) {
	if m.primary == nil {
		return "", errors.New("cipher: Multi: no primary cipher to encrypt with")
	}
	b, ok := m.primary.(Binder)
	if !ok {
		return "", fmt.Errorf("cipher: Multi: %T cannot bind a ciphertext to a session id: %w", m.primary, errors.ErrUnsupported)
	}
	return b.EncryptBound(plaintext, ad)
}

// DecryptBound implements Binder; a held cipher that is not a Binder fails
// with an error matching errors.ErrUnsupported.
func (m *multi) DecryptBound(ciphertext string, ad []byte) ([]byte, error) {
	for _, c := range m.all {
		if _, ok := c.(Binder); !ok {
			return nil, fmt.Errorf("cipher: Multi: %T cannot bind a ciphertext to a session id: %w", c, errors.ErrUnsupported)
		}
	}
	return m.decrypt(func(c Cipher) ([]byte, error) { return c.(Binder).DecryptBound(ciphertext, ad) })
}

// decrypt returns the plaintext of the first cipher that open accepts.
func (m *multi) decrypt(open func(Cipher) ([]byte, error)) ([]byte, error) {
	var errs []error
	for _, c := range m.all {
		pt, err := open(c)
		if err == nil {
			return pt, nil
		}
		errs = append(errs, err)
	}
	return nil, &multiError{errs: errs}
}

// multiError is the error of a Multi that no cipher could decrypt.
type multiError struct {
	errs []error
}

func (e *multiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: none of %d ciphers accepted the text", ErrDecrypt, len(e.errs))
	prefix := ErrDecrypt.Error() + ": "
	for i, err := range e.errs {
		fmt.Fprintf(&b, "; [%d] %s", i, strings.TrimPrefix(err.Error(), prefix))
	}
	return b.String()
}

// Unwrap returns ErrDecrypt and every cipher's error, so that errors.Is
// matches ErrDecrypt even when a cipher returned some other error.
func (e *multiError) Unwrap() []error {
	return append([]error{ErrDecrypt}, e.errs...)
}
