package mongo

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
)

// Nesting limits. MongoDB refuses documents nested more than 100 levels
// deep; the session sub-document is one level below the stored document.
const (
	maxWriteDepth = 99
	maxReadDepth  = 200
)

// JSONToDocument converts a session's JSON text (a JSON object, as
// express-session's codec writes it) to the BSON document that
// connect-mongo stores with stringify: false, the way the Node.js driver
// serializes the parsed session:
//
//   - session.cookie is the object of express-session's Cookie.toJSON()
//     with every field: originalMaxAge, partitioned, priority, expires,
//     secure, httpOnly, domain, path, sameSite in this order, those the
//     JSON leaves out (undefined in JavaScript) as null, as the Node.js
//     driver writes them; members of other names follow;
//   - session.cookie.expires, when it is an ISO 8601 date string, becomes a
//     BSON date (express-session's cookie holds a Date there);
//   - a number is stored so that it reads back as the same number: an
//     integer in the int32 range as an int32 (1, 1.0 and 1e2 alike), other
//     integers as a double when a double reads back as the same integer
//     (2592000000), else as an int64 (9007199254740993); other numbers as
//     a double (0.5), -0 as a negative-zero double;
//   - strings, booleans, null, objects and arrays map to their BSON
//     counterparts, keys in the order of the text.
//
// Keys that MongoDB cannot store, a key containing '.' or a NUL byte or
// starting with '$' at any depth, are an error, as are numbers that no
// BSON number holds exactly (1e400, 0.10000000000000000001, integers
// beyond int64 that no double holds), duplicate keys, nesting deeper than
// MongoDB allows and text that is not a JSON object in UTF-8. Every error
// matches backend.ErrInvalidData.
func JSONToDocument(data []byte) (bson.Raw, error) {
	if !json.Valid(data) {
		return nil, invalidf("the session is not valid JSON")
	}
	if !utf8.Valid(data) {
		// encoding/json would read each invalid byte as U+FFFD.
		return nil, invalidf("the session is not UTF-8 text")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, invalidf("%v", err)
	}
	if tok != json.Delim('{') {
		return nil, invalidf("the session is not a JSON object")
	}
	w := jsonReader{dec: dec}
	doc, err := w.object(make([]byte, 0, len(data)+len(data)/4+16), "", 1)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidf("trailing data after the session object")
	}
	return doc, nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", backend.ErrInvalidData, fmt.Sprintf(format, args...))
}

type jsonReader struct {
	dec *json.Decoder
}

// object reads the members of an object whose '{' has been read and
// appends them to dst as a BSON document. path names the object in errors.
func (r *jsonReader) object(dst []byte, path string, depth int) ([]byte, error) {
	if depth > maxWriteDepth {
		return nil, invalidf("%s: nested more than %d levels deep", pathName(path), maxWriteDepth)
	}
	idx, dst := bsoncore.AppendDocumentStart(dst)
	var seen map[string]struct{}
	var keys []string
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, invalidf("%v", err)
		}
		if tok == json.Delim('}') {
			break
		}
		key, ok := tok.(string)
		if !ok {
			return nil, invalidf("%s: unexpected %v", pathName(path), tok)
		}
		if err := checkKey(path, key); err != nil {
			return nil, err
		}
		if seen == nil && len(keys) < 16 {
			for _, k := range keys {
				if k == key {
					return nil, invalidf("%s: duplicate key %q", pathName(path), key)
				}
			}
			keys = append(keys, key)
			if len(keys) == 16 {
				seen = make(map[string]struct{}, 32)
				for _, k := range keys {
					seen[k] = struct{}{}
				}
			}
		} else {
			if _, dup := seen[key]; dup {
				return nil, invalidf("%s: duplicate key %q", pathName(path), key)
			}
			seen[key] = struct{}{}
		}
		if dst, err = r.value(dst, key, joinPath(path, key), depth); err != nil {
			return nil, err
		}
	}
	return bsoncore.AppendDocumentEnd(dst, idx)
}

