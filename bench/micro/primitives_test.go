package micro

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	seshcipher "github.com/seshgo/sesh/cipher"
	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/internal/cookie"
)

const sessionID = "Hk6R-6sCDIHu9JuoOR0hh1DjIh5Zx2wF"

// BenchmarkCookie measures signing a session id into the cookie value and
// verifying it: sesh's signer (pooled HMAC states) against the baseline of
// a fresh crypto/hmac per call, as cookie-signature does in Node.
func BenchmarkCookie(b *testing.B) {
	signer := cookie.NewSigner([]string{secret})
	signed := signer.Sign(sessionID)
	if baselineSign(sessionID) != signed {
		b.Fatal("the baseline signs differently from sesh")
	}
	b.Run("op=sign/impl=sesh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			signer.Sign(sessionID)
		}
	})
	b.Run("op=sign/impl=hmac", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			baselineSign(sessionID)
		}
	})
	b.Run("op=verify/impl=sesh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := signer.Unsign(signed); !ok {
				b.Fatal("rejected")
			}
		}
	})
	b.Run("op=verify/impl=hmac", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := baselineUnsign(signed); !ok {
				b.Fatal("rejected")
			}
		}
	})
}

func baselineSign(value string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(value))
	return value + "." + base64.RawStdEncoding.EncodeToString(mac.Sum(nil))
}

func baselineUnsign(signed string) (string, bool) {
	i := strings.LastIndexByte(signed, '.')
	if i < 0 {
		return "", false
	}
	value := signed[:i]
	return value, hmac.Equal([]byte(baselineSign(value)), []byte(signed))
}

// benchValues are the values of the benchmark session, also used for the
// peers' encodings.
var benchValues = map[string]any{"userId": "64f1c2a9e3b7d5a1c2f3e4d5", "views": 42, "n": "x9"}

// benchSession is a typical express-session session, ~200 bytes of JSON.
func benchSession() *codec.Payload {
	return &codec.Payload{
		Cookie: codec.Cookie{
			OriginalMaxAge: time.Hour,
			Expires:        time.Date(2026, 11, 23, 13, 25, 38, 959e6, time.UTC),
			HTTPOnly:       true,
			Path:           "/",
			SameSite:       "lax",
		},
		Values: []codec.Value{
			{Key: "userId", JSON: []byte(`"64f1c2a9e3b7d5a1c2f3e4d5"`)},
			{Key: "views", JSON: []byte(`42`)},
			{Key: "flash", JSON: []byte(`[]`)},
			{Key: "n", JSON: []byte(`"x9"`)},
		},
	}
}

// BenchmarkCodec measures encoding and decoding a session: sesh's
// codec.JSON (express-session's format), against scs's gob codec and
// encoding/json of a map, for reference.
func BenchmarkCodec(b *testing.B) {
	p := benchSession()
	data, err := codec.JSON.Encode(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("op=encode/impl=sesh-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.JSON.Encode(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=decode/impl=sesh-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.JSON.Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	deadline := time.Now().Add(time.Hour)
	gob, err := scs.GobCodec{}.Encode(deadline, benchValues)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("op=encode/impl=scs-gob", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (scs.GobCodec{}).Encode(deadline, benchValues); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=decode/impl=scs-gob", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := (scs.GobCodec{}).Decode(gob); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=encode/impl=std-json-map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(benchValues); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=decode/impl=std-json-map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCipher measures encrypting and decrypting the session's JSON
// with connect-mongo's two formats, against the floor of one AES-256-GCM
// seal or open with crypto/cipher.
func BenchmarkCipher(b *testing.B) {
	p := benchSession()
	plaintext, err := codec.JSON.Encode(p)
	if err != nil {
		b.Fatal(err)
	}
	web, err := seshcipher.NewWebCrypto(seshcipher.WebCryptoOptions{Secrets: []string{secret}})
	if err != nil {
		b.Fatal(err)
	}
	kr, err := seshcipher.NewKruptein(seshcipher.KrupteinOptions{Secrets: []string{secret}})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		c    seshcipher.Cipher
	}{{"webcrypto", web}, {"kruptein", kr}} {
		ct, err := c.c.Encrypt(plaintext)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("op=encrypt/impl="+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(plaintext)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.c.Encrypt(plaintext); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=decrypt/impl="+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(plaintext)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.c.Decrypt(ct); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	aead := newGCM(b)
	nonce := make([]byte, aead.NonceSize())
	sealed := aead.Seal(nil, nonce, plaintext, nil)
	b.Run("op=encrypt/impl=aes-gcm", func(b *testing.B) {
		b.SetBytes(int64(len(plaintext)))
		b.ReportAllocs()
		for b.Loop() {
			rand.Read(nonce)
			aead.Seal(nil, nonce, plaintext, nil)
		}
	})
	b.Run("op=decrypt/impl=aes-gcm", func(b *testing.B) {
		b.SetBytes(int64(len(plaintext)))
		b.ReportAllocs()
		clear(nonce)
		for b.Loop() {
			if _, err := aead.Open(nil, nonce, sealed, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func newGCM(b *testing.B) cipher.AEAD {
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		b.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	return aead
}
