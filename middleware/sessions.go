package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"slices"
	"time"

	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/internal/core"
)

// SessionInfo describes a stored session, for a "your sessions" page or an
// administration tool.
type SessionInfo struct {
	ID    string
	Owner string
	// Created is when the session was first stored, LastSeen when it was
	// last written or touched (to within TouchAfter), Expires when it
	// expires in the backend. Created and LastSeen are zero where the
	// backend cannot tell.
	Created, LastSeen, Expires time.Time

	values []codec.Value
}

// Keys returns the keys of the session's values.
func (i *SessionInfo) Keys() []string {
	keys := make([]string, len(i.values))
	for n, v := range i.values {
		keys[n] = v.Key
	}
	return keys
}

// Decode decodes the value stored under key into dst, as
// session.Session.Decode does.
func (i *SessionInfo) Decode(key string, dst any) (found bool, err error) {
	for _, v := range i.values {
		if v.Key == key {
			return true, json.Unmarshal(v.JSON, dst)
		}
	}
	return false, nil
}

func info(l core.Listed) SessionInfo {
	si := SessionInfo{
		ID:       l.Record.ID,
		Owner:    l.Record.Owner,
		Created:  l.Record.Created,
		LastSeen: l.LastSeen,
		Expires:  l.Record.Expires,
	}
	if l.Payload != nil {
		si.values = l.Payload.Values
	}
	return si
}

// All yields every stored session, decoded, streaming from the backend. A
// session that cannot be read (corrupt, or encrypted with another key) is
// yielded with its ID and an error matching session.ErrCorrupt, and the
// iteration goes on; any other error (the backend failed, or cannot list:
// errors.ErrUnsupported) ends it. On Redis a session may come twice if the
// server resizes its table meanwhile (backend.Lister).
func (m *Middleware) All(ctx context.Context) iter.Seq2[SessionInfo, error] {
	return func(yield func(SessionInfo, error) bool) {
		for l, err := range m.manager.List(ctx, "") {
			if !yield(info(l), err) {
				return
			}
		}
	}
}

// Sessions returns the live sessions attached to owner with
// session.Session.SetOwner: the user's sessions on every device. It reads
// the backend's owner index (backend.Owners), or scans every session where
// there is none. Sessions that cannot be read are left out and logged.
func (m *Middleware) Sessions(ctx context.Context, owner string) ([]SessionInfo, error) {
	if owner == "" {
		return nil, nil
	}
	var out []SessionInfo
	for l, err := range m.manager.List(ctx, owner) {
		if errors.Is(err, core.ErrCorrupt) {
			m.logger.WarnContext(ctx, err.Error())
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, info(l))
	}
	return out, nil
}

// DestroySessions destroys every session of owner except those whose ids
// are in keep (typically the current session's, for "sign out everywhere
// else"), unreadable ones included, and returns how many it destroyed. A
// request of a destroyed session that is under way cannot write it back.
func (m *Middleware) DestroySessions(ctx context.Context, owner string, keep ...string) (int, error) {
	if owner == "" {
		return 0, nil
	}
	var ids []string
	for l, err := range m.manager.List(ctx, owner) {
		if err != nil && !errors.Is(err, core.ErrCorrupt) {
			return 0, err
		}
		if l.Record.ID != "" && !slices.Contains(keep, l.Record.ID) {
			ids = append(ids, l.Record.ID)
		}
	}
	n := 0
	for _, id := range ids {
		if err := m.manager.Destroy(ctx, id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Lookup returns the stored session id, decoded: for an administration
// tool or a test. found is false for a missing or expired session; a
// session that cannot be read is an error matching session.ErrCorrupt.
func (m *Middleware) Lookup(ctx context.Context, id string) (si SessionInfo, found bool, err error) {
	l, found, err := m.manager.Lookup(ctx, id)
	if err != nil || !found {
		return SessionInfo{}, false, err
	}
	return info(l), true, nil
}
