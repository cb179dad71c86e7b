package cipher

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func TestWebCryptoVectorKey(t *testing.T) {
	key, err := deriveWebCryptoKey(vectorSecret, []byte(DefaultWebCryptoSalt), DefaultWebCryptoIterations)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(key); got != webCryptoVectorKey {
		t.Errorf("key = %s, want %s", got, webCryptoVectorKey)
	}
}

func TestWebCryptoVectorEncrypt(t *testing.T) {
	w := vectorWebCrypto(t)
	got, err := w.Encrypt([]byte(vectorPlaintext))
	if err != nil {
		t.Fatal(err)
	}
	if got != webCryptoVectorStored {
		t.Errorf("Encrypt =\n%s\nwant\n%s", got, webCryptoVectorStored)
	}
	raw, _ := Base64.decode(got)
	if tag := hex.EncodeToString(raw[len(raw)-16:]); tag != webCryptoVectorTag {
		t.Errorf("tag = %s, want %s", tag, webCryptoVectorTag)
	}
}

func TestWebCryptoVectorDecrypt(t *testing.T) {
	w := vectorWebCrypto(t)
	got, err := w.Decrypt(webCryptoVectorStored)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != vectorPlaintext {
		t.Errorf("Decrypt = %s, want %s", got, vectorPlaintext)
	}
}

// Vectors computed with Node 20's WebCrypto (subtle.deriveKey PBKDF2-SHA256
// with the default salt and 1000 iterations, subtle.encrypt AES-GCM, IV
// 00 01 …), Buffer.toString for each encoding.
var nodeWebCryptoVectors = []struct {
	name      string
	ivLen     int
	plaintext string
	key       string
	encoded   map[Encoding]string
}{
	{
		name:      "iv12",
		ivLen:     0, // the default, 12
		plaintext: `{"a":1}`,
		key:       "13e273720603cea669fe08b8f9ec1850fc98b8a69470b26518c681f2f154d287",
		encoded: map[Encoding]string{
			Base64:    "AAECAwQFBgcICQoLF2PcwjKVnsUWqU6SmdPsNYvnnTq0qEM=",
			Base64URL: "AAECAwQFBgcICQoLF2PcwjKVnsUWqU6SmdPsNYvnnTq0qEM",
			Hex:       "000102030405060708090a0b1763dcc232959ec516a94e9299d3ec358be79d3ab4a843",
		},
	},
	{
		name:      "iv16-unicode",
		ivLen:     16,
		plaintext: `{"cookie":{"path":"/"},"n":"é€😀"}`,
		key:       "13e273720603cea669fe08b8f9ec1850fc98b8a69470b26518c681f2f154d287",
		encoded: map[Encoding]string{
			Base64:    "AAECAwQFBgcICQoLDA0OD/m1kRIH+nKMRLFDG2nmakZpP54jirxI/YkaZgJrCHrRm2JMA9kXE7EXrbWae8hw3n5M6TmXxl4=",
			Base64URL: "AAECAwQFBgcICQoLDA0OD_m1kRIH-nKMRLFDG2nmakZpP54jirxI_YkaZgJrCHrRm2JMA9kXE7EXrbWae8hw3n5M6TmXxl4",
			Hex:       "000102030405060708090a0b0c0d0e0ff9b5911207fa728c44b1431b69e66a46693f9e238abc48fd891a66026b087ad19b624c03d91713b117adb59a7bc870de7e4ce93997c65e",
		},
	},
}

func TestWebCryptoNodeVectors(t *testing.T) {
	for _, v := range nodeWebCryptoVectors {
		key, err := deriveWebCryptoKey(vectorSecret, []byte(DefaultWebCryptoSalt), testIterations)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(key); got != v.key {
			t.Errorf("%s: key = %s, want %s", v.name, got, v.key)
		}
		for enc, want := range v.encoded {
			w, err := newWebCrypto(WebCryptoOptions{
				Secrets:    []string{vectorSecret},
				Iterations: testIterations,
				IVLength:   v.ivLen,
				Encoding:   enc,
			}, seqRandom)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.Encrypt([]byte(v.plaintext))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s/%v: Encrypt = %s, want %s", v.name, enc, got, want)
			}
			pt, err := w.Decrypt(want)
			if err != nil {
				t.Errorf("%s/%v: Decrypt: %v", v.name, enc, err)
			} else if string(pt) != v.plaintext {
				t.Errorf("%s/%v: Decrypt = %q, want %q", v.name, enc, pt, v.plaintext)
			}
		}
	}
}