// array reads the elements of an array whose '[' has been read.
func (r *jsonReader) array(dst []byte, path string, depth int) ([]byte, error) {
	if depth > maxWriteDepth {
		return nil, invalidf("%s: nested more than %d levels deep", pathName(path), maxWriteDepth)
	}
	idx, dst := bsoncore.AppendArrayStart(dst)
	for i := 0; r.dec.More(); i++ {
		key := strconv.Itoa(i)
		var err error
		if dst, err = r.value(dst, key, path+"["+key+"]", depth); err != nil {
			return nil, err
		}
	}
	if tok, err := r.dec.Token(); err != nil || tok != json.Delim(']') {
		return nil, invalidf("%s: unterminated array", pathName(path))
	}
	return bsoncore.AppendArrayEnd(dst, idx)
}

// value reads one value and appends it as the element key.
func (r *jsonReader) value(dst []byte, key, path string, depth int) ([]byte, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, invalidf("%v", err)
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			dst = bsoncore.AppendHeader(dst, bsoncore.TypeEmbeddedDocument, key)
			if path == "cookie" {
				return r.cookie(dst, depth+1)
			}
			return r.object(dst, path, depth+1)
		case '[':
			dst = bsoncore.AppendHeader(dst, bsoncore.TypeArray, key)
			return r.array(dst, path, depth+1)
		}
		return nil, invalidf("%s: unexpected %v", pathName(path), v)
	case string:
		if path == "cookie.expires" {
			if t, err := codec.ParseDate(v); err == nil {
				return bsoncore.AppendDateTimeElement(dst, key, t.UnixMilli()), nil
			}
		}
		return bsoncore.AppendStringElement(dst, key, v), nil
	case json.Number:
		return appendNumberElement(dst, key, string(v), path)
	case bool:
		return bsoncore.AppendBooleanElement(dst, key, v), nil
	case nil:
		return bsoncore.AppendNullElement(dst, key), nil
	}
	return nil, invalidf("%s: unexpected %T", pathName(path), tok)
}

