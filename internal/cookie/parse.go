package cookie

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxCookieValue bounds the cookie values this package looks at; a session
// cookie is about 80 bytes.
const maxCookieValue = 4096

// Find returns the value of the first cookie named name in r's Cookie
// headers, the way the cookie 0.7.2 parser used by express-session reads it:
// pairs split on ";", name and value trimmed, surrounding double quotes
// removed, and the value percent-decoded when it contains "%" (left as it
// is when the decoding fails). found is false when no such cookie exists.
func Find(h http.Header, name string) (value string, found bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			eq := strings.IndexByte(part, '=')
			if eq < 0 {
				continue
			}
			if strings.TrimSpace(part[:eq]) != name {
				continue
			}
			v := strings.TrimSpace(part[eq+1:])
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if len(v) > maxCookieValue {
				return "", true
			}
			if strings.IndexByte(v, '%') >= 0 {
				if d, ok := DecodeURIComponent(v); ok {
					v = d
				}
			}
			return v, true
		}
	}
	return "", false
}

// DecodeURIComponent decodes %XX escapes as JavaScript's decodeURIComponent
// does, reporting false for a malformed escape. Unlike url.QueryUnescape it
// leaves "+" alone.
func DecodeURIComponent(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		b.WriteByte(hi<<4 | lo)
		i += 2
	}
	out := b.String()
	if !utf8.ValidString(out) {
		return "", false
	}
	return out, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
