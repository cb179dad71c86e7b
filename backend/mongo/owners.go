package mongo

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/seshgo/sesh/backend"
)

// ownerIndex returns the index of Owned: {seshOwner: 1}, sparse, so that
// the sessions without an owner (most of them, and all of Express's) are
// not in it.
func ownerIndex() mongo.IndexModel {
	return mongo.IndexModel{
		Keys:    bson.D{{Key: fieldOwner, Value: 1}},
		Options: options.Index().SetSparse(true),
	}
}

// ensureOwnerIndex starts creating the owner index in the background, the
// first time it is called: when the Store first writes an owned session
// or lists one owner's sessions, so that a collection sesh shares with
// Express gets no index of sesh's until sesh uses owners. Creation is
// tried again while the server cannot be reached; a refusal is logged and
// reported as an EventFallback, and Owned then scans the collection.
func (s *Store) ensureOwnerIndex() {
	s.ownerIndex.Do(func() {
		s.mu.RLock()
		defer s.mu.RUnlock()
		if s.closed {
			return
		}
		s.background(func(ctx context.Context) {
			err := s.ensureIndex(ctx, ownerIndexName, ownerIndex)
			if err == nil {
				return
			}
			s.opts.Logger.Warn("mongo session store: the server refused the index on seshOwner; listing a user's sessions scans the collection",
				"collection", s.opts.Collection, "error", err)
			s.events.emit(Event{Kind: EventFallback, Index: ownerIndexName, Err: err})
		})
	})
}

// errOwnedTransformID is the error of All and Owned with Options.TransformID.
var errOwnedTransformID = fmt.Errorf("%w: with Options.TransformID the documents hold transformed ids, which cannot be turned back into the session ids that Destroy needs", errors.ErrUnsupported)

// Owned implements backend.Owners with find({seshOwner: owner, live}), on
// the sparse index seshOwner_1. Records are yielded as All yields them.
// With Options.TransformID it declines with an error matching
// errors.ErrUnsupported: the documents hold transformed ids, from which
// the session ids cannot be recovered.
func (s *Store) Owned(ctx context.Context, owner string) iter.Seq2[backend.Record, error] {
	if s.opts.TransformID != nil {
		return func(yield func(backend.Record, error) bool) {
			yield(backend.Record{}, s.failEarly("owned", "", errOwnedTransformID))
		}
	}
	s.ensureOwnerIndex()
	return s.scan(ctx, "owned", bson.D{{Key: fieldOwner, Value: owner}})
}
