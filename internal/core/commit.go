package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
)

// modified is express-session's isModified (the id changed, or the data,
// everything but the cookie, differs from what was loaded), extended with
// the changes sesh does not let go unsaved: an explicit cookie lifetime
// and an owner.
func (s *State) modified() bool {
	if s.id != s.originalID || s.cookieChanged || s.ownerChanged {
		return true
	}
	return s.originalTaken && !equalValues(s.original, s.values)
}

// originalValues returns the values as loaded or generated.
func (s *State) originalValues() []codec.Value {
	if s.originalTaken {
		return s.original
	}
	return s.values
}

// isSaved is express-session's isSaved.
func (s *State) isSaved() bool {
	if s.id != s.originalID || s.cookieChanged || s.ownerChanged {
		return false
	}
	switch s.saved {
	case savedOriginal:
		return equalValues(s.originalValues(), s.values)
	case savedValues:
		return equalValues(s.savedSnap, s.values)
	}
	return false
}

// decision is what the end of a request does with a session.
type decision struct {
	Save, Touch, SetCookie bool
}

// decide applies express-session 1.19's predicates (index.js shouldSave,
// shouldTouch, shouldSetCookie), with two differences: the empty session
// that replaces a destroyed one is saved only if it is modified, whatever
// SaveUninitialized says (Express creates it on the next request), and an
// explicit cookie change is sent. The caller holds s.mu.
func (s *State) decide() decision {
	var d decision
	cfg := &s.m.cfg
	cookieID := s.req.CookieID
	saveUninitialized := cfg.SaveUninitialized && !s.destroyed
	modified := s.modified() // compares the values: once
	if !saveUninitialized && s.saved == savedNone && cookieID != s.id {
		d.Save = modified
	} else {
		d.Save = !s.isSaved()
	}
	d.Touch = cookieID == s.id && !d.Save
	if cookieID != s.id {
		d.SetCookie = saveUninitialized || modified
	} else {
		d.SetCookie = cfg.Rolling || s.cookieChanged || (s.cookie.Persistent() && modified)
	}
	return d
}

// Outcome is what the middleware must put on the response.
type Outcome struct {
	// SetCookie asks for a Set-Cookie carrying ID with Cookie's
	// attributes.
	SetCookie bool
	// ClearCookie asks for a Set-Cookie that removes the browser's cookie:
	// the session ended and was not replaced.
	ClearCookie bool
	ID          string
	Cookie      codec.Cookie
}

// Commit ends the request: it saves, touches or destroys the stored
// session as express-session would and says which cookie to send. secure
// tells whether the request arrived over TLS (a Secure cookie is not sent
// otherwise, though the session is still saved). A non-nil error means the
// session could not be persisted; the Outcome then still says whether the
// cookie must be cleared. After Commit, changes are refused and reported.
func (s *State) Commit(ctx context.Context, secure bool) (Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed {
		return Outcome{}, nil
	}
	s.committed = true
	cfg := &s.m.cfg
	// The writes run even if the client has gone: the handler's work is
	// done and its session changes must not be lost with the connection.
	// (context.WithoutCancel is applied only where I/O happens, as it
	// allocates.)
	if s.unset {
		if cfg.UnsetDestroy && s.stored {
			if err := s.destroyRecord(context.WithoutCancel(ctx), "unset"); err != nil {
				return Outcome{}, err
			}
		}
		return Outcome{}, nil
	}
	d := s.decide()
	now := s.m.now()
	s.cookie.Reset(now)
	switch {
	case d.Save:
		if err := s.persist(context.WithoutCancel(ctx), "save", now); err != nil {
			return s.clearing(), err
		}
	case d.Touch:
		s.touch(ctx, now)
	}
	out := Outcome{ID: s.id, Cookie: s.cookie}
	setCookie := d.SetCookie && (s.stored || !s.destroyed)
	if s.stored && s.id != s.req.CookieID {
		// Saved under an id the browser does not have (a retry moved the
		// session to a new id): the cookie must follow.
		setCookie = true
	}
	if setCookie {
		if s.cookie.Secure && !secure {
			cfg.Logger.Debug("sesh: not sending a Secure session cookie over an insecure connection", "session", redact(s.id))
		} else {
			out.SetCookie = true
		}
	}
	if !out.SetCookie {
		out = s.clearing()
	}
	return out, nil
}

