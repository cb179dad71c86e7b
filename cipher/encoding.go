package cipher

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Encoding is how WebCrypto turns its binary output into stored text:
// connect-mongo's createWebCryptoAdapter encoding option. The zero value is
// Base64, connect-mongo's default.
type Encoding int

const (
	// Base64 is standard, padded base64: Node's 'base64' (the default).
	Base64 Encoding = iota
	// Base64URL is URL-safe base64 without padding: Node's 'base64url'.
	Base64URL
	// Hex is lowercase hexadecimal: Node's 'hex'.
	Hex
)

// String returns the name connect-mongo uses for e: "base64", "base64url" or
// "hex".
func (e Encoding) String() string {
	switch e {
	case Base64:
		return "base64"
	case Base64URL:
		return "base64url"
	case Hex:
		return "hex"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// ParseEncoding returns the Encoding that connect-mongo names name:
// "base64", "base64url" or "hex".
func ParseEncoding(name string) (Encoding, error) {
	for _, e := range []Encoding{Base64, Base64URL, Hex} {
		if name == e.String() {
			return e, nil
		}
	}
	return 0, fmt.Errorf("cipher: unknown encoding %q (want base64, base64url or hex)", name)
}

func (e Encoding) valid() bool {
	return e == Base64 || e == Base64URL || e == Hex
}

func (e Encoding) encode(b []byte) string {
	switch e {
	case Base64URL:
		return base64.RawURLEncoding.EncodeToString(b)
	case Hex:
		return hex.EncodeToString(b)
	default:
		return base64.StdEncoding.EncodeToString(b)
	}
}

// errLineBreak reports a line break inside base64 text, which Go's decoder
// would otherwise skip silently.
var errLineBreak = errors.New("line break in base64 text")

// decode is strict: it accepts exactly what encode produces (hex in either
// case), without surrounding space or line breaks.
func (e Encoding) decode(s string) ([]byte, error) {
	switch e {
	case Hex:
		return hex.DecodeString(s)
	case Base64URL:
		return decodeBase64(strictRawURL, s)
	default:
		return decodeBase64(strictStd, s)
	}
}

// Strict decoders reject non-zero padding bits, so that every byte string
// has exactly one accepted text.
var (
	strictStd    = base64.StdEncoding.Strict()
	strictRawURL = base64.RawURLEncoding.Strict()
)

// decodeBase64 decodes canonical base64 text with enc, rejecting the line
// breaks that encoding/base64 otherwise ignores.
func decodeBase64(enc *base64.Encoding, s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errLineBreak
	}
	return enc.DecodeString(s)
}

// notEncodedReason explains why text failed to decode, with a hint for the
// most common cause: a session stored in clear.
func notEncodedReason(e Encoding, s string) string {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") || strings.HasPrefix(t, `"`) {
		return "not " + e.String() + " text (it looks like a session stored unencrypted)"
	}
	return "not " + e.String() + " text"
}
