package cipher

import (
	"errors"
	"strings"
	"testing"
)

// failing is a Cipher whose Decrypt fails with an error of its own.
type failing struct{ err error }

func (f failing) Encrypt([]byte) (string, error) { return "", f.err }
func (f failing) Decrypt(string) ([]byte, error) { return nil, f.err }

func TestMultiMigratesFormats(t *testing.T) {
	kr := newTestKruptein(t, "old secret")
	wc := newTestWebCrypto(t, "new secret")
	m := Multi(wc, kr)

	legacy, _ := kr.Encrypt([]byte(plainSession))
	got, err := m.Decrypt(legacy)
	if err != nil || string(got) != plainSession {
		t.Fatalf("Decrypt(kruptein record) = %q, %v", got, err)
	}
	fresh, err := m.Encrypt([]byte(plainSession))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := wc.Decrypt(fresh); err != nil || string(got) != plainSession {
		t.Fatalf("Multi must encrypt with its primary: %q, %v", got, err)
	}
	if got, err := m.Decrypt(fresh); err != nil || string(got) != plainSession {
		t.Fatalf("Decrypt(own record) = %q, %v", got, err)
	}
}

func TestMultiErrors(t *testing.T) {
	other := errors.New("backend on fire")
	m := Multi(newTestWebCrypto(t, "a"), nil, newTestKruptein(t, "b"), failing{other})
	_, err := m.Decrypt(plainSession)
	if !errors.Is(err, ErrDecrypt) || !errors.Is(err, other) {
		t.Fatalf("error %v must match ErrDecrypt and each cipher's error", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"cipher: cannot decrypt session: none of 3 ciphers accepted the text",
		"[0] webcrypto: not base64 text",
		"[1] kruptein: not base64 text",
		"[2] backend on fire",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Count(msg, "cannot decrypt session") != 1 {
		t.Errorf("error %q repeats its prefix", msg)
	}

	// Only foreign errors: still ErrDecrypt.
	_, err = Multi(failing{other}).Decrypt("x")
	if !errors.Is(err, ErrDecrypt) {
		t.Errorf("error %v does not match ErrDecrypt", err)
	}
}

func TestMultiNilPrimary(t *testing.T) {
	w := newTestWebCrypto(t, "a")
	m := Multi(nil, w)
	if _, err := m.Encrypt([]byte("x")); err == nil {
		t.Error("Encrypt without a primary succeeded")
	}
	ct, _ := w.Encrypt([]byte("x"))
	if got, err := m.Decrypt(ct); err != nil || string(got) != "x" {
		t.Errorf("Decrypt through a fallback = %q, %v", got, err)
	}
	if _, err := Multi(nil).Decrypt(ct); !errors.Is(err, ErrDecrypt) {
		t.Errorf("empty Multi: error %v", err)
	}
}
