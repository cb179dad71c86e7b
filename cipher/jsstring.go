package cipher

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// errNotUTF8 reports a plaintext that cannot become a JavaScript string.
var errNotUTF8 = errors.New("plaintext is not valid UTF-8 text")

// appendJSString appends to dst the JSON string literal of s exactly as
// JavaScript's JSON.stringify writes it: '"' and '\' escaped with a
// backslash, the control characters below U+0020 as \b \t \n \f \r or
// \u00xx (lowercase hex), and everything else, including '<', '>', '&',
// U+007F and U+2028/U+2029, verbatim. encoding/json differs on the last
// group, which matters because the literal is what kruptein encrypts.
//
// s must be valid UTF-8: bytes that are not have no JavaScript string
// equivalent, so they are an error rather than being replaced.
func appendJSString(dst, s []byte) ([]byte, error) {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, errNotUTF8
			}
			dst = append(dst, s[i:i+size]...)
			i += size
			continue
		}
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
		i++
	}
	return append(dst, '"'), nil
}

// unwrapJSString returns the string that the JSON string literal b holds.
// When b is not a JSON string literal it returns b unchanged, as
// connect-mongo 6 does when JSON.parse of the decrypted text fails. A lone
// surrogate escape (\ud800), which JavaScript allows and UTF-8 cannot hold,
// becomes U+FFFD.
func unwrapJSString(b []byte) []byte {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return b
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return b
	}
	return []byte(s)
}
