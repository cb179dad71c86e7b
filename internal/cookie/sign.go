// Package cookie reads, signs and writes the session cookie exactly as
// express-session 1.19 does (cookie 0.7.2 and cookie-signature 1.0.7).
package cookie

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strings"
	"sync"
)

// A Signer signs session ids with the first of its secrets and verifies
// signatures made with any of them. It is safe for concurrent use.
type Signer struct {
	keys []key
}

type key struct {
	pool *sync.Pool // of *macState keyed with one secret
}

// macState is an HMAC and its buffers, reused through a pool so that
// signing and verifying allocate nothing.
type macState struct {
	h   hash.Hash
	in  []byte
	sum [sha256.Size]byte
}

// NewSigner returns a Signer for secrets, which must not be empty.
func NewSigner(secrets []string) *Signer {
	s := &Signer{keys: make([]key, len(secrets))}
	for i, secret := range secrets {
		secret := []byte(secret)
		s.keys[i] = key{pool: &sync.Pool{New: func() any { return &macState{h: hmac.New(sha256.New, secret)} }}}
	}
	return s
}

// sigLen is the length of an unpadded base64 HMAC-SHA256.
var sigLen = base64.RawStdEncoding.EncodedLen(sha256.Size)

// mac returns the unpadded standard base64 HMAC-SHA256 of value under key k.
func (k key) mac(value string) (sig [43]byte) {
	m := k.pool.Get().(*macState)
	m.h.Reset()
	m.in = append(m.in[:0], value...)
	m.h.Write(m.in)
	base64.RawStdEncoding.Encode(sig[:], m.h.Sum(m.sum[:0]))
	k.pool.Put(m)
	return sig
}

// Sign returns value + "." + signature, signed with the first secret: what
// cookie-signature's sign(value, secret) returns.
func (s *Signer) Sign(value string) string {
	sig := s.keys[0].mac(value)
	return value + "." + string(sig[:])
}

// Unsign verifies signed, which has the form value + "." + signature, against
// every secret in constant time and returns value if one matches. As in
// cookie-signature, the last "." separates the signature, so values may
// contain dots.
func (s *Signer) Unsign(signed string) (string, bool) {
	dot := strings.LastIndexByte(signed, '.')
	if dot < 0 || len(signed)-dot-1 != sigLen {
		return "", false
	}
	value, sig := signed[:dot], signed[dot+1:]
	ok := false
	for _, k := range s.keys {
		// Every secret is tried, so the time taken does not reveal which
		// one matched.
		want := k.mac(value)
		if hmac.Equal(want[:], []byte(sig)) {
			ok = true
		}
	}
	if !ok {
		return "", false
	}
	return value, true
}
