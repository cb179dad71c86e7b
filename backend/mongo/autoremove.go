package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Server error codes the Store tells apart.
const (
	codeUnauthorized          = 13
	codeNamespaceNotFound     = 26
	codeIndexOptionsConflict  = 85
	codeIndexKeySpecsConflict = 86
	codeNotImplemented        = 238 // FerretDB: no TTL indexes
)

// transientCodes are server errors after which creating the index is
// worth trying again: the server is starting, stopping, electing a primary
// or overloaded.
var transientCodes = []int{
	6,     // HostUnreachable
	7,     // HostNotFound
	89,    // NetworkTimeout
	91,    // ShutdownInProgress
	189,   // PrimarySteppedDown
	262,   // ExceededTimeLimit
	9001,  // SocketException
	10107, // NotWritablePrimary
	11600, // InterruptedAtShutdown
	11602, // InterruptedDueToReplStateChange
	13435, // NotPrimaryNoSecondaryOk
	13436, // NotPrimaryOrSecondary
}

// Retry delays for creating the TTL index while the server is unreachable.
const (
	indexRetryMin = 250 * time.Millisecond
	indexRetryMax = 30 * time.Second
)

// ttlIndex returns connect-mongo's index: {expires: 1},
// expireAfterSeconds 0. It is new on every call because the driver writes
// the index name into the options it is given.
func ttlIndex() mongo.IndexModel {
	return mongo.IndexModel{
		Keys:    bson.D{{Key: fieldExpires, Value: 1}},
		Options: options.Index().SetExpireAfterSeconds(0),
	}
}

// Index names, as the server derives them from the keys.
const (
	ttlIndexName   = "expires_1"
	ownerIndexName = "seshOwner_1"
)

// testHookSweep, if set by a test, runs inside every sweep.
var testHookSweep func()

// maintain runs the background work of Options.AutoRemove until ctx is
// cancelled by Close: creating the TTL index, or removing expired
// documents periodically, or, when the server refuses the index, the
// latter after the former.
func (s *Store) maintain(ctx context.Context) {
	switch s.opts.AutoRemove {
	case AutoRemoveNative:
		err := s.ensureIndex(ctx, ttlIndexName, ttlIndex)
		if err == nil {
			return
		}
		s.opts.Logger.Warn("mongo session store: the server refused the TTL index on expires; removing expired sessions periodically instead",
			"collection", s.opts.Collection, "interval", s.opts.AutoRemoveInterval, "error", err)
		s.events.emit(Event{Kind: EventFallback, Index: ttlIndexName, Err: err})
		s.sweepLoop(ctx)
	case AutoRemoveInterval:
		s.sweepLoop(ctx)
	}
}

// ensureIndex creates the index that model returns, retrying while the
// server cannot be reached, and sends an EventIndex once it exists. It
// returns the server's refusal of the index, or nil (the index exists, or
// ctx is done).
func (s *Store) ensureIndex(ctx context.Context, name string, model func() mongo.IndexModel) (refused error) {
	// With Options.Connect, wait for an operation to bring the client.
	select {
	case <-s.conn.ready:
	case <-ctx.Done():
		return nil
	}
	_, coll := s.conn.current()
	delay := indexRetryMin
	for attempt := 1; ; attempt++ {
		err := s.createIndex(ctx, coll, model())
		switch {
		case err == nil:
			s.opts.Logger.Debug("mongo session store: index ready", "collection", s.opts.Collection, "index", name)
			s.events.emit(Event{Kind: EventIndex, Index: name})
			return nil
		case ctx.Err() != nil:
			return nil
		case indexRefused(err):
			return err
		}
		level := s.opts.Logger.Debug
		if attempt == 1 {
			level = s.opts.Logger.Warn
		}
		level("mongo session store: cannot create an index yet; will retry",
			"collection", s.opts.Collection, "index", name, "attempt", attempt, "retry_in", delay, "error", err)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil
		}
		delay = min(2*delay, indexRetryMax)
	}
}

func (s *Store) createIndex(ctx context.Context, coll *mongo.Collection, model mongo.IndexModel) error {
	timeout := s.opts.OperationTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := coll.Indexes().CreateOne(ctx, model)
	return err
}

// indexRefused reports whether err is the server's answer that it will
// not create the TTL index, as opposed to a failure to reach it.
func indexRefused(err error) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	switch {
	case se.HasErrorCode(codeNotImplemented),
		se.HasErrorCode(codeIndexOptionsConflict),
		se.HasErrorCode(codeIndexKeySpecsConflict),
		se.HasErrorCode(codeUnauthorized),
		se.HasErrorMessage("expireAfterSeconds"): // Azure Cosmos DB: supported on '_ts' only
		return true
	}
	for _, code := range transientCodes {
		if se.HasErrorCode(code) {
			return false
		}
	}
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) || se.HasErrorLabel("RetryableWriteError") {
		return false
	}
	// Any other answer from the server (CannotCreateIndex, BadValue, …)
	// will not change by asking again.
	return true
}

// sweepLoop removes expired documents every AutoRemoveInterval, the first
// time one interval from now. One goroutine runs it, so sweeps never
// overlap; a sweep that outlasts the interval delays the next.
func (s *Store) sweepLoop(ctx context.Context) {
	t := time.NewTicker(s.opts.AutoRemoveInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sweep(ctx)
		}
	}
}

// sweep runs deleteMany({expires: {$lt: now}}), acknowledged.
func (s *Store) sweep(ctx context.Context) {
	if testHookSweep != nil {
		testHookSweep()
	}
	_, coll := s.conn.current()
	if coll == nil {
		return // Options.Connect has not been called yet
	}
	timeout := s.opts.OperationTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	filter := bson.D{{Key: fieldExpires, Value: bson.D{{Key: "$lt", Value: bson.NewDateTimeFromTime(time.Now())}}}}
	res, err := coll.DeleteMany(ctx, filter)
	if err == nil && !res.Acknowledged {
		err = errUnacknowledged
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return // Close
		}
		s.opts.Logger.Warn("mongo session store: removing expired sessions failed",
			"collection", s.opts.Collection, "error", err)
		s.events.emit(Event{Kind: EventError, Op: "sweep", Err: err})
		return
	}
	s.events.emit(Event{Kind: EventSweep, Removed: res.DeletedCount})
}
