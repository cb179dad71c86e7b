package cipher

import (
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

const plainSession = `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}`

// checkDecryptError asserts that c rejects text with an error that matches
// ErrDecrypt and mentions want.
func checkDecryptError(t *testing.T, c Cipher, name, text, want string) {
	t.Helper()
	pt, err := c.Decrypt(text)
	if err == nil {
		t.Errorf("%s: Decrypt succeeded with %q", name, pt)
		return
	}
	if !errors.Is(err, ErrDecrypt) {
		t.Errorf("%s: error %v does not match ErrDecrypt", name, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %q does not mention %q", name, err, want)
	}
	if pt != nil {
		t.Errorf("%s: Decrypt returned data with an error", name)
	}
}

func TestWebCryptoDecryptErrors(t *testing.T) {
	w := newTestWebCrypto(t, "right")
	ct, _ := w.Encrypt([]byte(plainSession))
	raw, _ := base64.StdEncoding.DecodeString(ct)
	hexW, _ := newWebCrypto(WebCryptoOptions{Secrets: []string{"right"}, Iterations: testIterations, Encoding: Hex}, cryptoRandom)
	urlW, _ := newWebCrypto(WebCryptoOptions{Secrets: []string{"right"}, Iterations: testIterations, Encoding: Base64URL}, cryptoRandom)
	urlCt, _ := urlW.Encrypt([]byte(plainSession))

	tests := []struct {
		name string
		c    Cipher
		text string
		want string
	}{
		{"wrong key, one secret", newTestWebCrypto(t, "wrong"), ct, "authentication failed with the secret"},
		{"wrong key", newTestWebCrypto(t, "wrong", "also wrong"), ct, "authentication failed with any of the 2 secrets"},
		{"wrong iterations", mustWebCrypto(t, WebCryptoOptions{Secrets: []string{"right"}, Iterations: testIterations + 1}), ct, "authentication failed"},
		{"empty", w, "", "too short: 0 bytes"},
		{"IV only", w, base64.StdEncoding.EncodeToString(raw[:12]), "too short"},
		{"IV and tag minus one", w, base64.StdEncoding.EncodeToString(raw[:27]), "too short: 27 bytes, want at least 28"},
		{"truncated by one byte", w, base64.StdEncoding.EncodeToString(raw[:len(raw)-1]), "authentication failed"},
		{"truncated text", w, ct[:len(ct)-1], "not base64"},
		{"truncated to a whole base64 block", w, ct[:len(ct)-4], "authentication failed"},
		{"plain JSON session", w, plainSession, "looks like a session stored unencrypted"},
		{"JSON string literal", w, `"` + plainSession + `"`, "looks like a session stored unencrypted"},
		{"bad base64", w, "!!!!", "not base64 text"},
		{"bad padding", w, ct + "=", "not base64"},
		{"non-canonical padding bits", w, "AB==", "not base64"},
		{"line break", w, ct[:8] + "\n" + ct[8:], "line break"},
		{"surrounding space", w, " " + ct + " ", "not base64"},
		{"base64url given to base64", w, urlCt, "not base64"},
		{"base64 given to base64url", urlW, ct, "not base64url"},
		{"padding given to base64url", urlW, urlCt + "=", "not base64url"},
		{"base64 given to hex", hexW, ct, "not hex"},
		{"odd hex", hexW, "abc", "not hex"},
		{"kruptein record", w, krupteinVectorStored, "authentication failed"},
	}
	for _, tt := range tests {
		checkDecryptError(t, tt.c, tt.name, tt.text, tt.want)
	}

	// Any flipped bit of IV, ciphertext or tag is detected.
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			bad := append([]byte(nil), raw...)
			bad[i] ^= bit
			checkDecryptError(t, w, "flipped bit", base64.StdEncoding.EncodeToString(bad), "authentication failed")
		}
	}
	// Any changed character of the text is detected.
	for i := range ct {
		if ct[i] == '=' {
			continue
		}
		checkDecryptError(t, w, "changed character", replaceChar(ct, i), "")
	}
}

