package middleware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/cipher"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

var webCrypto = func() *cipher.WebCrypto {
	c, err := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{"the crypto secret"}, Iterations: cipher.MinWebCryptoIterations})
	if err != nil {
		panic(err)
	}
	return c
}()

// views returns the views a request with the given cookie sees, after
// counting itself, and whether the session was new.
func views(t *testing.T, h *harness, cookie string) (n int, id string) {
	t.Helper()
	w := h.do(cookie)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	_, id = h.sessionCookie(w)
	return h.lastViews, id
}

func encrypted(t *testing.T, e middleware.Encryption) *harness {
	var h *harness
	h = newHarness(t, middleware.Options{Encryption: e}, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		n, _ := session.Get[int](s, "views")
		if err := s.Set("views", n+1); err != nil {
			t.Error(err)
		}
		h.lastViews = n + 1
	})
	return h
}

func TestEncryptedAtRest(t *testing.T) {
	h := encrypted(t, middleware.Encryption{Cipher: webCrypto})
	_, id := views(t, h, "")
	stored := h.stored(id)
	if strings.Contains(stored, "views") || strings.HasPrefix(stored, "{") {
		t.Fatalf("stored %q: the session is in clear", stored)
	}
	// The stored text is connect-mongo's WebCrypto format: the cipher alone
	// decrypts it to express-session's JSON.
	pt, err := webCrypto.Decrypt(stored)
	if err != nil || !bytes.HasPrefix(pt, []byte(`{"cookie":{`)) || !bytes.HasSuffix(pt, []byte(`,"views":1}`)) {
		t.Fatalf("Decrypt(stored) = %s, %v", pt, err)
	}
	if n, _ := views(t, h, h.cookieFor(id)); n != 2 {
		t.Errorf("second request saw views %d, want 2", n)
	}
}

func TestEncryptionReadsWhatConnectMongoWrote(t *testing.T) {
	h := encrypted(t, middleware.Encryption{Cipher: webCrypto})
	session := `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":41}`
	// connect-mongo 6 accepts a plaintext double-encoded as a JSON string
	// (older writers); so does sesh.
	literal, _ := json.Marshal(session)
	for name, pt := range map[string]string{"plain": session, "double-encoded": string(literal)} {
		ct, err := webCrypto.Encrypt([]byte(pt))
		if err != nil {
			t.Fatal(err)
		}
		id := "node-" + name
		if _, err := h.store.Create(context.Background(), backend.Record{ID: id, Data: []byte(ct)}); err != nil {
			t.Fatal(err)
		}
		if n, _ := views(t, h, h.cookieFor(id)); n != 42 {
			t.Errorf("%s: views %d, want 42 from the record Express wrote", name, n)
		}
	}
}

func TestEncryptionAcceptsPlaintextUnlessRefused(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		h := encrypted(t, middleware.Encryption{Cipher: webCrypto, RefusePlaintext: refuse})
		h.seed("clear", false, `,"views":7`)
		n, id := views(t, h, h.cookieFor("clear"))
		if !refuse && n != 8 {
			t.Errorf("default: a session stored in clear gave views %d, want 8 (turning encryption on must not sign everyone out)", n)
		}
		if refuse {
			if n != 1 || id == "clear" {
				t.Errorf("RefusePlaintext: views %d id %q, want a fresh session", n, id)
			}
			if errs := h.errs.all(); len(errs) != 1 || !errors.Is(errs[0], session.ErrCorrupt) {
				t.Errorf("RefusePlaintext: OnError got %v, want one ErrCorrupt", errs)
			}
		}
	}
}

func TestWrongKeyGivesFreshSession(t *testing.T) {
	other, err := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{"another secret"}, Iterations: cipher.MinWebCryptoIterations})
	if err != nil {
		t.Fatal(err)
	}
	h := encrypted(t, middleware.Encryption{Cipher: webCrypto})
	ct, _ := other.Encrypt([]byte(`{"cookie":{"path":"/"},"views":5}`))
	h.store.Create(context.Background(), backend.Record{ID: "foreign", Data: []byte(ct)})
	n, id := views(t, h, h.cookieFor("foreign"))
	if n != 1 || id == "foreign" || id == "" {
		t.Errorf("views %d id %q: an undecryptable session must give a fresh one, not a 500 loop", n, id)
	}
	errs := h.errs.all()
	if len(errs) != 1 || !errors.Is(errs[0], session.ErrCorrupt) || !errors.Is(errs[0], cipher.ErrDecrypt) {
		t.Errorf("OnError got %v, want one error matching ErrCorrupt and cipher.ErrDecrypt", errs)
	}
	if h.stored("foreign") != ct {
		t.Error("the undecryptable record was changed")
	}
}

