package cipher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
)

// mapBackend is a minimal in-memory backend with every optional
// capability, enough to test Wrap.
type mapBackend struct {
	mu      sync.Mutex
	recs    map[string]backend.Record
	touched []backend.Record
	closed  bool
}

func newMapBackend() *mapBackend { return &mapBackend{recs: map[string]backend.Record{}} }

func (m *mapBackend) Get(_ context.Context, id string) (backend.Record, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.recs[id]
	rec.Data = bytes.Clone(rec.Data)
	return rec, ok, nil
}

func (m *mapBackend) Set(_ context.Context, rec backend.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec.Data = bytes.Clone(rec.Data)
	rec.Version = 0
	m.recs[rec.ID] = rec
	return nil
}

func (m *mapBackend) SetIf(_ context.Context, rec backend.Record, want uint64, created bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.recs[rec.ID]
	if ok == created || cur.Version != want {
		return backend.ErrConflict
	}
	rec.Data = bytes.Clone(rec.Data)
	rec.Version = want + 1
	m.recs[rec.ID] = rec
	return nil
}

func (m *mapBackend) Touch(_ context.Context, rec backend.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.touched = append(m.touched, rec)
	cur, ok := m.recs[rec.ID]
	if !ok {
		return backend.ErrNotFound
	}
	cur.Expires = rec.Expires
	m.recs[rec.ID] = cur
	return nil
}

func (m *mapBackend) Destroy(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.recs, id)
	return nil
}

func (m *mapBackend) All(context.Context) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		m.mu.Lock()
		recs := slices.SortedFunc(maps.Values(m.recs), func(a, b backend.Record) int { return strings.Compare(a.ID, b.ID) })
		m.mu.Unlock()
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (m *mapBackend) Len(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.recs), nil
}

func (m *mapBackend) Clear(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.recs)
	return nil
}

func (m *mapBackend) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// identity stores data in clear.
type identity struct{}

func (identity) Encrypt(p []byte) (string, error) { return string(p), nil }
func (identity) Decrypt(s string) ([]byte, error) { return []byte(s), nil }

// capabilitiesOf reports which optional interfaces b implements.
func capabilitiesOf(b backend.Backend) capability {
	var caps capability
	if _, ok := b.(backend.ConditionalSetter); ok {
		caps |= capSetIf
	}
	if _, ok := b.(backend.Lister); ok {
		caps |= capAll
	}
	if _, ok := b.(backend.Counter); ok {
		caps |= capLen
	}
	if _, ok := b.(backend.Clearer); ok {
		caps |= capClear
	}
	if _, ok := b.(io.Closer); ok {
		caps |= capClose
	}
	return caps
}

// restricted returns m as a backend with exactly the optional interfaces
// in caps, built with the same machinery Wrap uses, storing in clear.
func restricted(m *mapBackend, caps capability) backend.Backend {
	return (&wrapped{b: m, c: identity{}, setter: m, lister: m, counter: m, clearer: m, closer: m}).withCapabilities(caps)
}

