package cookie

import (
	"net/http"
	"strings"
	"time"
)

// Attributes are the attributes written after the cookie's value, in the
// order cookie 0.7.2's serialize writes them.
type Attributes struct {
	Domain      string
	Path        string
	Expires     time.Time // zero: a browser-session cookie, no Expires
	HTTPOnly    bool
	Secure      bool
	Partitioned bool
	Priority    string // low, medium or high
	SameSite    string // lax, strict or none
}

// Serialize returns a Set-Cookie header value: name=EncodeURIComponent(value)
// followed by the attributes. Max-Age is never written, as in
// express-session; only Expires is.
func Serialize(name, value string, a Attributes) string {
	var b strings.Builder
	b.Grow(len(name) + len(value)*3/2 + 96)
	b.WriteString(name)
	b.WriteByte('=')
	appendURIComponent(&b, value)
	if a.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(a.Domain)
	}
	if a.Path != "" {
		b.WriteString("; Path=")
		b.WriteString(a.Path)
	}
	if !a.Expires.IsZero() {
		b.WriteString("; Expires=")
		b.WriteString(a.Expires.UTC().Format(http.TimeFormat))
	}
	if a.HTTPOnly {
		b.WriteString("; HttpOnly")
	}
	if a.Secure {
		b.WriteString("; Secure")
	}
	if a.Partitioned {
		b.WriteString("; Partitioned")
	}
	switch strings.ToLower(a.Priority) {
	case "low":
		b.WriteString("; Priority=Low")
	case "medium":
		b.WriteString("; Priority=Medium")
	case "high":
		b.WriteString("; Priority=High")
	}
	switch strings.ToLower(a.SameSite) {
	case "lax":
		b.WriteString("; SameSite=Lax")
	case "strict":
		b.WriteString("; SameSite=Strict")
	case "none":
		b.WriteString("; SameSite=None")
	}
	return b.String()
}

// EncodeURIComponent escapes s as JavaScript's encodeURIComponent does:
// everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) becomes %XX of its UTF-8
// bytes, upper-case hex.
func EncodeURIComponent(s string) string {
	var b strings.Builder
	appendURIComponent(&b, s)
	return b.String()
}

func appendURIComponent(b *strings.Builder, s string) {
	const upper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upper[c>>4])
		b.WriteByte(upper[c&15])
	}
}

func unreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '_', '.', '!', '~', '*', '\'', '(', ')':
		return true
	}
	return false
}
