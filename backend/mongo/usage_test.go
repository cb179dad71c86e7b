package mongo

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/cipher"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/sessiontest"
)

func TestCheckUsage(t *testing.T) {
	serialize := func(data []byte) (any, error) { return string(data), nil }
	unserialize := func(v bson.RawValue) ([]byte, error) { return []byte(v.StringValue()), nil }
	tests := []struct {
		name    string
		opts    Options
		data    backend.DataKind
		mention string // "" when the usage is fine
	}{
		{"string, JSON", Options{}, backend.DataJSON, ""},
		{"string, ciphertext", Options{}, backend.DataEncrypted, ""},
		{"string, codec", Options{}, backend.DataOther, ""},
		{"document, JSON", Options{Format: FormatDocument}, backend.DataJSON, ""},
		{"document, ciphertext", Options{Format: FormatDocument}, backend.DataEncrypted, "use FormatString"},
		{"document, codec", Options{Format: FormatDocument}, backend.DataOther, "use FormatString"},
		{"serialize, JSON", Options{Serialize: serialize, Unserialize: unserialize}, backend.DataJSON, ""},
		{"serialize, ciphertext", Options{Serialize: serialize, Unserialize: unserialize}, backend.DataEncrypted, "Options.Serialize"},
		{"unserialize, codec", Options{Unserialize: unserialize}, backend.DataOther, "Options.Unserialize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URI = "mongodb://127.0.0.1:1/db" // not needed without Conditional
			tt.opts.AutoRemove = AutoRemoveDisabled
			s, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.CheckUsage(ctxT(t), backend.Usage{Data: tt.data})
			switch {
			case tt.mention == "" && err != nil:
				t.Errorf("CheckUsage = %v, want nil", err)
			case tt.mention != "" && (err == nil || !strings.Contains(err.Error(), tt.mention)):
				t.Errorf("CheckUsage = %v, want an error saying %q", err, tt.mention)
			}
		})
	}
}

// CheckUsage cannot tell whether a server it cannot reach is FerretDB: it
// accepts optimistic concurrency, after a bounded wait.
func TestCheckUsageUnreachable(t *testing.T) {
	s, err := New(Options{URI: "mongodb://127.0.0.1:1/db", AutoRemove: AutoRemoveDisabled, Logger: newTestLogger(t).Logger})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	if err := s.CheckUsage(ctxT(t), backend.Usage{Conditional: true}); err != nil {
		t.Errorf("CheckUsage with the server unreachable = %v, want nil", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("CheckUsage waited %v for an unreachable server; it asks for 2 s at most", elapsed)
	}
}

func TestCheckUsageConditional(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	err := s.CheckUsage(ctxT(t), backend.Usage{Conditional: true})
	if env.isFerretDB(t) {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("CheckUsage(Conditional) on FerretDB = %v, want an error matching errors.ErrUnsupported", err)
		}
		return
	}
	if err != nil {
		t.Errorf("CheckUsage(Conditional) on MongoDB = %v", err)
	}
}

// FormatString stores Record.Data as a BSON string, which must be UTF-8:
// other bytes are refused rather than stored as invalid BSON.
func TestStringFormatNeedsUTF8(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	_, err := s.Create(ctxT(t), backend.Record{ID: "bin", Data: []byte{0xff, 0xfe, 'x'}, Expires: time.Now().Add(time.Hour)})
	if !errors.Is(err, backend.ErrInvalidData) || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("Create of bytes that are not UTF-8 = %v, want ErrInvalidData naming UTF-8", err)
	}
	if env.raw(t, "bin") != nil {
		t.Error("a refused Create stored a document")
	}
}

// The middleware asks when it is built: encrypted sessions with
// FormatDocument are refused then, not at the first request.
func TestMiddlewareRefusesEncryptedDocuments(t *testing.T) {
	key, err := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{"squirrel"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []Format{FormatString, FormatDocument} {
		s, err := New(Options{URI: "mongodb://127.0.0.1:1/db", Format: format, AutoRemove: AutoRemoveDisabled})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, err = middleware.New(middleware.Options{Backend: s, Secrets: []string{sessiontest.Secret}, Encryption: middleware.Encryption{Cipher: key}})
		switch {
		case format == FormatString && err != nil:
			t.Errorf("encryption with FormatString: %v", err)
		case format == FormatDocument && (err == nil || !strings.Contains(err.Error(), "use FormatString")):
			t.Errorf("encryption with FormatDocument: %v, want a refusal saying to use FormatString", err)
		}
	}
}