func TestWrapKeepsCapabilities(t *testing.T) {
	c := newTestWebCrypto(t, "s")
	ctx := context.Background()
	for caps := range capAllOptional + 1 {
		m := newMapBackend()
		base := restricted(m, caps)
		if got := capabilitiesOf(base); got != caps {
			t.Fatalf("withCapabilities(%05b) has %05b", caps, got)
		}
		w := Wrap(base, c)
		if got := capabilitiesOf(w); got != caps {
			t.Errorf("Wrap of a backend with %05b has %05b", caps, got)
		}

		// Every method reaches the backend, through the cipher.
		rec := backend.Record{ID: "id", Data: []byte(plainSession)}
		if err := w.Set(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if s, ok := w.(backend.ConditionalSetter); ok {
			if err := s.SetIf(ctx, backend.Record{ID: "v", Data: []byte("v1")}, 0, true); err != nil {
				t.Errorf("%05b: SetIf: %v", caps, err)
			}
		}
		if l, ok := w.(backend.Lister); ok {
			for r, err := range l.All(ctx) {
				if err != nil || (r.ID == "id" && string(r.Data) != plainSession) {
					t.Errorf("%05b: All: %q, %v", caps, r.Data, err)
				}
			}
		}
		if n, ok := w.(backend.Counter); ok {
			if got, err := n.Len(ctx); err != nil || got != len(m.recs) {
				t.Errorf("%05b: Len = %d, %v", caps, got, err)
			}
		}
		if cl, ok := w.(backend.Clearer); ok {
			if err := cl.Clear(ctx); err != nil || len(m.recs) != 0 {
				t.Errorf("%05b: Clear: %v, %d left", caps, err, len(m.recs))
			}
		}
		if cx, ok := w.(io.Closer); ok {
			if err := cx.Close(); err != nil || !m.closed {
				t.Errorf("%05b: Close: %v, closed %v", caps, err, m.closed)
			}
		}
	}
}

func TestWrapEncryptsData(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]Cipher{"webcrypto": newTestWebCrypto(t, "s"), "kruptein": newTestKruptein(t, "s")} {
		m := newMapBackend()
		w := Wrap(m, c).(interface {
			backend.Backend
			backend.ConditionalSetter
			backend.Lister
		})
		exp := time.Date(2026, 11, 23, 13, 25, 38, 0, time.UTC)
		in := backend.Record{ID: "sid", Data: []byte(plainSession), Expires: exp}
		if err := w.Set(ctx, in); err != nil {
			t.Fatal(err)
		}
		if string(in.Data) != plainSession {
			t.Fatalf("%s: Set modified the caller's record", name)
		}
		stored := m.recs["sid"]
		if bytes.Contains(stored.Data, []byte("cookie")) || !stored.Expires.Equal(exp) {
			t.Errorf("%s: stored %q, expires %v", name, stored.Data, stored.Expires)
		}
		if pt, err := c.Decrypt(string(stored.Data)); err != nil || string(pt) != plainSession {
			t.Errorf("%s: stored data is not the cipher's text: %q, %v", name, pt, err)
		}

		got, found, err := w.Get(ctx, "sid")
		if err != nil || !found || string(got.Data) != plainSession || !got.Expires.Equal(exp) {
			t.Errorf("%s: Get = %+v, %v, %v", name, got, found, err)
		}
		if _, found, err := w.Get(ctx, "missing"); found || err != nil {
			t.Errorf("%s: Get(missing) = %v, %v", name, found, err)
		}

		if err := w.Touch(ctx, backend.Record{ID: "sid", Data: []byte("secret plaintext"), Expires: exp.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if td := m.touched[len(m.touched)-1].Data; td != nil {
			t.Errorf("%s: Touch passed data %q to the backend", name, td)
		}

		if err := w.SetIf(ctx, backend.Record{ID: "sid", Data: []byte(`{"v":2}`)}, 0, false); err != nil {
			t.Fatal(err)
		}
		got, _, _ = w.Get(ctx, "sid")
		if string(got.Data) != `{"v":2}` || got.Version != 1 {
			t.Errorf("%s: after SetIf, Get = %q version %d", name, got.Data, got.Version)
		}
		if err := w.SetIf(ctx, backend.Record{ID: "sid", Data: []byte("x")}, 0, false); !errors.Is(err, backend.ErrConflict) {
			t.Errorf("%s: stale SetIf: %v", name, err)
		}

		if err := w.Destroy(ctx, "sid"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := w.Get(ctx, "sid"); found {
			t.Errorf("%s: record survived Destroy", name)
		}
	}
}

func TestWrapDecryptFailures(t *testing.T) {
	ctx := context.Background()
	m := newMapBackend()
	w := Wrap(m, newTestWebCrypto(t, "s"))
	for i := range 3 {
		if err := w.Set(ctx, backend.Record{ID: fmt.Sprint("a", i), Data: []byte("ok")}); err != nil {
			t.Fatal(err)
		}
	}
	// A record stored in clear, as before encryption was turned on.
	m.recs["b-clear"] = backend.Record{ID: "b-clear", Data: []byte(plainSession)}

	_, found, err := w.Get(ctx, "b-clear")
	if !errors.Is(err, ErrDecrypt) || found {
		t.Errorf("Get(clear record) = %v, %v; want an ErrDecrypt error", found, err)
	}
	if err != nil && strings.Contains(err.Error(), "b-clear") {
		t.Errorf("error %q reveals the session id", err)
	}

	var ids []string
	var lastErr error
	for rec, err := range w.(backend.Lister).All(ctx) {
		if err != nil {
			lastErr = err
			if rec.ID != "" || rec.Data != nil {
				t.Errorf("error yielded with record %+v", rec)
			}
			continue
		}
		ids = append(ids, rec.ID)
	}
	if !errors.Is(lastErr, ErrDecrypt) || len(ids) != 3 {
		t.Errorf("All yielded %v, then %v", ids, lastErr)
	}

	// Stopping early is honoured.
	n := 0
	for range w.(backend.Lister).All(ctx) {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break after one record ran %d iterations", n)
	}
}

func TestWrapEncryptFailure(t *testing.T) {
	ctx := context.Background()
	m := newMapBackend()
	w := Wrap(m, newTestKruptein(t, "s"))
	err := w.Set(ctx, backend.Record{ID: "x", Data: []byte{0xff}})
	if err == nil || !strings.Contains(err.Error(), "encrypting session") {
		t.Errorf("Set(invalid UTF-8 through kruptein) = %v", err)
	}
	if len(m.recs) != 0 {
		t.Error("a record was stored despite the error")
	}
}

func TestWrapNil(t *testing.T) {
	ctx := context.Background()
	for _, w := range []backend.Backend{Wrap(nil, identity{}), Wrap(newMapBackend(), nil)} {
		if _, _, err := w.Get(ctx, "x"); err == nil {
			t.Error("Get succeeded")
		}
		if err := w.Set(ctx, backend.Record{ID: "x"}); err == nil {
			t.Error("Set succeeded")
		}
		if err := w.Touch(ctx, backend.Record{ID: "x"}); err == nil {
			t.Error("Touch succeeded")
		}
		if err := w.Destroy(ctx, "x"); err == nil {
			t.Error("Destroy succeeded")
		}
	}
	w := Wrap(newMapBackend(), nil).(interface {
		backend.ConditionalSetter
		backend.Lister
		backend.Counter
		backend.Clearer
		io.Closer
	})
	if w.SetIf(ctx, backend.Record{}, 0, true) == nil || w.Clear(ctx) == nil || w.Close() == nil {
		t.Error("optional methods succeeded without a cipher")
	}
	if _, err := w.Len(ctx); err == nil {
		t.Error("Len succeeded without a cipher")
	}
	for _, err := range w.All(ctx) {
		if err == nil {
			t.Error("All succeeded without a cipher")
		}
	}
}

func TestWrapUndecryptableIsCorrupt(t *testing.T) {
	ctx := context.Background()
	inner := newMapBackend()
	inner.Set(ctx, backend.Record{ID: "plain", Data: []byte(`{"cookie":{}}`), Expires: time.Now().Add(time.Hour)})
	c, err := NewWebCrypto(WebCryptoOptions{Secrets: []string{"k"}, Iterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Wrap(inner, c).Get(ctx, "plain")
	if !errors.Is(err, backend.ErrCorrupt) || !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Get of a session stored in clear: %v; want ErrCorrupt and ErrDecrypt so the middleware starts a fresh session", err)
	}
}