func TestBindIDStopsCopiedCiphertexts(t *testing.T) {
	// An attacker who can write to the store copies the admin's ciphertext
	// under their own session id.
	for _, bind := range []bool{false, true} {
		h := encrypted(t, middleware.Encryption{Cipher: webCrypto, BindID: bind})
		h.seed("placeholder", false, ``)
		_, admin := views(t, h, "")
		rec, _, _ := h.store.Get(context.Background(), admin)
		rec.ID = "attacker"
		h.store.Create(context.Background(), rec)
		n, id := views(t, h, h.cookieFor("attacker"))
		switch {
		case !bind && (n != 2 || id != ""):
			t.Errorf("without BindID the copy decrypts (the documented threat): views %d new id %q", n, id)
		case bind && (n != 1 || id == "" || id == "attacker"):
			t.Errorf("with BindID the copied ciphertext decrypted: views %d id %q, want a fresh session", n, id)
		}
		if bind {
			if n, _ := views(t, h, h.cookieFor(admin)); n != 2 {
				t.Errorf("with BindID the admin's own session broke: views %d", n)
			}
		}
	}
}

func TestEncryptionOptionsChecked(t *testing.T) {
	kruptein, err := cipher.NewKruptein(cipher.KrupteinOptions{Secrets: []string{"k"}})
	if err != nil {
		t.Fatal(err)
	}
	b := &nopBackend{}
	for name, e := range map[string]middleware.Encryption{
		"binding with a cipher that cannot bind":     {Cipher: kruptein, BindID: true},
		"binding with a Multi holding such a cipher": {Cipher: cipher.Multi(kruptein, webCrypto), BindID: true},
		"refusing plaintext without a cipher":        {RefusePlaintext: true},
	} {
		if _, err := middleware.New(middleware.Options{Backend: b, Secrets: []string{secret}, Encryption: e}); !errors.Is(err, middleware.ErrInvalidOptions) {
			t.Errorf("%s: New returned %v, want ErrInvalidOptions", name, err)
		}
	}
	if _, err := middleware.New(middleware.Options{Backend: b, Secrets: []string{secret}, Encryption: middleware.Encryption{Cipher: cipher.Multi(webCrypto, kruptein)}}); err != nil {
		t.Errorf("Multi for rotation, without binding: %v", err)
	}
}

// choosyBackend refuses some uses, as a backend storing sessions as
// documents refuses ciphertext.
type choosyBackend struct {
	nopBackend
	got []backend.Usage
}

func (b *choosyBackend) CheckUsage(_ context.Context, u backend.Usage) error {
	b.got = append(b.got, u)
	if u.Data != backend.DataJSON {
		return errors.New("this store keeps sessions as documents: it needs plain JSON")
	}
	return nil
}

func TestBackendRefusesUsageAtNew(t *testing.T) {
	b := &choosyBackend{}
	_, err := middleware.New(middleware.Options{Backend: b, Secrets: []string{secret}, Encryption: middleware.Encryption{Cipher: webCrypto}})
	if !errors.Is(err, middleware.ErrInvalidOptions) || !strings.Contains(err.Error(), "needs plain JSON") {
		t.Errorf("New with encryption on a JSON-only backend: %v, want ErrInvalidOptions with the backend's reason", err)
	}
	if _, err := middleware.New(middleware.Options{Backend: b, Secrets: []string{secret}}); err != nil {
		t.Errorf("New without encryption: %v", err)
	}
	if len(b.got) != 2 || b.got[0].Data != backend.DataEncrypted || b.got[1].Data != backend.DataJSON {
		t.Errorf("the backend was asked %+v", b.got)
	}
}
