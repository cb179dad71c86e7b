package codec

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// JSON is the default Codec: express-session's JSON text, byte for byte.
var JSON Codec = jsonCodec{}

type jsonCodec struct{}

// Encode writes p as express-session's JSON. Keys that JavaScript treats as
// array indexes ("0", "17") come first in ascending order, as
// JSON.stringify orders them; the other keys keep their order.
func (jsonCodec) Encode(p *Payload) ([]byte, error) {
	size := 160 + len(p.Cookie.Domain)
	for _, v := range p.Values {
		size += len(v.Key) + len(v.JSON) + 4
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	write := func(v Value) error {
		if len(v.JSON) == 0 {
			return fmt.Errorf("codec: value %q has no JSON text", v.Key)
		}
		b = AppendString(b, v.Key)
		b = append(b, ':')
		b = append(b, v.JSON...)
		b = append(b, ',')
		return nil
	}
	indexes := 0
	for _, v := range p.Values {
		if arrayIndex(v.Key) {
			indexes++
		}
	}
	if indexes > 0 {
		ordered := make([]Value, 0, indexes)
		for _, v := range p.Values {
			if arrayIndex(v.Key) {
				ordered = append(ordered, v)
			}
		}
		sortByIndex(ordered)
		for _, v := range ordered {
			if err := write(v); err != nil {
				return nil, err
			}
		}
	}
	b = append(b, `"cookie":`...)
	b = appendCookie(b, &p.Cookie)
	b = append(b, ',')
	for _, v := range p.Values {
		if v.Key == "cookie" {
			return nil, fmt.Errorf("codec: the key %q is reserved", v.Key)
		}
		if indexes > 0 && arrayIndex(v.Key) {
			continue
		}
		if err := write(v); err != nil {
			return nil, err
		}
	}
	b[len(b)-1] = '}'
	return b, nil
}

func appendCookie(b []byte, c *Cookie) []byte {
	b = append(b, `{"originalMaxAge":`...)
	if c.Expires.IsZero() {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, c.OriginalMaxAge.Milliseconds(), 10)
	}
	if c.Partitioned {
		b = append(b, `,"partitioned":true`...)
	}
	if c.Priority != "" {
		b = append(b, `,"priority":`...)
		b = AppendString(b, c.Priority)
	}
	b = append(b, `,"expires":`...)
	if c.Expires.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = c.Expires.UTC().AppendFormat(b, DateLayout)
		b = append(b, '"')
	}
	if c.Secure {
		b = append(b, `,"secure":true`...)
	} else if c.SecureSet {
		b = append(b, `,"secure":false`...)
	}
	if c.HTTPOnly {
		b = append(b, `,"httpOnly":true`...)
	} else {
		b = append(b, `,"httpOnly":false`...)
	}
	if c.Domain != "" {
		b = append(b, `,"domain":`...)
		b = AppendString(b, c.Domain)
	}
	if c.Path != "" {
		b = append(b, `,"path":`...)
		b = AppendString(b, c.Path)
	}
	if c.SameSite != "" {
		b = append(b, `,"sameSite":`...)
		b = AppendString(b, c.SameSite)
	}
	return append(b, '}')
}

// Decode parses express-session's JSON as JSON.parse reads it: keys are
// compared unescaped ("\u0063ookie" is the cookie), the first occurrence of
// a key fixes its position and the last its value.
func (jsonCodec) Decode(data []byte) (*Payload, error) {
	if !json.Valid(data) {
		return nil, fmt.Errorf("%w: not valid JSON", ErrMalformed)
	}
	p := &Payload{}
	var cookie []byte
	var index map[string]int
	var it members
	if err := it.start(data); err != nil {
		return nil, err
	}
	for it.next() {
		value := it.value
		name, err := it.name()
		if err != nil {
			return nil, err
		}
		if string(name) == "cookie" {
			cookie = value
			continue
		}
		key := string(name)
		if len(p.Values) >= 8 && index == nil {
			index = make(map[string]int, 16)
			for i, v := range p.Values {
				index[v.Key] = i
			}
		}
		if i, ok := lookup(p.Values, index, key); ok {
			p.Values[i].JSON = value
			continue
		}
		if index != nil {
			index[key] = len(p.Values)
		}
		if p.Values == nil {
			p.Values = make([]Value, 0, 4)
		}
		p.Values = append(p.Values, Value{Key: key, JSON: value})
	}
	if it.err != nil {
		return nil, it.err
	}
	if cookie == nil {
		return nil, fmt.Errorf("%w: no cookie", ErrMalformed)
	}
	if err := decodeCookie(cookie, &p.Cookie); err != nil {
		return nil, err
	}
	return p, nil
}