// clearing returns the Outcome that removes the browser's cookie if the
// session it names ended during this request. The caller holds s.mu.
func (s *State) clearing() Outcome {
	if s.destroyed && s.req.CookieID != "" && s.req.CookieID != s.id {
		return Outcome{ClearCookie: true, ID: s.id, Cookie: s.cookie}
	}
	return Outcome{ID: s.id, Cookie: s.cookie}
}

// stamp is the modification time to store with a write or touch at now:
// set when the middleware needs it back.
func (s *State) stamp(now time.Time) time.Time {
	if s.m.cfg.TouchAfter > 0 || s.owner != "" {
		return now
	}
	return time.Time{}
}

// touch extends the stored expiry without rewriting the data, unless the
// last write or touch is more recent than TouchAfter. A failure does not
// fail the request: the data is intact and the next request touches again.
// A record that is gone ends the session. The caller holds s.mu.
func (s *State) touch(ctx context.Context, now time.Time) {
	cfg := &s.m.cfg
	if cfg.TouchAfter > 0 {
		if last := lastWrite(s.recModified, s.recExpires, &s.cookie); !last.IsZero() && now.Sub(last) < cfg.TouchAfter {
			if cfg.Observe != nil {
				cfg.Observe(ctx, "touch", "skipped", 0, nil)
			}
			return
		}
	}
	modified := s.stamp(now)
	start := s.m.start()
	err := cfg.Backend.Touch(context.WithoutCancel(ctx), s.id, s.cookie.Expires, modified, s.tok)
	switch {
	case err == nil:
		s.m.observe(ctx, "touch", "touched", start, nil)
		s.recModified = modified
	case errors.Is(err, backend.ErrNotFound):
		// Destroyed or expired since it was read: never resurrect it.
		s.m.observe(ctx, "touch", "gone", start, nil)
		s.ended()
	default:
		s.m.observe(ctx, "touch", "failed", start, err)
		s.req.Reporter.Report(backendError("touch", err))
	}
}

// ended records that the stored session is gone (destroyed by another
// request, or expired): the request goes on with an empty session under
// a new id, and the browser's cookie is cleared unless that session is
// saved. The caller holds s.mu.
func (s *State) ended() {
	s.m.cfg.Logger.Debug("sesh: the session was destroyed or expired during the request", "session", redact(s.id))
	if err := s.reset(); err != nil {
		// No new id: keep the old one, which names nothing stored.
		s.stored, s.tok = false, backend.Token{}
	}
	s.destroyed = true
}

// Save persists the session now, as express-session's req.session.save().
func (s *State) Save(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unset {
		return fail("save", ErrUnset, nil)
	}
	return s.persist(ctx, "save", s.m.now())
}

// persist writes the session: it creates the record of a new session and
// updates the record of a stored one. A stored record that is gone is
// never written back: the session ends, and the request fails with
// ErrDestroyed if it changed the session. The caller holds s.mu.
func (s *State) persist(ctx context.Context, opName string, now time.Time) error {
	var err error
	if s.stored {
		err = s.update(ctx, opName, now)
		if err == nil && !s.stored {
			return nil // the session ended meanwhile, and this request changed nothing
		}
	} else {
		err = s.create(ctx, opName, now)
	}
	if err != nil {
		return err
	}
	s.saved = savedValues
	s.savedSnap = append(s.savedSnap[:0], s.values...)
	s.cookieChanged, s.ownerChanged = false, false
	s.journal = nil
	return nil
}

// record returns the backend record of the session as it stands, encoded
// and sealed. The caller holds s.mu.
func (s *State) record(opName string, now time.Time) (backend.Record, error) {
	data, err := s.m.cfg.Codec.Encode(&codec.Payload{Cookie: s.cookie, Values: s.values})
	if err != nil {
		return backend.Record{}, fail(opName, ErrInvalidData, fmt.Errorf("encoding the session: %w", err))
	}
	if s.m.cfg.Seal != nil {
		if data, err = s.m.cfg.Seal(s.id, data); err != nil {
			return backend.Record{}, fail(opName, ErrInvalidData, fmt.Errorf("encrypting the session: %w", err))
		}
	}
	if max := s.m.cfg.MaxSize; max > 0 && len(data) > max {
		return backend.Record{}, fail(opName, ErrTooLarge, fmt.Errorf("%d bytes encoded, the limit is %d", len(data), max))
	}
	return backend.Record{
		ID:       s.id,
		Data:     data,
		Expires:  s.cookie.Expires,
		Modified: s.stamp(now),
		Owner:    s.owner,
		Created:  s.created,
		Token:    s.tok,
	}, nil
}

