package core

import (
	"context"
	"time"
)

// destroyRecord removes the stored record of the session. The caller
// holds s.mu.
func (s *State) destroyRecord(ctx context.Context, opName string) error {
	if err := s.m.destroy(ctx, opName, s.id); err != nil {
		return err
	}
	s.stored, s.tok = false, tokenZero
	return nil
}

// Reload replaces the session with what the backend holds now, dropping
// unsaved changes, as express-session's req.session.reload(). A session
// that is no longer stored has ended: Reload returns ErrDestroyed and the
// request goes on with an empty session under a new id. A stored session
// that cannot be read is reported and replaced the same way, without an
// error, as on load.
func (s *State) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable("reload"); err != nil {
		return err
	}
	got, status, err := s.m.read(ctx, "reload", s.id, s.req.Reporter)
	if err != nil {
		return err
	}
	switch status {
	case readMissing:
		s.ended()
		return fail("reload", ErrDestroyed, nil)
	case readCorrupt:
		s.ended()
		return nil
	}
	if !s.originalTaken {
		s.original = s.values
		s.originalTaken = true
	}
	s.take(got)
	s.cookieChanged, s.ownerChanged = false, false
	s.journal = nil
	return nil
}

// Regenerate destroys the stored session and replaces it with a new, empty
// session under a new id, as express-session's req.session.regenerate():
// the defence against session fixation at sign-in. Values set afterwards
// are saved under the new id.
func (s *State) Regenerate(ctx context.Context) error {
	return s.end(ctx, "regenerate")
}

// Destroy deletes the stored session now and leaves an empty new session
// in its place: if the handler stores values in it, it is saved under a new
// id; otherwise the browser's cookie is cleared.
func (s *State) Destroy(ctx context.Context) error {
	return s.end(ctx, "destroy")
}

// end destroys the stored record and starts an empty session under a new
// id, in its place.
func (s *State) end(ctx context.Context, opName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable(opName); err != nil {
		return err
	}
	if s.stored {
		if err := s.destroyRecord(ctx, opName); err != nil {
			return err
		}
	}
	if err := s.reset(); err != nil {
		return fail(opName, ErrBackend, err)
	}
	s.destroyed = true
	return nil
}

// RenewID moves the session, data and cookie included, to a new id and
// destroys the record stored under the old one: scs's RenewToken, for a
// change of privilege that keeps what the session holds.
func (s *State) RenewID(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable("renew"); err != nil {
		return err
	}
	if s.stored {
		if err := s.destroyRecord(ctx, "renew"); err != nil {
			return err
		}
	}
	id, err := s.m.newID()
	if err != nil {
		return fail("renew", ErrBackend, err)
	}
	s.id = id
	s.stored, s.tok = false, tokenZero
	s.created = time.Time{}
	return nil
}