func mustWebCrypto(t *testing.T, opts WebCryptoOptions) *WebCrypto {
	t.Helper()
	w, err := newWebCrypto(opts, cryptoRandom)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// replaceChar returns s with the base64 character at i replaced by another
// one.
func replaceChar(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestKrupteinDecryptErrors(t *testing.T) {
	k := newTestKruptein(t, "right")
	ct, _ := k.Encrypt([]byte(plainSession))
	raw, _ := base64.StdEncoding.DecodeString(ct)
	rec := mustRecord(t, ct)
	enc := func(r krupteinRecord) string {
		der, err := asn1.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(der)
	}
	with := func(f func(r *krupteinRecord)) string {
		r := *rec
		f(&r)
		return enc(r)
	}
	b64 := base64.StdEncoding.EncodeToString
	type four struct{ Ct, Hmac, IV, Salt []byte }
	type seven struct{ Ct, Hmac, IV, Salt, At, AAD, Extra []byte }
	fourDER, _ := asn1.Marshal(four{rec.Ct, rec.Hmac, rec.IV, rec.Salt})
	sevenDER, _ := asn1.Marshal(seven{rec.Ct, rec.Hmac, rec.IV, rec.Salt, rec.At, rec.AAD, []byte("x")})
	nonMinimal := append([]byte{0x30, 0x83, 0x00}, raw[2:]...) // long-form length with a leading zero

	tests := []struct {
		name string
		c    Cipher
		text string
		want string
	}{
		{"wrong key, one secret", newTestKruptein(t, "wrong"), ct, "HMAC mismatch with the secret (wrong secret, or tampered data)"},
		{"wrong key", newTestKruptein(t, "wrong", "also wrong"), ct, "HMAC mismatch with any of the 2 secrets"},
		{"empty", k, "", "not a kruptein AES-256-GCM record: not the DER of a SEQUENCE of six OCTET STRINGs"},
		{"truncated text", k, ct[:len(ct)-4], "DER"},
		{"truncated DER", k, b64(raw[:len(raw)-1]), "DER"},
		{"trailing data", k, b64(append(append([]byte(nil), raw...), 0)), "trailing data after the DER record (1 bytes)"},
		{"plain JSON session", k, plainSession, "looks like a session stored unencrypted"},
		{"bad base64", k, "!!!!", "not base64 text"},
		{"base64url", k, strings.NewReplacer("+", "-", "/", "_").Replace(ct), "not base64"},
		{"line break", k, ct[:8] + "\r\n" + ct[8:], "line break"},
		{"not DER", k, b64([]byte("hello, world")), "DER"},
		{"DER of something else", k, b64([]byte{0x02, 0x01, 0x05}), "DER"},
		{"non-canonical DER length", k, b64(nonMinimal), "DER"},
		{"non-AEAD record (4 fields)", k, b64(fourDER), "DER"},
		{"extra element", k, b64(sevenDER), "extra or non-canonical"},
		{"webcrypto text", k, webCryptoVectorStored, "DER"},
		{"short IV", k, with(func(r *krupteinRecord) { r.IV = r.IV[:11] }), "iv field is 11 bytes, want 12"},
		{"short salt", k, with(func(r *krupteinRecord) { r.Salt = r.Salt[:16] }), "salt field is 16 bytes, want 128"},
		{"short tag", k, with(func(r *krupteinRecord) { r.At = r.At[:12] }), "at field is 12 bytes, want 16"},
		{"short hmac", k, with(func(r *krupteinRecord) { r.Hmac = r.Hmac[:80] }), "hmac field is 80 bytes, want 88"},
		{"ct not base64", k, with(func(r *krupteinRecord) { r.Ct = append([]byte("!"), r.Ct[1:]...) }), "ct field is not base64"},
		{"aad not base64", k, with(func(r *krupteinRecord) { r.AAD = []byte("!!!!") }), "aad field is not base64"},
		{"tampered ct", k, with(func(r *krupteinRecord) { r.Ct = []byte(replaceChar(string(r.Ct), 3)) }), "HMAC mismatch"},
		{"tampered hmac", k, with(func(r *krupteinRecord) { r.Hmac = []byte(replaceChar(string(r.Hmac), 3)) }), "HMAC mismatch"},
		{"tampered iv", k, with(func(r *krupteinRecord) { r.IV = append([]byte{r.IV[0] ^ 1}, r.IV[1:]...) }), "authentication failed"},
		{"tampered tag", k, with(func(r *krupteinRecord) { r.At = append([]byte{r.At[0] ^ 1}, r.At[1:]...) }), "authentication failed"},
		{"tampered aad", k, with(func(r *krupteinRecord) { r.AAD = []byte(replaceChar(string(r.AAD), 3)) }), "authentication failed"},
		{"tampered salt", k, with(func(r *krupteinRecord) { r.Salt = append([]byte{r.Salt[0] ^ 1}, r.Salt[1:]...) }), "HMAC mismatch"},
		{"swapped ct and aad", k, with(func(r *krupteinRecord) { r.Ct, r.AAD = r.AAD, r.Ct }), "HMAC mismatch"},
	}
	for _, tt := range tests {
		checkDecryptError(t, tt.c, tt.name, tt.text, tt.want)
	}

	// Any flipped bit anywhere in the record is detected. Flips in the salt
	// cost a key derivation each, so only the first and last salt bytes
	// are flipped.
	saltAt := strings.Index(string(raw), string(rec.Salt))
	for i := range raw {
		if i > saltAt && i < saltAt+len(rec.Salt)-1 {
			continue
		}
		for _, bit := range []byte{0x01, 0x80} {
			bad := append([]byte(nil), raw...)
			bad[i] ^= bit
			checkDecryptError(t, k, "flipped bit", b64(bad), "")
		}
	}
}
