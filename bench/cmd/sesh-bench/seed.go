package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
)

// secret signs the cookies of sesh and Express (SECRET).
const secret = "keyboard cat"

// sessionJSON returns express-session's JSON of a session holding user,
// with a one-hour cookie expiring at expires: what sesh and the Express
// stores keep.
func sessionJSON(user string, expires time.Time) string {
	return fmt.Sprintf(`{"cookie":{"originalMaxAge":3600000,"expires":%q,"httpOnly":true,"path":"/"},"user":%q}`,
		expires.UTC().Format("2006-01-02T15:04:05.000Z"), user)
}

// scsData returns scs's encoding of a session holding user: its GobCodec,
// as its stores keep it.
func scsData(user string, expires time.Time) ([]byte, error) {
	return scs.GobCodec{}.Encode(expires, map[string]any{"user": user})
}

// newToken returns a new session id in layout l.
func newToken(l layout) string {
	if l == scsLayout {
		var b [32]byte // scs's tokens: 32 random bytes, base64url
		rand.Read(b[:])
		return base64.RawURLEncoding.EncodeToString(b[:])
	}
	return newID()
}

// newID returns a session id like express-session's: 24 random bytes,
// base64url.
func newID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// cookieOf returns the connect.sid cookie (name=value) of id, signed as
// express-session signs it.
func cookieOf(id string) string { return "connect.sid=" + url.QueryEscape("s:"+sign(id)) }

// sign returns id.signature as cookie-signature signs it with secret.
func sign(id string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(id))
	return id + "." + base64.RawStdEncoding.EncodeToString(mac.Sum(nil))
}
