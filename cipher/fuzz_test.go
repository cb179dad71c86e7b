package cipher

import (
	"bytes"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"unicode/utf8"
)

// The fuzz targets share ciphers built once, with low iteration counts.
// Kruptein rejects malformed input before deriving any key, but every
// well-formed record with a new salt costs a derivation per secret, and
// while minimizing an input the fuzzer produces thousands of those: at the
// format's real iteration count (and under coverage instrumentation) that
// stalls fuzzing for tens of seconds. The count changes no parsing path.
var (
	fuzzOnce      sync.Once
	fuzzWebCrypto []*WebCrypto // one per encoding
	fuzzKruptein  *Kruptein
	fuzzErr       error
)

func fuzzCiphers(f *testing.F) ([]*WebCrypto, *Kruptein) {
	fuzzOnce.Do(func() {
		for _, enc := range []Encoding{Base64, Base64URL, Hex} {
			w, err := newWebCrypto(WebCryptoOptions{Secrets: []string{"fuzz", "fuzz-old"}, Iterations: 10, Encoding: enc}, cryptoRandom)
			fuzzWebCrypto = append(fuzzWebCrypto, w)
			fuzzErr = errors.Join(fuzzErr, err)
		}
		var err error
		fuzzKruptein, err = newKruptein(KrupteinOptions{Secrets: []string{"fuzz", "fuzz-old"}}, cryptoRandom, 10)
		fuzzErr = errors.Join(fuzzErr, err)
	})
	if fuzzErr != nil {
		f.Fatal(fuzzErr)
	}
	return fuzzWebCrypto, fuzzKruptein
}

func checkFuzzError(t *testing.T, pt []byte, err error) {
	if err != nil && !errors.Is(err, ErrDecrypt) {
		t.Fatalf("error %v does not match ErrDecrypt", err)
	}
	if err != nil && pt != nil {
		t.Fatal("data returned with an error")
	}
}

func FuzzWebCryptoDecrypt(f *testing.F) {
	ws, _ := fuzzCiphers(f)
	for _, w := range ws {
		for _, pt := range []string{"", "x", plainSession} {
			ct, _ := w.Encrypt([]byte(pt))
			f.Add(ct)
		}
	}
	for _, s := range []string{"", "AAAA", "====", plainSession, webCryptoVectorStored, krupteinVectorStored, "00ff", "\n", "A\nAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range ws {
			pt, err := w.Decrypt(s)
			checkFuzzError(t, pt, err)
			if err == nil {
				// Whatever was accepted encrypts and decrypts back.
				ct, err := w.Encrypt(pt)
				if err != nil {
					t.Fatal(err)
				}
				if back, err := w.Decrypt(ct); err != nil || !bytes.Equal(back, pt) {
					t.Fatalf("re-encryption round trip: %q, %v", back, err)
				}
			}
		}
	})
}

func FuzzKrupteinDecrypt(f *testing.F) {
	_, k := fuzzCiphers(f)
	for _, pt := range []string{"", "x", plainSession} {
		ct, _ := k.Encrypt([]byte(pt))
		f.Add(ct)
	}
	// A record of another writer, with a salt of its own and the second
	// secret.
	other, err := newKruptein(KrupteinOptions{Secrets: []string{"fuzz-old"}}, cryptoRandom, 10)
	if err != nil {
		f.Fatal(err)
	}
	foreign, _ := other.Encrypt([]byte(plainSession))
	f.Add(foreign)
	for _, s := range []string{"", "MA==", "MAA=", plainSession, webCryptoVectorStored, krupteinVectorStored} {
		f.Add(s)
	}
	// A record with all fields empty, and one with the right sizes but
	// garbage content.
	empty, _ := (&krupteinRecord{}).marshal()
	f.Add(base64.StdEncoding.EncodeToString(empty))
	sized, _ := (&krupteinRecord{
		Ct: []byte("AAAA"), Hmac: bytes.Repeat([]byte("A"), krupteinMACLen), IV: make([]byte, krupteinIVSize),
		Salt: make([]byte, krupteinSaltSize), At: make([]byte, krupteinTagSize), AAD: []byte("AAAA"),
	}).marshal()
	f.Add(base64.StdEncoding.EncodeToString(sized))
	f.Fuzz(func(t *testing.T, s string) {
		pt, err := k.Decrypt(s)
		checkFuzzError(t, pt, err)
		if err == nil && utf8.Valid(pt) {
			ct, err := k.Encrypt(pt)
			if err != nil {
				t.Fatal(err)
			}
			if back, err := k.Decrypt(ct); err != nil || !bytes.Equal(back, pt) {
				t.Fatalf("re-encryption round trip: %q, %v", back, err)
			}
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	ws, k := fuzzCiphers(f)
	for _, s := range []string{"", plainSession, "\x00\xff", "\u2028\"\\\n", "é€😀"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, pt []byte) {
		for _, w := range ws {
			ct, err := w.Encrypt(pt)
			if err != nil {
				t.Fatal(err)
			}
			if back, err := w.Decrypt(ct); err != nil || !bytes.Equal(back, pt) {
				t.Fatalf("webcrypto %v: round trip = %q, %v", w.enc, back, err)
			}
		}
		ct, err := k.Encrypt(pt)
		if !utf8.Valid(pt) {
			if err == nil {
				t.Fatal("kruptein encrypted invalid UTF-8")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if back, err := k.Decrypt(ct); err != nil || !bytes.Equal(back, pt) {
			t.Fatalf("kruptein: round trip = %q, %v", back, err)
		}
	})
}