func checkKey(path, key string) error {
	switch {
	case strings.HasPrefix(key, "$"):
		return invalidf("%s: key %q starts with '$', which MongoDB does not store", pathName(path), key)
	case strings.Contains(key, "."):
		return invalidf("%s: key %q contains '.', which MongoDB does not store", pathName(path), key)
	case strings.IndexByte(key, 0) >= 0:
		return invalidf("%s: key %q contains a NUL byte", pathName(path), key)
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func pathName(path string) string {
	if path == "" {
		return "session"
	}
	return "session." + path
}

// DocumentToJSON converts a BSON document to JSON text, as
// JSON.stringify writes the object the Node.js driver reads from it, so
// that sessions stored by connect-mongo with stringify: false read back as
// express-session's JSON:
//
//   - a date becomes its Date.prototype.toJSON string
//     ("2026-11-23T13:25:38.959Z"; null when out of JavaScript's range);
//   - int32 and int64 become numbers, digit for digit; doubles are written
//     as JavaScript writes them (NaN and ±Infinity as null), except that
//     negative zero is -0;
//   - an ObjectId becomes its hex string, binary data its base64 string, a
//     Decimal128 its decimal string;
//   - undefined becomes null; JavaScript code and symbols their text; a
//     regular expression the string "/pattern/options"; a timestamp
//     {"t":seconds,"i":increment}; MinKey and MaxKey {"$minKey":1} and
//     {"$maxKey":1}; a DBPointer {"$ref":namespace,"$id":hex};
//   - strings, booleans, null, documents and arrays map naturally, keys in
//     stored order;
//   - in the session's cookie, a null field of Cookie.toJSON() other than
//     originalMaxAge and expires is left out: connect-mongo stores the
//     fields express-session leaves undefined (partitioned, priority,
//     secure, domain, sameSite when unset) as null, and express-session's
//     JSON leaves them out.
//
// Malformed BSON is an error matching backend.ErrCorrupt; DocumentToJSON
// never panics, whatever its input.
func DocumentToJSON(doc bson.Raw) ([]byte, error) {
	return appendDocumentJSON(make([]byte, 0, len(doc)+len(doc)/2), doc, kindSession, 1)
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", backend.ErrCorrupt, fmt.Sprintf(format, args...))
}

var errMalformedBSON = corruptf("malformed BSON")

// docKind says how appendDocumentJSON writes a document.
type docKind int

const (
	kindObject  docKind = iota // a JSON object
	kindArray                  // a JSON array
	kindSession                // the session: an object whose cookie is kindCookie
	kindCookie                 // the session's cookie: an object without the optional fields that are null
)

func appendDocumentJSON(dst, doc []byte, kind docKind, depth int) ([]byte, error) {
	if depth > maxReadDepth {
		return nil, corruptf("BSON nested more than %d levels deep", maxReadDepth)
	}
	length, _, ok := bsoncore.ReadLength(doc)
	if !ok || length < 5 || int(length) > len(doc) || doc[length-1] != 0 {
		return nil, errMalformedBSON
	}
	body := doc[4 : length-1]
	if kind == kindArray {
		dst = append(dst, '[')
	} else {
		dst = append(dst, '{')
	}
	for first := true; len(body) > 0; {
		elem, rest, ok := bsoncore.ReadElement(body)
		if !ok {
			return nil, errMalformedBSON
		}
		body = rest
		key, err := elem.KeyBytesErr()
		if err != nil {
			return nil, errMalformedBSON
		}
		t, value := bsoncore.Type(elem[0]), elem[len(key)+2:]
		if kind == kindCookie && t == bsoncore.TypeNull && optionalCookieField(key) {
			continue // connect-mongo's null for a field express-session leaves undefined
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if kind != kindArray {
			dst = codec.AppendString(dst, string(key))
			dst = append(dst, ':')
		}
		if kind == kindSession && t == bsoncore.TypeEmbeddedDocument && string(key) == "cookie" {
			dst, err = appendDocumentJSON(dst, value, kindCookie, depth+1)
		} else {
			dst, err = appendValueJSON(dst, t, value, depth)
		}
		if err != nil {
			return nil, err
		}
	}
	if kind == kindArray {
		return append(dst, ']'), nil
	}
	return append(dst, '}'), nil
}

// appendValueJSON appends the JSON form of the BSON value of type t held
// exactly in data.
func appendValueJSON(dst []byte, t bsoncore.Type, data []byte, depth int) ([]byte, error) {
	var ok bool
	switch t {
	case bsoncore.TypeDouble:
		var f float64
		if f, _, ok = bsoncore.ReadDouble(data); ok {
			return appendJSNumber(dst, f), nil
		}
	case bsoncore.TypeString, bsoncore.TypeJavaScript, bsoncore.TypeSymbol:
		var s string
		if s, _, ok = bsoncore.ReadString(data); ok {
			return codec.AppendString(dst, s), nil
		}
	case bsoncore.TypeEmbeddedDocument:
		return appendDocumentJSON(dst, data, kindObject, depth+1)
	case bsoncore.TypeArray:
		return appendDocumentJSON(dst, data, kindArray, depth+1)
	case bsoncore.TypeBinary:
		var b []byte
		if _, b, _, ok = bsoncore.ReadBinary(data); ok {
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, b)
			return append(dst, '"'), nil
		}
	case bsoncore.TypeUndefined, bsoncore.TypeNull:
		return append(dst, "null"...), nil
	case bsoncore.TypeObjectID:
		var oid bson.ObjectID
		if oid, _, ok = bsoncore.ReadObjectID(data); ok {
			return appendHexString(dst, oid[:]), nil
		}
	case bsoncore.TypeBoolean:
		var b bool
		if len(data) == 1 {
			b, ok = data[0] != 0, true
		}
		if ok {
			return strconv.AppendBool(dst, b), nil
		}
	case bsoncore.TypeDateTime:
		var ms int64
		if ms, _, ok = bsoncore.ReadDateTime(data); ok {
			return appendJSDate(dst, ms), nil
		}
	case bsoncore.TypeRegex:
		var pattern, options string
		if pattern, options, _, ok = bsoncore.ReadRegex(data); ok {
			return codec.AppendString(dst, "/"+pattern+"/"+options), nil
		}
	case bsoncore.TypeDBPointer:
		var ns string
		var oid bson.ObjectID
		if ns, oid, _, ok = bsoncore.ReadDBPointer(data); ok {
			dst = append(dst, `{"$ref":`...)
			dst = codec.AppendString(dst, ns)
			dst = append(dst, `,"$id":`...)
			dst = appendHexString(dst, oid[:])
			return append(dst, '}'), nil
		}
	case bsoncore.TypeCodeWithScope:
		var code string
		if code, _, _, ok = bsoncore.ReadCodeWithScope(data); ok {
			return codec.AppendString(dst, code), nil
		}
	case bsoncore.TypeInt32:
		var i int32
		if i, _, ok = bsoncore.ReadInt32(data); ok {
			return strconv.AppendInt(dst, int64(i), 10), nil
		}
	case bsoncore.TypeTimestamp:
		var ts, inc uint32
		if ts, inc, _, ok = bsoncore.ReadTimestamp(data); ok {
			dst = append(dst, `{"t":`...)
			dst = strconv.AppendUint(dst, uint64(ts), 10)
			dst = append(dst, `,"i":`...)
			dst = strconv.AppendUint(dst, uint64(inc), 10)
			return append(dst, '}'), nil
		}
	case bsoncore.TypeInt64:
		var i int64
		if i, _, ok = bsoncore.ReadInt64(data); ok {
			return strconv.AppendInt(dst, i, 10), nil
		}
	case bsoncore.TypeDecimal128:
		var h, l uint64
		if h, l, _, ok = bsoncore.ReadDecimal128(data); ok {
			return codec.AppendString(dst, bson.NewDecimal128(h, l).String()), nil
		}
	case bsoncore.TypeMinKey:
		return append(dst, `{"$minKey":1}`...), nil
	case bsoncore.TypeMaxKey:
		return append(dst, `{"$maxKey":1}`...), nil
	default:
		return nil, corruptf("unknown BSON type 0x%02x", byte(t))
	}
	return nil, errMalformedBSON
}

func appendHexString(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = hex.AppendEncode(dst, b)
	return append(dst, '"')
}

// maxJSDate is the largest distance from the epoch, in milliseconds, of a
// valid JavaScript Date.
const maxJSDate = 8_640_000_000_000_000

// appendJSDate appends the JSON of a JavaScript Date holding ms
// milliseconds since the epoch: Date.prototype.toJSON's ISO string, with
// JavaScript's six-digit signed year outside 0000–9999, and null when the
// Date would be invalid.
func appendJSDate(dst []byte, ms int64) []byte {
	if ms > maxJSDate || ms < -maxJSDate {
		return append(dst, "null"...)
	}
	t := time.UnixMilli(ms).UTC()
	dst = append(dst, '"')
	if y := t.Year(); y >= 0 && y <= 9999 {
		dst = append(dst, codec.FormatDate(t)...)
	} else {
		sign := byte('+')
		if y < 0 {
			sign, y = '-', -y
		}
		dst = append(dst, sign)
		dst = fmt.Appendf(dst, "%06d", y)
		dst = t.AppendFormat(dst, "-01-02T15:04:05.000Z")
	}
	return append(dst, '"')
}

// appendJSNumber appends f as JavaScript's Number.prototype.toString
// writes it (and so JSON.stringify), with null for NaN and the infinities,
// except that negative zero is -0 (JavaScript writes 0), so that a -0
// stored by JSONToDocument reads back as written.
func appendJSNumber(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, '-', '0')
		}
		return append(dst, '0')
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// The shortest decimal that reads back as f, as d.ddde±x.
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	mark := bytes.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(string(e[mark+1:]))
	var digitBuf [24]byte
	digits := digitBuf[:0]
	for _, c := range e[:mark] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	k, n := len(digits), exp+1 // f = 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		dst = append(dst, digits...)
		for range n - k {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		dst = append(dst, digits[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for range -n {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		dst = append(dst, digits[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst
}