func lookup(values []Value, index map[string]int, key string) (int, bool) {
	if index != nil {
		i, ok := index[key]
		return i, ok
	}
	for i := range values {
		if values[i].Key == key {
			return i, true
		}
	}
	return 0, false
}

// decodeCookie decodes express-session's cookie object. Every field is
// checked for its type, so that a wrong type is reported, not ignored;
// unknown fields are ignored.
func decodeCookie(data []byte, c *Cookie) error {
	*c = Cookie{HTTPOnly: true}
	var it members
	if err := it.start(data); err != nil {
		return fmt.Errorf("%w: cookie is not an object", ErrMalformed)
	}
	for it.next() {
		raw := it.value
		name, err := it.name()
		if err != nil {
			return err
		}
		switch string(name) {
		case "originalMaxAge":
			var ms float64
			var ok bool
			if ms, ok, err = number(raw); ok {
				c.OriginalMaxAge = time.Duration(math.Round(ms)) * time.Millisecond
			}
		case "expires":
			err = date(raw, &c.Expires)
		case "partitioned":
			err = boolean(raw, &c.Partitioned)
		case "priority":
			err = str(raw, &c.Priority)
		case "secure":
			err = boolean(raw, &c.Secure)
			c.SecureSet = !absent(raw)
		case "httpOnly":
			err = boolean(raw, &c.HTTPOnly)
		case "domain":
			err = str(raw, &c.Domain)
		case "path":
			err = str(raw, &c.Path)
		case "sameSite":
			// express-session accepts true for "strict" and false for none.
			switch string(raw) {
			case "true":
				c.SameSite = "strict"
			case "false":
				c.SameSite = ""
			default:
				err = str(raw, &c.SameSite)
			}
		}
		if err != nil {
			return fmt.Errorf("%w: cookie.%s: %v", ErrMalformed, it.rawKey, err)
		}
	}
	return it.err
}

func absent(raw []byte) bool { return len(raw) == 0 || string(raw) == "null" }

func number(raw []byte) (float64, bool, error) {
	if absent(raw) {
		return 0, false, nil
	}
	c := raw[0]
	if c != '-' && (c < '0' || c > '9') {
		return 0, false, fmt.Errorf("want a number, got %.20s", raw)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.Abs(f) > float64(math.MaxInt64/int64(time.Millisecond)) {
		return 0, false, fmt.Errorf("number out of range: %.20s", raw)
	}
	return f, true, nil
}

func boolean(raw []byte, dst *bool) error {
	switch string(raw) {
	case "", "null":
		return nil
	case "true":
		*dst = true
		return nil
	case "false":
		*dst = false
		return nil
	}
	return fmt.Errorf("want a boolean, got %.20s", raw)
}

func str(raw []byte, dst *string) error {
	if absent(raw) {
		return nil
	}
	if raw[0] != '"' {
		return fmt.Errorf("want a string, got %.20s", raw)
	}
	// The values almost every cookie holds, without allocating a copy.
	switch string(raw) {
	case `"/"`:
		*dst = "/"
		return nil
	case `"lax"`:
		*dst = "lax"
		return nil
	case `"strict"`:
		*dst = "strict"
		return nil
	case `"none"`:
		*dst = "none"
		return nil
	}
	s, err := unquote(raw)
	*dst = s
	return err
}

func date(raw []byte, dst *time.Time) error {
	if absent(raw) {
		return nil
	}
	if raw[0] != '"' {
		// A number is milliseconds since the epoch, as new Date(n) reads it.
		ms, _, err := number(raw)
		if err != nil {
			return fmt.Errorf("want a date, got %.20s", raw)
		}
		*dst = time.UnixMilli(int64(ms)).UTC()
		return nil
	}
	if t, ok := parseJSDate(raw); ok {
		*dst = t
		return nil
	}
	s, err := unquote(raw)
	if err != nil {
		return err
	}
	t, err := ParseDate(s)
	if err != nil {
		return err
	}
	*dst = t
	return nil
}

// parseJSDate parses "2006-01-02T15:04:05.000Z", quotes included, the form
// Date.prototype.toJSON always writes, without allocating: the date of
// every session is read on every request. ok is false for any other form,
// which ParseDate then reads.
func parseJSDate(q []byte) (t time.Time, ok bool) {
	if len(q) != len(DateLayout)+2 || q[0] != '"' || q[len(q)-1] != '"' {
		return t, false
	}
	b := q[1 : len(q)-1]
	if b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != '.' || b[23] != 'Z' {
		return t, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	ms, ok7 := num(20, 3)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) ||
		month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return t, false
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, ms*int(time.Millisecond), time.UTC)
	if t.Day() != day { // February 30th and the like: let ParseDate refuse it
		return time.Time{}, false
	}
	return t, true
}