func TestWebCryptoRoundTrip(t *testing.T) {
	for _, enc := range []Encoding{Base64, Base64URL, Hex} {
		w, err := newWebCrypto(WebCryptoOptions{Secrets: []string{"s"}, Iterations: testIterations, Encoding: enc}, cryptoRandom)
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range [][]byte{nil, {}, []byte(vectorPlaintext), {0, 0xff, 0xfe}, bytes.Repeat([]byte("x"), 1<<16)} {
			ct, err := w.Encrypt(pt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.Decrypt(ct)
			if err != nil {
				t.Fatalf("%v: Decrypt(Encrypt(%d bytes)): %v", enc, len(pt), err)
			}
			if !bytes.Equal(got, pt) {
				t.Errorf("%v: round trip of %d bytes gave %d bytes", enc, len(pt), len(got))
			}
		}
	}
}

func TestWebCryptoFreshIV(t *testing.T) {
	w := newTestWebCrypto(t, "s")
	a, _ := w.Encrypt([]byte("same"))
	b, _ := w.Encrypt([]byte("same"))
	if a == b {
		t.Error("two encryptions of the same plaintext are identical")
	}
}

func TestWebCryptoSecretRotation(t *testing.T) {
	oldW := newTestWebCrypto(t, "old")
	newW := newTestWebCrypto(t, "new", "old")
	ct, _ := oldW.Encrypt([]byte("from old"))
	if got, err := newW.Decrypt(ct); err != nil || string(got) != "from old" {
		t.Fatalf("Decrypt with rotated secrets = %q, %v", got, err)
	}
	ct, _ = newW.Encrypt([]byte("from new"))
	if _, err := oldW.Decrypt(ct); err == nil {
		t.Fatal("new records must be encrypted with the first secret")
	}
	if got, err := newTestWebCrypto(t, "new").Decrypt(ct); err != nil || string(got) != "from new" {
		t.Fatalf("Decrypt with the first secret only = %q, %v", got, err)
	}
}

func TestWebCryptoOptions(t *testing.T) {
	// A custom salt changes the key, so the default cannot read it.
	salted, err := newWebCrypto(WebCryptoOptions{Secrets: []string{"s"}, Salt: []byte("pepper"), Iterations: testIterations}, cryptoRandom)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := salted.Encrypt([]byte("x"))
	if _, err := newTestWebCrypto(t, "s").Decrypt(ct); err == nil {
		t.Error("a cipher with another salt decrypted the text")
	}
	// Hex output is lowercase and its length is 2 × (IV + plaintext + tag).
	hexW, _ := newWebCrypto(WebCryptoOptions{Secrets: []string{"s"}, Iterations: testIterations, Encoding: Hex}, cryptoRandom)
	ct, _ = hexW.Encrypt([]byte("abc"))
	if len(ct) != 2*(12+3+16) || strings.ToLower(ct) != ct {
		t.Errorf("hex ciphertext %q", ct)
	}
	if _, err := hexW.Decrypt(strings.ToUpper(ct)); err != nil {
		t.Errorf("upper-case hex: %v", err)
	}

	bad := []struct {
		name string
		opts WebCryptoOptions
	}{
		{"no secrets", WebCryptoOptions{}},
		{"empty secret", WebCryptoOptions{Secrets: []string{"a", ""}}},
		{"negative iterations", WebCryptoOptions{Secrets: []string{"a"}, Iterations: -1}},
		{"short IV", WebCryptoOptions{Secrets: []string{"a"}, IVLength: 8}},
		{"long IV", WebCryptoOptions{Secrets: []string{"a"}, IVLength: 257}},
		{"unknown encoding", WebCryptoOptions{Secrets: []string{"a"}, Encoding: 7}},
	}
	for _, b := range bad {
		if _, err := NewWebCrypto(b.opts); err == nil {
			t.Errorf("%s: NewWebCrypto succeeded", b.name)
		} else if !strings.HasPrefix(err.Error(), "cipher: NewWebCrypto: ") {
			t.Errorf("%s: error %q", b.name, err)
		}
	}
}

func TestEncodingNames(t *testing.T) {
	for _, e := range []Encoding{Base64, Base64URL, Hex} {
		got, err := ParseEncoding(e.String())
		if err != nil || got != e {
			t.Errorf("ParseEncoding(%q) = %v, %v", e.String(), got, err)
		}
	}
	if _, err := ParseEncoding("base32"); err == nil {
		t.Error("ParseEncoding(base32) succeeded")
	}
	if s := Encoding(9).String(); s != "Encoding(9)" {
		t.Errorf("Encoding(9).String() = %q", s)
	}
}

func TestNewWebCryptoRefusesFewIterations(t *testing.T) {
	for _, n := range []int{1, 1000, MinWebCryptoIterations - 1} {
		if _, err := NewWebCrypto(WebCryptoOptions{Secrets: []string{"s"}, Iterations: n}); err == nil || !strings.Contains(err.Error(), "below the floor") {
			t.Errorf("NewWebCrypto with %d iterations: %v, want a refusal naming the floor", n, err)
		}
	}
	if _, err := NewWebCrypto(WebCryptoOptions{Secrets: []string{"s"}, Iterations: MinWebCryptoIterations}); err != nil {
		t.Errorf("NewWebCrypto at the floor: %v", err)
	}
}
