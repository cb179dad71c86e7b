package cookie

// ValidDomain reports whether d may be a cookie's Domain attribute, by the
// rule of the cookie package 0.7.2 that express-session uses: dot-separated
// labels of letters, digits and inner hyphens, 1 to 63 characters each,
// with an optional leading dot. Anything else could inject attributes into
// the Set-Cookie header.
func ValidDomain(d string) bool {
	if d == "" {
		return false
	}
	if d[0] == '.' {
		d = d[1:]
	}
	label := 0
	for i := 0; i <= len(d); i++ {
		if i == len(d) || d[i] == '.' {
			if label == 0 || label > 63 || d[i-1] == '-' {
				return false
			}
			label = 0
			continue
		}
		c := d[i] | 0x20 // ASCII lower case
		switch {
		case c >= 'a' && c <= 'z', d[i] >= '0' && d[i] <= '9':
		case d[i] == '-' && label > 0:
		default:
			return false
		}
		label++
	}
	return true
}

// ValidPath reports whether p may be a cookie's Path attribute, by the
// cookie package 0.7.2's rule: printable ASCII except ';' and '<'.
func ValidPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < 0x20 || c > 0x7e || c == ';' || c == '<' {
			return false
		}
	}
	return true
}