// ParseDate parses a date as JavaScript's Date.toJSON writes it, and the
// other ISO 8601 forms that time.RFC3339 accepts.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want an ISO 8601 date, got %.40q", s)
	}
	return t.UTC(), nil
}

// members iterates over the members of a JSON object, which must be valid
// JSON: keys unescaped, values as raw JSON text sharing the input.
type members struct {
	data   []byte
	i      int
	quoted []byte // the current key as written, quotes included
	rawKey []byte // the same without its quotes
	value  []byte
	err    error
	done   bool
}

// name returns the current key, unescaped: without copying when it is
// plain ASCII.
func (m *members) name() ([]byte, error) {
	for _, c := range m.rawKey {
		if c == '\\' || c >= utf8.RuneSelf {
			s, err := unquote(m.quoted)
			return []byte(s), err
		}
	}
	return m.rawKey, nil
}

func (m *members) start(data []byte) error {
	m.data = data
	m.i = skipSpace(data, 0)
	if m.i >= len(data) || data[m.i] != '{' {
		return fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	m.i = skipSpace(data, m.i+1)
	m.done = m.i >= len(data) || data[m.i] == '}'
	return nil
}

func (m *members) next() bool {
	if m.done || m.err != nil {
		return false
	}
	data := m.data
	end := stringEnd(data, m.i)
	if end-m.i < 2 {
		m.err = fmt.Errorf("%w: bad key", ErrMalformed)
		return false
	}
	m.quoted = data[m.i:end]
	m.rawKey = m.quoted[1 : len(m.quoted)-1]
	i := skipSpace(data, end)
	i = skipSpace(data, i+1) // the colon
	vend := valueEnd(data, i)
	m.value = data[i:vend:vend]
	i = skipSpace(data, vend)
	if i >= len(data) || data[i] == '}' {
		m.done = true
	} else {
		m.i = skipSpace(data, i+1) // the comma
	}
	return true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the string that starts at data[i].
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// valueEnd returns the index just past the value that starts at data[i].
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = stringEnd(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}

// unquote returns the string a JSON string literal denotes.
func unquote(quoted []byte) (string, error) {
	if len(quoted) < 2 {
		return "", fmt.Errorf("%w: bad key", ErrMalformed)
	}
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", fmt.Errorf("%w: bad key: %v", ErrMalformed, err)
	}
	return s, nil
}

// AppendString appends s as a JSON string the way JSON.stringify writes it:
// no HTML escaping, control characters escaped, invalid UTF-8 replaced by
// U+FFFD.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hex = "0123456789abcdef"

// arrayIndex reports whether JavaScript treats key as an array index
// (a canonical integer below 2³²−1), which JSON.stringify writes first.
func arrayIndex(key string) bool {
	if key == "" || len(key) > 10 || (key[0] == '0' && len(key) > 1) {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return false
		}
	}
	n, err := strconv.ParseUint(key, 10, 64)
	return err == nil && n < math.MaxUint32
}

func sortByIndex(values []Value) {
	slices.SortStableFunc(values, func(a, b Value) int {
		x, _ := strconv.ParseUint(a.Key, 10, 64)
		y, _ := strconv.ParseUint(b.Key, 10, 64)
		return cmp.Compare(x, y)
	})
}
