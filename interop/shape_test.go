package interop

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/cipher"
)

// docShape is what the tests compare between a record Express wrote and
// one sesh wrote: its fields, the session's form, the cookie's sub-fields
// with their types in their order, the session's keys in their order and
// values, and, where the session is JSON text, that text.
type docShape struct {
	Fields  string // Mongo: "_id:string expires:date session:string", sorted; Redis, PostgreSQL: the layout
	Session string // "JSON string" (Mongo), "JSON text" (Redis, PostgreSQL), "embedded document", "<cipher> ciphertext"
	Cookie  string // cookie sub-fields and their types, in stored order
	Keys    string // the session's keys, in stored order
	Values  string // the session's values (not the cookie), as JSON with sorted keys
	Text    string // the session's JSON text (decrypted), cookie.expires masked (see maskJSON)
}

func (s docShape) String() string {
	out := fmt.Sprintf("fields {%s}, session %s, cookie {%s}, keys [%s], values %s", s.Fields, s.Session, s.Cookie, s.Keys, s.Values)
	if s.Text != "" {
		out += ", text " + s.Text
	}
	return out
}

// decrypter decrypts encrypted sessions for the shapes; nil in the
// unencrypted modes.
type decrypter interface {
	Decrypt(string) ([]byte, error)
}

func newDecrypter(t *testing.T, env map[string]string) (decrypter, string) {
	t.Helper()
	secret := env["CRYPTO_SECRET"]
	if secret == "" {
		return nil, ""
	}
	var (
		d   decrypter
		err error
	)
	format := env["CRYPTO_FORMAT"]
	if format == "kruptein" {
		d, err = cipher.NewKruptein(cipher.KrupteinOptions{Secrets: []string{secret}})
	} else {
		format = "webcrypto"
		d, err = cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{secret}})
	}
	if err != nil {
		t.Fatal(err)
	}
	return d, format
}