// wrote records a successful write of rec. The caller holds s.mu.
func (s *State) wrote(rec *backend.Record, tok backend.Token) {
	s.stored = true
	s.tok = tok
	s.recModified = rec.Modified
	s.recExpires = rec.Expires
	s.created = rec.Created
}

// create stores a new session. An id already in use (a custom GenerateID
// that repeats itself) is replaced by a fresh one, a few times. The caller
// holds s.mu.
func (s *State) create(ctx context.Context, opName string, now time.Time) error {
	for attempt := 0; ; attempt++ {
		if s.created.IsZero() {
			s.created = now
		}
		rec, err := s.record(opName, now)
		if err != nil {
			return err
		}
		start := s.m.start()
		tok, err := s.m.cfg.Backend.Create(ctx, rec)
		if err == nil {
			s.m.observe(ctx, "create", "created", start, nil)
			s.wrote(&rec, tok)
			return nil
		}
		if !errors.Is(err, backend.ErrExists) || attempt >= 3 {
			s.m.observe(ctx, "create", "failed", start, err)
			return backendError(opName, err)
		}
		s.m.observe(ctx, "create", "exists", start, nil)
		s.m.cfg.Logger.Warn("sesh: a new session id was already in use; generating another (check Options.GenerateID)")
		id, err := s.m.newID()
		if err != nil {
			return fail(opName, ErrBackend, err)
		}
		if s.id == s.originalID {
			s.originalID = id
		}
		s.id = id
	}
}

// update writes a stored session, conditionally in the optimistic mode.
// The caller holds s.mu.
func (s *State) update(ctx context.Context, opName string, now time.Time) error {
	changed := s.modified()
	for attempt := 0; ; attempt++ {
		rec, err := s.record(opName, now)
		if err != nil {
			return err
		}
		start := s.m.start()
		var tok backend.Token
		if s.m.cond != nil {
			tok, err = s.m.cond.UpdateIf(ctx, rec)
		} else {
			tok, err = s.m.cfg.Backend.Update(ctx, rec)
		}
		switch {
		case err == nil:
			s.m.observe(ctx, "update", "updated", start, nil)
			s.wrote(&rec, tok)
			return nil
		case errors.Is(err, backend.ErrNotFound):
			s.m.observe(ctx, "update", "gone", start, nil)
			s.ended()
			if changed {
				return fail(opName, ErrDestroyed, err)
			}
			return nil
		case !errors.Is(err, backend.ErrConflict) || s.m.cond == nil:
			s.m.observe(ctx, "update", "failed", start, err)
			if errors.Is(err, errors.ErrUnsupported) && s.m.cfg.Unsupported != nil {
				s.m.cfg.Unsupported("update", err)
			}
			return backendError(opName, err)
		}
		s.m.observe(ctx, "update", "conflict", start, nil)
		if attempt >= s.m.cfg.MaxRetries {
			return fail(opName, ErrContended, fmt.Errorf("gave up after %d attempts", attempt+1))
		}
		if err := s.rebase(ctx, opName); err != nil {
			return err
		}
		if !s.stored {
			// The record became unreadable: this request's changes go to a
			// fresh session.
			return s.create(ctx, opName, now)
		}
	}
}

// rebase re-reads the stored session after a lost race and re-applies
// this request's own changes to it. A record that is gone ends the session
// (ErrDestroyed); one that became unreadable is replaced, as on load, by a
// fresh session under a new id, which gets this request's changes. The
// caller holds s.mu.
func (s *State) rebase(ctx context.Context, opName string) error {
	got, status, err := s.m.read(ctx, opName, s.id, s.req.Reporter)
	if err != nil {
		return err
	}
	journal := s.journal
	cookie, cookieChanged := s.cookie, s.cookieChanged
	owner, ownerChanged := s.owner, s.ownerChanged
	switch status {
	case readMissing:
		s.ended()
		return fail(opName, ErrDestroyed, backend.ErrNotFound)
	case readCorrupt:
		original := s.original
		if err := s.reset(); err != nil {
			return fail(opName, ErrBackend, err)
		}
		s.original, s.originalTaken = original, true
	default:
		s.take(got)
	}
	for _, o := range journal {
		s.values = apply(s.values, o)
	}
	s.reindex()
	s.journal = journal
	if cookieChanged {
		s.cookie, s.cookieChanged = cookie, true
	}
	if ownerChanged {
		s.owner, s.ownerChanged = owner, true
	}
	s.cookie.Reset(s.m.now())
	return nil
}
