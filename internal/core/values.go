package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/seshgo/sesh/codec"
)

type opKind uint8

const (
	opSet opKind = iota
	opDelete
	opClear
)

// op is one change a request made, kept to re-apply it to a fresher record
// when an optimistic write conflicts.
type op struct {
	kind opKind
	key  string
	json []byte
}

// reserved are the keys express-session's Session object already has, as
// its own or inherited properties: a value stored under one of them is
// silently dropped when Express loads the session (and lost at its next
// save), so sesh refuses them. lastModified is connect-mongo's.
var reserved = map[string]bool{
	"cookie": true, "id": true, "req": true, "regenerate": true, "save": true,
	"reload": true, "destroy": true, "touch": true, "resetMaxAge": true,
	"lastModified": true,
	// Object.prototype
	"constructor": true, "hasOwnProperty": true, "isPrototypeOf": true,
	"propertyIsEnumerable": true, "toLocaleString": true, "toString": true,
	"valueOf": true, "__proto__": true, "__defineGetter__": true,
	"__defineSetter__": true, "__lookupGetter__": true, "__lookupSetter__": true,
}

// marshal encodes v as JSON the way JSON.stringify would: no HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return unescapeSeparators(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// unescapeSeparators writes U+2028 and U+2029, which encoding/json
// escapes, as the characters, as JSON.stringify does.
func unescapeSeparators(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u202`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		if i+5 < len(b) && b[i+1] == 'u' && string(b[i+2:i+5]) == "202" && (b[i+5] == '8' || b[i+5] == '9') {
			if b[i+5] == '8' {
				out = append(out, "\u2028"...)
			} else {
				out = append(out, "\u2029"...)
			}
			i += 5
			continue
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
}

// Set stores the JSON encoding of v under key.
func (s *State) Set(key string, v any) error {
	if reserved[key] {
		return fail("set", ErrReservedKey, fmt.Errorf("%q belongs to express-session's session object; choose another key", key))
	}
	data, err := marshal(v)
	if err != nil {
		return fmt.Errorf("sesh: encoding session value %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable("set"); err != nil {
		return err
	}
	s.change(op{kind: opSet, key: key, json: data})
	return nil
}

// Delete removes key.
func (s *State) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable("delete"); err != nil {
		return err
	}
	if _, ok := s.find(key); !ok {
		return nil
	}
	s.change(op{kind: opDelete, key: key})
	return nil
}

// Clear removes every value.
func (s *State) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mutable("clear"); err != nil {
		return err
	}
	if len(s.values) == 0 {
		return nil
	}
	s.change(op{kind: opClear})
	return nil
}

// mutable reports why the session cannot change now. A change made after
// the response headers left is reported as well as returned, so that it
// is never lost silently. The caller holds s.mu.
func (s *State) mutable(opName string) error {
	if s.unset {
		return fail(opName, ErrUnset, nil)
	}
	if s.committed {
		err := fail(opName, ErrCommitted, fmt.Errorf("session %s: save before writing the response", redact(s.id)))
		s.req.Reporter.Report(err)
		return err
	}
	return nil
}

// change records and applies o. The caller holds s.mu.
func (s *State) change(o op) {
	if !s.originalTaken {
		s.original = slices.Clone(s.values)
		s.originalTaken = true
	}
	if s.m.cfg.Optimistic {
		s.journal = append(s.journal, o)
	}
	if o.kind == opSet {
		if i, ok := s.find(o.key); ok {
			s.values[i].JSON = o.json
			return
		}
		s.values = append(s.values, codec.Value{Key: o.key, JSON: o.json})
		if s.index != nil {
			s.index[o.key] = len(s.values) - 1
			return
		}
	} else {
		s.values = apply(s.values, o)
	}
	s.reindex()
}

// apply returns values with o applied, in place: snapshots (original,
// savedSnap) are copies, and the JSON slices are never modified.
func apply(values []codec.Value, o op) []codec.Value {
	switch o.kind {
	case opClear:
		return nil
	case opDelete:
		return slices.DeleteFunc(values, func(v codec.Value) bool { return v.Key == o.key })
	}
	for i := range values {
		if values[i].Key == o.key {
			values[i].JSON = o.json
			return values
		}
	}
	return append(values, codec.Value{Key: o.key, JSON: o.json})
}
