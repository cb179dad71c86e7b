package middleware

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/seshgo/sesh/cipher"
)

// errPlaintext is why a session stored in clear is refused.
var errPlaintext = errors.New("the stored session is not encrypted and Encryption.RefusePlaintext is set")

// encryption returns the engine's seal and open functions for e. json
// says whether the codec writes express-session's JSON, which is what
// lets a session stored in clear be told from a ciphertext.
func encryption(e Encryption, json bool) (seal, open func(id string, data []byte) ([]byte, error), err error) {
	c := e.Cipher
	encrypt := func(id string, pt []byte) (string, error) { return c.Encrypt(pt) }
	decrypt := func(id string, ct string) ([]byte, error) { return c.Decrypt(ct) }
	if e.BindID {
		b, ok := c.(cipher.Binder)
		if !ok {
			return nil, nil, fmt.Errorf("BindID needs a cipher.Binder, such as cipher.WebCrypto; %T is not one", c)
		}
		if _, err := b.EncryptBound([]byte("{}"), []byte("probe")); err != nil {
			return nil, nil, fmt.Errorf("BindID: the cipher cannot bind: %w", err)
		}
		encrypt = func(id string, pt []byte) (string, error) { return b.EncryptBound(pt, []byte(id)) }
		decrypt = func(id string, ct string) ([]byte, error) { return b.DecryptBound(ct, []byte(id)) }
	}
	seal = func(id string, data []byte) ([]byte, error) {
		ct, err := encrypt(id, data)
		return []byte(ct), err
	}
	open = func(id string, data []byte) ([]byte, error) {
		// No cipher text begins with '{' (they are base64 or hex), and
		// every session in express-session's JSON does.
		if json && isJSONObject(data) {
			if e.RefusePlaintext {
				return nil, errPlaintext
			}
			return data, nil
		}
		pt, err := decrypt(id, string(data))
		if err != nil {
			return nil, err
		}
		return unwrapJSONString(pt), nil
	}
	return seal, open, nil
}

func isJSONObject(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// unwrapJSONString returns the content of text if text is a JSON string
// literal, and text itself otherwise: connect-mongo 6 accepts a decrypted
// session double-encoded that way (written by older versions), and so
// does sesh.
func unwrapJSONString(text []byte) []byte {
	t := bytes.TrimSpace(text)
	if len(t) < 2 || t[0] != '"' {
		return text
	}
	var s string
	if err := json.Unmarshal(t, &s); err != nil {
		return text
	}
	return []byte(s)
}
