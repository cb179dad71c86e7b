package cipher

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
)

func TestKrupteinVectorKey(t *testing.T) {
	salt := make([]byte, krupteinSaltSize)
	seqRandom(salt)
	dk, err := deriveKrupteinKey(vectorSecret, salt, krupteinIterations)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(dk.key); got != krupteinVectorKey {
		t.Errorf("key = %s, want %s", got, krupteinVectorKey)
	}
}

func TestKrupteinVectorEncrypt(t *testing.T) {
	k, err := newKruptein(KrupteinOptions{Secrets: []string{vectorSecret}}, seqRandom, krupteinIterations)
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.Encrypt([]byte(vectorPlaintext))
	if err != nil {
		t.Fatal(err)
	}
	if got != krupteinVectorStored {
		t.Errorf("Encrypt =\n%s\nwant\n%s", got, krupteinVectorStored)
	}
	if len(got) != 648 {
		t.Errorf("len = %d, want 648", len(got))
	}
}

func TestKrupteinVectorFields(t *testing.T) {
	raw, err := base64.StdEncoding.DecodeString(krupteinVectorStored)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := parseKrupteinRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	seq := func(n int) []byte { b := make([]byte, n); seqRandom(b); return b }
	for _, f := range []struct {
		name      string
		got, want []byte
	}{
		{"ct", rec.Ct, []byte(krupteinVectorCt)},
		{"hmac", rec.Hmac, []byte(krupteinVectorHmac)},
		{"iv", rec.IV, seq(12)},
		{"salt", rec.Salt, seq(128)},
		{"at", rec.At, mustHex(t, krupteinVectorAt)},
		{"aad", rec.AAD, []byte(krupteinVectorAAD)},
	} {
		if !bytes.Equal(f.got, f.want) {
			t.Errorf("%s = %x, want %x", f.name, f.got, f.want)
		}
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKrupteinVectorDecrypt(t *testing.T) {
	// A fresh instance: the stored salt is not its write salt, so this is
	// the path of a record written by connect-mongo.
	k := newTestKruptein(t, vectorSecret)
	got, err := k.Decrypt(krupteinVectorStored)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != vectorPlaintext {
		t.Errorf("Decrypt = %s, want %s", got, vectorPlaintext)
	}
	// The inner layer really is the JSON string literal.
	raw, _ := base64.StdEncoding.DecodeString(krupteinVectorStored)
	rec, _ := parseKrupteinRecord(raw)
	dk, _ := k.readKey(0, rec.Salt)
	ct, _ := base64.StdEncoding.DecodeString(string(rec.Ct))
	aad, _ := base64.StdEncoding.DecodeString(string(rec.AAD))
	inner, err := dk.aead.Open(nil, rec.IV, append(ct, rec.At...), aad)
	if err != nil {
		t.Fatal(err)
	}
	if string(inner) != krupteinVectorInner {
		t.Errorf("inner plaintext = %s, want %s", inner, krupteinVectorInner)
	}
}

func TestKrupteinRoundTrip(t *testing.T) {
	k := newTestKruptein(t, "s")
	other := newTestKruptein(t, "s") // another process with the same secret
	for _, pt := range []string{"", vectorPlaintext, `{"n":"é€😀 \u2028 <>&","c":"\u0000\u001f\"\\"}`, strings.Repeat("x", 1<<16)} {
		ct, err := k.Encrypt([]byte(pt))
		if err != nil {
			t.Fatal(err)
		}
		for name, r := range map[string]*Kruptein{"writer": k, "other": other} {
			got, err := r.Decrypt(ct)
			if err != nil {
				t.Fatalf("%s: Decrypt(Encrypt(%d bytes)): %v", name, len(pt), err)
			}
			if string(got) != pt {
				t.Errorf("%s: round trip of %q gave %q", name, pt, got)
			}
		}
	}
}

func TestKrupteinRejectsInvalidUTF8(t *testing.T) {
	k := newTestKruptein(t, "s")
	_, err := k.Encrypt([]byte{'{', 0xff, '}'})
	if err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("Encrypt(invalid UTF-8) error = %v", err)
	}
}

func TestKrupteinReusesWriteSalt(t *testing.T) {
	k := newTestKruptein(t, "s")
	a, _ := k.Encrypt([]byte("same"))
	b, _ := k.Encrypt([]byte("same"))
	if a == b {
		t.Fatal("two encryptions of the same plaintext are identical")
	}
	ra, rb := mustRecord(t, a), mustRecord(t, b)
	if !bytes.Equal(ra.Salt, rb.Salt) {
		t.Error("salt changed between messages")
	}
	if bytes.Equal(ra.IV, rb.IV) || bytes.Equal(ra.AAD, rb.AAD) {
		t.Error("IV or AAD repeated")
	}
	if _, err := k.Decrypt(a); err != nil {
		t.Fatal(err)
	}
	if n := k.derivations.Load(); n != 0 {
		t.Errorf("reading its own record derived %d keys, want 0", n)
	}
}

func mustRecord(t testing.TB, s string) *krupteinRecord {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := parseKrupteinRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestKrupteinReadCache(t *testing.T) {
	writer := newTestKruptein(t, "s")
	ct, _ := writer.Encrypt([]byte("x"))

	reader := newTestKruptein(t, "s")
	for range 3 {
		if _, err := reader.Decrypt(ct); err != nil {
			t.Fatal(err)
		}
	}
	if n := reader.derivations.Load(); n != 1 {
		t.Errorf("3 reads derived %d keys, want 1", n)
	}

	noCache, _ := NewKruptein(KrupteinOptions{Secrets: []string{"s"}, CacheSize: -1})
	for range 2 {
		if _, err := noCache.Decrypt(ct); err != nil {
			t.Fatal(err)
		}
	}
	if n := noCache.derivations.Load(); n != 2 {
		t.Errorf("2 reads without cache derived %d keys, want 2", n)
	}
}

func TestKrupteinSecretRotation(t *testing.T) {
	oldK := newTestKruptein(t, "old")
	ct, _ := oldK.Encrypt([]byte("from old"))
	rotated := newTestKruptein(t, "new", "middle", "old")
	got, err := rotated.Decrypt(ct)
	if err != nil || string(got) != "from old" {
		t.Fatalf("Decrypt with rotated secrets = %q, %v", got, err)
	}
	if n := rotated.derivations.Load(); n != 3 {
		t.Errorf("first read derived %d keys, want 3 (one per secret)", n)
	}
	if _, err := rotated.Decrypt(ct); err != nil {
		t.Fatal(err)
	}
	if n := rotated.derivations.Load(); n != 3 {
		t.Errorf("second read derived %d more keys, want 0", n-3)
	}
	ct, _ = rotated.Encrypt([]byte("from new"))
	if _, err := oldK.Decrypt(ct); err == nil {
		t.Fatal("new records must be encrypted with the first secret")
	}
}

func TestKrupteinRekey(t *testing.T) {
	k := newTestKruptein(t, "s")
	k.rekeyAfter = 2
	var cts []string
	salts := map[string]bool{}
	for i := range 5 {
		ct, err := k.Encrypt([]byte{byte('a' + i)})
		if err != nil {
			t.Fatal(err)
		}
		cts = append(cts, ct)
		salts[string(mustRecord(t, ct).Salt)] = true
	}
	if len(salts) != 3 {
		t.Errorf("5 messages, 2 per salt, used %d salts, want 3", len(salts))
	}
	for i, ct := range cts {
		got, err := k.Decrypt(ct)
		if err != nil || string(got) != string(rune('a'+i)) {
			t.Errorf("message %d: %q, %v", i, got, err)
		}
	}
	if n := k.derivations.Load(); n != 0 {
		t.Errorf("reading records of old write keys derived %d keys, want 0", n)
	}
}

func TestKrupteinRekeyConcurrent(t *testing.T) {
	k := newTestKruptein(t, "s")
	k.rekeyAfter = 10
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				pt := []byte{byte(g), byte(i)}
				ct, err := k.Encrypt(pt)
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := k.Decrypt(ct); err != nil || !bytes.Equal(got, pt) {
					t.Errorf("round trip: %q, %v", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestKrupteinOptions(t *testing.T) {
	for name, opts := range map[string]KrupteinOptions{
		"no secrets":   {},
		"empty secret": {Secrets: []string{"a", ""}},
	} {
		if _, err := NewKruptein(opts); err == nil {
			t.Errorf("%s: NewKruptein succeeded", name)
		}
	}
}

func TestKrupteinNotAStringLiteral(t *testing.T) {
	// A record whose decrypted text is not a JSON string literal is
	// returned as it is, as connect-mongo 6 does.
	k := newTestKruptein(t, "s")
	w := k.write.Load()
	pt := []byte(`{"cookie":{}}`)
	iv := make([]byte, krupteinIVSize)
	aad := hmacSHA512([]byte("k"), pt)
	sealed := w.dk.aead.Seal(nil, iv, pt, aad)
	n := len(sealed) - krupteinTagSize
	rec := krupteinRecord{
		Ct: base64.StdEncoding.AppendEncode(nil, sealed[:n]), IV: iv, Salt: w.salt,
		At: sealed[n:], AAD: base64.StdEncoding.AppendEncode(nil, aad),
	}
	rec.Hmac = base64.StdEncoding.AppendEncode(nil, hmacSHA512(w.dk.key, rec.Ct))
	der, err := rec.marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.Decrypt(base64.StdEncoding.EncodeToString(der))
	if err != nil || !bytes.Equal(got, pt) {
		t.Errorf("Decrypt = %q, %v; want %q", got, err, pt)
	}
}
