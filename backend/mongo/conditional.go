package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/seshgo/sesh/backend"
)

// UpdateIf implements backend.ConditionalUpdater on MongoDB, whose
// single-document updates are atomic: it is Update with the session field
// as rec.Token holds it added to the filter,
//
//	updateOne({_id, live, session: <as read>}, <Update's update>,
//	          {collation: {locale: "simple"}})
//
// so that it writes only if no writer changed the session since the read
// or write that returned the Token: neither sesh nor an Express
// application, which rewrites the session field on every save (and knows
// nothing of sesh). A write of the very same session by another writer
// goes undetected, and is harmless: the session is then what the Token
// says. When nothing matches, a second query tells a conflict (an error
// matching backend.ErrConflict) from a session that is gone
// (backend.ErrNotFound). A zero Token, or one of another Store or
// session, conflicts with any stored session.
//
// The filter and the update travel in one statement, which MongoDB limits
// to 16 MiB: UpdateIf refuses, with an error matching backend.ErrTooLarge,
// a session whose old and new forms do not fit together.
//
// On FerretDB, whose updates are not atomic (it finds the document, then
// writes it back, so a concurrent write could be lost), UpdateIf stores
// nothing and returns an error matching errors.ErrUnsupported; CheckUsage
// says so when the middleware is built.
func (s *Store) UpdateIf(ctx context.Context, rec backend.Record) (backend.Token, error) {
	return s.update(ctx, "updateif", rec, true)
}

// checkConditionalSize refuses a conditional update whose statement would
// exceed what MongoDB accepts.
func checkConditionalSize(p prepared, tk *token) error {
	const overhead = 256 // field names, the $or on expires, the collation
	if n := p.size + len(tk.session.Value) + overhead; n > MaxDocumentSize {
		return fmt.Errorf("%w: a conditional write sends the session as read and as written in one statement of about %d bytes; MongoDB accepts at most %d", backend.ErrTooLarge, n, MaxDocumentSize)
	}
	return nil
}

// conflictOrGone returns the error of a conditional update that matched
// nothing: ErrNotFound if no live document has _id sid, ErrConflict
// otherwise.
func conflictOrGone(ctx context.Context, coll *mongo.Collection, sid string, now time.Time) error {
	filter := bson.D{{Key: fieldID, Value: sid}, liveFilter(now)}
	err := coll.FindOne(ctx, filter, options.FindOne().SetProjection(bson.D{{Key: fieldID, Value: 1}})).Err()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%w: no live session to update", backend.ErrNotFound)
	case err != nil:
		return err
	}
	return fmt.Errorf("%w: the session was changed since it was read", backend.ErrConflict)
}

// errNotAtomic is UpdateIf's error on FerretDB.
var errNotAtomic = fmt.Errorf("%w: the server is FerretDB, whose updates are not atomic (it finds the document, then writes it back), so a conditional write could overwrite a concurrent one; use MongoDB for optimistic concurrency", errors.ErrUnsupported)

// checkAtomicUpdates returns errNotAtomic if the server is FerretDB, and
// reports whether it is.
func (s *Store) checkAtomicUpdates(ctx context.Context, coll *mongo.Collection) (ferret bool, err error) {
	ferret, err = s.isFerretDB(ctx, coll)
	if err != nil {
		return false, err
	}
	if ferret && !s.updateIfAnyServer {
		return true, errNotAtomic
	}
	return ferret, nil
}

// isFerretDB reports whether the server is FerretDB, whose buildInfo has a
// ferretdbVersion field. It asks the server once, and again after a
// failure to ask.
func (s *Store) isFerretDB(ctx context.Context, coll *mongo.Collection) (bool, error) {
	s.ferretMu.Lock()
	known, ferret := s.ferretKnown, s.ferret
	s.ferretMu.Unlock()
	if known {
		return ferret, nil
	}
	raw, err := coll.Database().Client().Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return false, fmt.Errorf("asking the server for buildInfo: %w", err)
	}
	_, err = raw.LookupErr("ferretdbVersion")
	ferret = err == nil
	s.ferretMu.Lock()
	s.ferretKnown, s.ferret = true, ferret
	s.ferretMu.Unlock()
	return ferret, nil
}
