package mongo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/seshgo/sesh/backend"
)

// token is what a Store puts in the backend.Token of a record: the session
// field of the document as the Store read or wrote it. Update and UpdateIf
// use it to keep the BSON types of the values a request left unchanged,
// and UpdateIf writes only if the stored session field is still this one.
type token struct {
	store   *Store
	id      string        // the document's _id
	session bson.RawValue // the Token's own bytes
}

// tokenOf returns what t holds if a read or write of this Store made it for
// the document sid, and nil otherwise: a Token of another store or
// another session counts as the zero Token.
func (s *Store) tokenOf(t backend.Token, sid string) *token {
	tk, ok := t.Sys().(*token)
	if !ok || tk.store != s || tk.id != sid {
		return nil
	}
	return tk
}

// Get implements backend.Backend. It reads the document by _id and checks
// its expiry on the application's clock: a document whose expires is
// past, or not a date, is reported as missing; one without expires is
// live (as in connect-mongo). A document that cannot be read (a session
// field of the wrong type, malformed data) is an error matching
// backend.ErrCorrupt.
func (s *Store) Get(ctx context.Context, id string) (backend.Record, bool, error) {
	var (
		rec   backend.Record
		found bool
	)
	err := s.do(ctx, "get", id, func(ctx context.Context, coll *mongo.Collection) error {
		filter := bson.D{{Key: fieldID, Value: s.storedID(id)}}
		now := time.Now()
		if s.getWithLiveFilter {
			filter = append(filter, liveFilter(now))
		}
		raw, err := coll.FindOne(ctx, filter).Raw()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		}
		if err != nil {
			return err
		}
		rec, found, err = s.decode(raw, now)
		return err
	})
	if err != nil || !found {
		return backend.Record{}, false, err
	}
	rec.ID = id
	return rec, true, nil
}

// decode reads a stored document. found is false for an expired one. The
// Record's ID is the document's _id; its Token is a copy of the session
// field, so raw may be a cursor's buffer.
func (s *Store) decode(raw bson.Raw, now time.Time) (rec backend.Record, found bool, err error) {
	sid, ok := raw.Lookup(fieldID).StringValueOK()
	if !ok {
		return rec, false, corruptf("the document's _id is not a string")
	}
	rec.ID = sid
	if v, err := raw.LookupErr(fieldExpires); err == nil {
		ms, ok := v.DateTimeOK()
		if !ok {
			return rec, false, nil // connect-mongo's $gt filter never matches a non-date
		}
		rec.Expires = time.UnixMilli(ms).UTC()
		if backend.Expired(rec.Expires, now) {
			return rec, false, nil
		}
	} else if !errors.Is(err, bsoncore.ErrElementNotFound) {
		return rec, false, corruptf("reading expires: %v", err)
	}
	rec.Modified = dateField(raw, fieldLastModified)
	rec.Created = dateField(raw, fieldCreatedAt)
	rec.Owner, _ = raw.Lookup(fieldOwner).StringValueOK()
	v, err := raw.LookupErr(fieldSession)
	if err != nil {
		return rec, false, corruptf("the document has no session field")
	}
	if rec.Data, err = s.decodeSession(v); err != nil {
		return rec, false, err
	}
	v.Value = bytes.Clone(v.Value)
	rec.Token = backend.NewToken(&token{store: s, id: sid, session: v})
	return rec, true, nil
}

// dateField returns the date in field name of doc, or the zero time if
// there is none (another type is ignored, as connect-mongo ignores it).
func dateField(doc bson.Raw, name string) time.Time {
	if ms, ok := doc.Lookup(name).DateTimeOK(); ok {
		return time.UnixMilli(ms).UTC()
	}
	return time.Time{}
}

// decodeSession turns a stored session field into Record.Data: a string
// as is (the session's JSON, or the ciphertext the middleware wrote), a
// sub-document as JSON (see DocumentToJSON), or what Options.Unserialize
// makes of it.
func (s *Store) decodeSession(v bson.RawValue) ([]byte, error) {
	if s.opts.Unserialize != nil {
		return s.unserialize(v)
	}
	switch v.Type {
	case bson.TypeString:
		str, ok := v.StringValueOK()
		if !ok {
			return nil, corruptf("malformed session string")
		}
		return []byte(str), nil
	case bson.TypeEmbeddedDocument:
		return DocumentToJSON(v.Value)
	}
	return nil, corruptf("the session field is a BSON %v, not a string or a document", v.Type)
}

func (s *Store) unserialize(v bson.RawValue) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, corruptf("Options.Unserialize panicked: %v", p)
		}
	}()
	data, err = s.opts.Unserialize(v)
	if err != nil {
		return nil, fmt.Errorf("%w: Options.Unserialize: %w", backend.ErrCorrupt, err)
	}
	return data, nil
}

// All implements backend.Lister with connect-mongo's query,
// find({$or: [{expires: {$exists: false}}, {expires: {$gt: now}}]}).
// Each Record's ID is the document's _id, the session id. With
// Options.TransformID the _ids cannot be turned back into session ids, and
// records under ids nobody can read or destroy would mislead (an
// administration tool would destroy nothing): All declines with an error
// matching errors.ErrUnsupported. OperationTimeout bounds the query and each batch fetched, not the whole
// iteration. A document that cannot be read is yielded with an error
// matching backend.ErrCorrupt, and its ID when its _id is a string, and
// the iteration goes on (connect-mongo's all fails on the first one); a
// failed query or fetch ends it.
func (s *Store) All(ctx context.Context) iter.Seq2[backend.Record, error] {
	if s.opts.TransformID != nil {
		return func(yield func(backend.Record, error) bool) {
			yield(backend.Record{}, s.failEarly("all", "", errOwnedTransformID))
		}
	}
	return s.scan(ctx, "all", nil)
}

// scan yields the live documents that match filter, for All and Owned.
func (s *Store) scan(ctx context.Context, op string, filter bson.D) iter.Seq2[backend.Record, error] {
	return func(yield func(backend.Record, error) bool) {
		now := time.Now()
		var cur *mongo.Cursor
		err := s.do(ctx, op, "", func(ctx context.Context, coll *mongo.Collection) error {
			var err error
			cur, err = coll.Find(ctx, append(filter, liveFilter(now)))
			return err
		})
		if err != nil {
			yield(backend.Record{}, err)
			return
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = cur.Close(cctx)
		}()
		for {
			var more bool
			err := s.do(ctx, op, "", func(ctx context.Context, _ *mongo.Collection) error {
				more = cur.Next(ctx)
				if !more {
					return cur.Err()
				}
				return nil
			})
			if err != nil {
				yield(backend.Record{}, err)
				return
			}
			if !more {
				return
			}
			rec, found, err := s.decode(cur.Current, now)
			if err != nil {
				if !yield(backend.Record{ID: rec.ID}, s.failEarly(op, "", err)) {
					return
				}
				continue
			}
			if found && !yield(rec, nil) {
				return
			}
		}
	}
}
