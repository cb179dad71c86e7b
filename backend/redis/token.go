package redis

import (
	"crypto/sha1"
	"encoding/hex"

	"github.com/seshgo/sesh/backend"
)

// version is what the Store's Tokens hold: the SHA-1 of the value read or
// written, which UpdateIf compares, in a script, with redis.sha1hex of the
// stored value, so that a write by any client (connect-redis included)
// is a conflict; and, with the owner index on, the owner stored with it,
// compared too and used by Touch to find the index to extend.
//
// SHA-1 is what Redis's Lua offers; it detects change, it authenticates
// nothing.
type version struct {
	sum   [sha1.Size]byte
	owner string
}

func newToken(data []byte, owner string) backend.Token {
	return backend.NewToken(&version{sum: sha1.Sum(data), owner: owner})
}

// versionOf returns the version in t, or nil for the zero Token and those
// of other backends.
func versionOf(t backend.Token) *version {
	v, _ := t.Sys().(*version)
	return v
}

func (v *version) hex() string { return hex.EncodeToString(v.sum[:]) }
