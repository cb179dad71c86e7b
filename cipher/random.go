package cipher

import "crypto/rand"

// randomFunc fills b with random bytes. Production code uses cryptoRandom;
// tests substitute a deterministic source to reproduce published vectors.
type randomFunc func(b []byte)

// cryptoRandom fills b from crypto/rand, which never fails (Go 1.24+).
func cryptoRandom(b []byte) {
	_, _ = rand.Read(b)
}
