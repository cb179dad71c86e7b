package mongo

import (
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// cookieFields are the fields of express-session's Cookie.toJSON(), in its
// order. connect-mongo with stringify: false stores that object, and the
// Node.js driver writes its undefined fields as BSON null, so the session's
// cookie sub-document always holds these nine fields in this order.
var cookieFields = [...]string{
	"originalMaxAge", "partitioned", "priority", "expires", "secure",
	"httpOnly", "domain", "path", "sameSite",
}

// optionalCookieField reports whether name is a cookie field that
// express-session's JSON leaves out when it is null in the document. A
// Cookie holds undefined, never null, in every field but originalMaxAge
// and expires when it is not set (partitioned, priority, secure, domain
// and sameSite have no default; httpOnly and path are undefined only when
// configured so), and the Node.js driver writes undefined as null; in
// originalMaxAge and expires, null is the value of a browser-session
// cookie, and express-session's JSON holds it.
func optionalCookieField(name []byte) bool {
	switch string(name) {
	case "originalMaxAge", "expires":
		return false
	}
	return isCookieField(string(name))
}

// cookie reads the members of the session's cookie object, whose '{' has
// been read, and appends them to dst as the document the Node.js driver
// writes for connect-mongo: cookieFields in order, null for those the JSON
// leaves out, then any other member as it comes.
func (r *jsonReader) cookie(dst []byte, depth int) ([]byte, error) {
	members, err := r.object(nil, "cookie", depth)
	if err != nil {
		return nil, err
	}
	doc := bsoncore.Document(members)
	idx, dst := bsoncore.AppendDocumentStart(dst)
	for _, name := range cookieFields {
		if v, err := doc.LookupErr(name); err == nil {
			dst = bsoncore.AppendValueElement(dst, name, v)
		} else {
			dst = bsoncore.AppendNullElement(dst, name)
		}
	}
	elems, err := doc.Elements()
	if err != nil {
		return nil, invalidf("session.cookie: %v", err) // unreachable: r.object wrote it
	}
	for _, e := range elems {
		if !isCookieField(e.Key()) {
			dst = bsoncore.AppendValueElement(dst, e.Key(), e.Value())
		}
	}
	return bsoncore.AppendDocumentEnd(dst, idx)
}

func isCookieField(name string) bool {
	for _, f := range cookieFields {
		if f == name {
			return true
		}
	}
	return false
}
