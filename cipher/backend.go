package cipher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/seshgo/sesh/backend"
)

// Wrap returns a backend.Backend that stores, in b, the sessions it is
// given encrypted with c: Set (and SetIf) store c.Encrypt(rec.Data) as the
// record's Data, Get (and All) return c.Decrypt of it. The stored bytes are
// the cipher's text, so that a record's data is exactly the string that
// connect-mongo keeps in a document's session field. Ids, expiry and the
// other fields of a Record stay in clear, as in connect-mongo. Touch passes
// no data to b.
//
// The result has exactly the optional capabilities of b: it implements
// backend.ConditionalSetter, backend.Lister, backend.Counter,
// backend.Clearer and io.Closer if and only if b does, so the middleware
// discovers the same features through it. Len, Clear and Close are passed
// through unchanged.
//
// A record that cannot be decrypted makes Get, or All at that record,
// return an error that matches both ErrDecrypt and backend.ErrCorrupt (a
// session stored in clear before encryption was turned on, for instance);
// it is never returned as missing, and the middleware answers it with a
// fresh session rather than an error page. Errors do not include session ids, which are credentials.
//
// b and c must not be nil; if one is, every method returns an error.
func Wrap(b backend.Backend, c Cipher) backend.Backend {
	w := &wrapped{b: b, c: c}
	var caps capability
	if s, ok := b.(backend.ConditionalSetter); ok {
		w.setter, caps = s, caps|capSetIf
	}
	if l, ok := b.(backend.Lister); ok {
		w.lister, caps = l, caps|capAll
	}
	if n, ok := b.(backend.Counter); ok {
		w.counter, caps = n, caps|capLen
	}
	if cl, ok := b.(backend.Clearer); ok {
		w.clearer, caps = cl, caps|capClear
	}
	if cx, ok := b.(io.Closer); ok {
		w.closer, caps = cx, caps|capClose
	}
	return w.withCapabilities(caps)
}

// wrapped holds a wrapped backend, its optional interfaces and the cipher.
// It implements the required methods; the optional ones are defined on
// named copies of it in backend_caps.go.
type wrapped struct {
	b       backend.Backend
	c       Cipher
	setter  backend.ConditionalSetter
	lister  backend.Lister
	counter backend.Counter
	clearer backend.Clearer
	closer  io.Closer
}

var errWrapNil = errors.New("cipher: Wrap was given a nil backend or cipher")

func (w *wrapped) ok() error {
	if w.b == nil || w.c == nil {
		return errWrapNil
	}
	return nil
}

// encrypt returns rec with its data replaced by the ciphertext.
func (w *wrapped) encrypt(rec backend.Record) (backend.Record, error) {
	ct, err := w.c.Encrypt(rec.Data)
	if err != nil {
		return backend.Record{}, fmt.Errorf("cipher: encrypting session: %w", err)
	}
	rec.Data = []byte(ct)
	return rec, nil
}

// decrypt returns rec with its data replaced by the plaintext.
func (w *wrapped) decrypt(rec backend.Record) (backend.Record, error) {
	pt, err := w.c.Decrypt(string(rec.Data))
	if err != nil {
		return backend.Record{}, fmt.Errorf("cipher: reading stored session: %w: %w", backend.ErrCorrupt, err)
	}
	rec.Data = pt
	return rec, nil
}

// Get returns the record stored under id with its data decrypted.
func (w *wrapped) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	if err := w.ok(); err != nil {
		return backend.Record{}, false, err
	}
	rec, found, err := w.b.Get(ctx, id)
	if err != nil || !found {
		return backend.Record{}, found, err
	}
	rec, err = w.decrypt(rec)
	if err != nil {
		return backend.Record{}, false, err
	}
	return rec, true, nil
}

// Set stores rec with its data encrypted.
func (w *wrapped) Set(ctx context.Context, rec backend.Record) error {
	if err := w.ok(); err != nil {
		return err
	}
	rec, err := w.encrypt(rec)
	if err != nil {
		return err
	}
	return w.b.Set(ctx, rec)
}

// Touch updates the expiry of the record stored under rec.ID. The data in
// rec is not passed on: Touch does not change data, and the wrapped backend
// never sees plaintext.
func (w *wrapped) Touch(ctx context.Context, rec backend.Record) error {
	if err := w.ok(); err != nil {
		return err
	}
	rec.Data = nil
	return w.b.Touch(ctx, rec)
}

// Destroy removes the record stored under id.
func (w *wrapped) Destroy(ctx context.Context, id string) error {
	if err := w.ok(); err != nil {
		return err
	}
	return w.b.Destroy(ctx, id)
}

// The optional methods. Each is defined on a distinct named copy of
// wrapped, so that backend_caps.go can combine exactly the ones the
// wrapped backend has.
type (
	setIfPart wrapped
	allPart   wrapped
	lenPart   wrapped
	clearPart wrapped
	closePart wrapped
)

// SetIf stores rec with its data encrypted if the stored version is want.
func (p *setIfPart) SetIf(ctx context.Context, rec backend.Record, want uint64, created bool) error {
	w := (*wrapped)(p)
	if err := w.ok(); err != nil {
		return err
	}
	rec, err := w.encrypt(rec)
	if err != nil {
		return err
	}
	return w.setter.SetIf(ctx, rec, want, created)
}

// All yields every live record with its data decrypted. A record that
// cannot be decrypted ends the iteration with an error matching ErrDecrypt.
func (p *allPart) All(ctx context.Context) iter.Seq2[backend.Record, error] {
	w := (*wrapped)(p)
	return func(yield func(backend.Record, error) bool) {
		if err := w.ok(); err != nil {
			yield(backend.Record{}, err)
			return
		}
		for rec, err := range w.lister.All(ctx) {
			if err == nil {
				rec, err = w.decrypt(rec)
			}
			if err != nil {
				yield(backend.Record{}, err)
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// Len returns the wrapped backend's Len.
func (p *lenPart) Len(ctx context.Context) (int, error) {
	if err := (*wrapped)(p).ok(); err != nil {
		return 0, err
	}
	return p.counter.Len(ctx)
}

// Clear calls the wrapped backend's Clear.
func (p *clearPart) Clear(ctx context.Context) error {
	if err := (*wrapped)(p).ok(); err != nil {
		return err
	}
	return p.clearer.Clear(ctx)
}

// Close closes the wrapped backend.
func (p *closePart) Close() error {
	if err := (*wrapped)(p).ok(); err != nil {
		return err
	}
	return p.closer.Close()
}