func bsonType(t bson.Type) string {
	switch t {
	case bson.TypeString:
		return "string"
	case bson.TypeDateTime:
		return "date"
	case bson.TypeEmbeddedDocument:
		return "document"
	case bson.TypeInt32:
		return "int32"
	case bson.TypeInt64:
		return "int64"
	case bson.TypeDouble:
		return "double"
	case bson.TypeBoolean:
		return "bool"
	case bson.TypeNull:
		return "null"
	case bson.TypeArray:
		return "array"
	}
	return t.String()
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// shapeOf describes a MongoDB document, every field included: with
// stringify off, connect-mongo stores all nine fields of express-session's
// cookie, those it leaves unset as BSON null, and so does sesh.
func shapeOf(t *testing.T, doc bson.Raw, dec decrypter, format string) docShape {
	t.Helper()
	elems, err := doc.Elements()
	if err != nil {
		t.Fatalf("reading %s: %v", doc, err)
	}
	var fields []string
	for _, e := range elems {
		fields = append(fields, e.Key()+":"+bsonType(e.Value().Type))
	}
	slices.Sort(fields)
	fieldList := strings.Join(fields, " ")

	v, err := doc.LookupErr("session")
	if err != nil {
		return docShape{Fields: fieldList, Session: "<missing>"}
	}
	switch v.Type {
	case bson.TypeString:
		str, _ := v.StringValueOK()
		s := textShape(t, fieldList, str, dec, format)
		if dec == nil {
			s.Session = "JSON string"
		}
		return s
	case bson.TypeEmbeddedDocument:
	default:
		return docShape{Fields: fieldList, Session: "BSON " + bsonType(v.Type)}
	}
	s := docShape{Fields: fieldList, Session: "embedded document"}
	var cookie, keys []string
	values := map[string]any{}
	sub, _ := v.DocumentOK()
	subElems, _ := sub.Elements()
	for _, e := range subElems {
		keys = append(keys, e.Key())
		if e.Key() != "cookie" {
			var x any
			if err := e.Value().Unmarshal(&x); err != nil {
				t.Fatalf("decoding %s: %v", e.Key(), err)
			}
			values[e.Key()] = x
			continue
		}
		ck, ok := e.Value().DocumentOK()
		if !ok {
			cookie = append(cookie, "<cookie is a "+bsonType(e.Value().Type)+">")
			continue
		}
		ckElems, _ := ck.Elements()
		for _, ce := range ckElems {
			cookie = append(cookie, ce.Key()+":"+bsonType(ce.Value().Type))
		}
	}
	s.Cookie, s.Keys = strings.Join(cookie, " "), strings.Join(keys, ",")
	b, _ := json.Marshal(values) // sorted keys
	s.Values = string(b)
	return s
}

// textShape describes a session stored as text: its JSON, or with dec
// its ciphertext (a JSON string holding it, as PostgreSQL stores text that
// is not JSON, is unwrapped first).
func textShape(t *testing.T, fields, text string, dec decrypter, format string) docShape {
	t.Helper()
	s := docShape{Fields: fields, Session: "JSON text"}
	plain := []byte(text)
	if dec != nil {
		var ct string
		if json.Unmarshal(plain, &ct) != nil {
			ct = text
		}
		pt, err := dec.Decrypt(ct)
		if err != nil {
			t.Fatalf("the stored session %q does not decrypt as %s: %v", text, format, err)
		}
		var inner string
		if json.Unmarshal(pt, &inner) == nil {
			pt = []byte(inner) // the session JSON as a JSON string literal
		}
		s.Session = format + " ciphertext"
		plain = pt
	}
	s.Text = maskJSON(string(plain))

	var m map[string]any
	if err := json.Unmarshal(plain, &m); err != nil {
		t.Fatalf("the stored session is not a JSON object: %v: %q", err, plain)
	}
	keys := jsonKeys(t, plain)
	s.Keys = strings.Join(keys, ",")
	var cookie []string
	if ck, ok := m["cookie"].(map[string]any); ok {
		for _, k := range jsonKeys(t, cookieJSON(t, plain)) {
			cookie = append(cookie, k+":"+jsonType(ck[k]))
		}
	} else {
		cookie = append(cookie, "<cookie is "+jsonType(m["cookie"])+">")
	}
	s.Cookie = strings.Join(cookie, " ")
	delete(m, "cookie")
	b, _ := json.Marshal(m) // sorted keys
	s.Values = string(b)
	return s
}

// jsonKeys returns the keys of the JSON object text, in their order.
func jsonKeys(t *testing.T, text []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(text)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %q", text)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("reading %q: %v", text, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("reading %q: %v", text, err)
		}
	}
	return keys
}

// cookieJSON returns the text of the session's cookie object.
func cookieJSON(t *testing.T, text []byte) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(text, &m); err != nil {
		t.Fatal(err)
	}
	return m["cookie"]
}

var (
	// The cookie is the first key, or follows keys that are array
	// indexes, whose values in the tests hold no "cookie":{.
	cookieExpires  = regexp.MustCompile(`("cookie":\{[^{}]*?"expires":)"[^"]*"`)
	originalMaxAge = regexp.MustCompile(`("cookie":\{"originalMaxAge":)(\d+)`)
)

// maskJSON returns session JSON with the cookie's expires replaced by
// "<expires>", the one part of the text that depends on when it was
// written. It also undoes express-session's jitter: it computes
// originalMaxAge as expires minus Date.now() a moment after setting
// expires, so a max age of 3,600,000 ms is stored as 3,599,998 when the
// clock ticks twice in between (seen under load). The tests' max ages are
// whole seconds: a value up to 50 ms below a whole second is that second.
func maskJSON(text string) string {
	text = cookieExpires.ReplaceAllString(text, `$1"<expires>"`)
	return originalMaxAge.ReplaceAllStringFunc(text, func(m string) string {
		sub := originalMaxAge.FindStringSubmatch(m)
		n, err := strconv.ParseInt(sub[2], 10, 64)
		if err == nil && n%1000 >= 950 {
			return sub[1] + strconv.FormatInt(n+1000-n%1000, 10)
		}
		return m
	})
}
