package mongo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// conn hands out the collection, resolving the client lazily when it comes
// from Options.Connect. A failed Connect is not remembered: the next
// caller tries again.
type conn struct {
	opts *resolved

	mu      sync.Mutex
	client  *mongo.Client
	coll    *mongo.Collection
	ready   chan struct{} // closed once coll is set
	pending chan struct{} // non-nil while a Connect call runs; closed when it ends
}

func newConn(opts *resolved, client *mongo.Client) *conn {
	c := &conn{opts: opts, ready: make(chan struct{})}
	if client != nil {
		c.set(client)
	}
	return c
}

// set installs client and derives the collection. The caller holds c.mu or
// is the constructor.
func (c *conn) set(client *mongo.Client) {
	wc := c.opts.WriteConcern
	if wc == nil && !c.opts.owned && clientWriteConcernUnacknowledged(client) {
		c.opts.Logger.Warn("mongo session store: the client's write concern is unacknowledged (w: 0); writing sessions with {w: 1}")
		wc = writeconcern.W1()
	}
	collOpts := options.Collection()
	if wc != nil {
		collOpts.SetWriteConcern(wc)
	}
	c.client = client
	c.coll = client.Database(c.opts.Database).Collection(c.opts.Collection, collOpts)
	close(c.ready)
}

// current returns the client and collection if they are resolved.
func (c *conn) current() (*mongo.Client, *mongo.Collection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.client, c.coll
}

// collection returns the collection, calling Options.Connect if needed.
func (c *conn) collection(ctx context.Context) (*mongo.Collection, error) {
	for {
		c.mu.Lock()
		if c.coll != nil {
			coll := c.coll
			c.mu.Unlock()
			return coll, nil
		}
		if wait := c.pending; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue // resolved, or failed: look again, and maybe try ourselves
			case <-ctx.Done():
				return nil, fmt.Errorf("waiting for Options.Connect: %w", ctx.Err())
			}
		}
		done := make(chan struct{})
		c.pending = done
		c.mu.Unlock()

		client, err := c.callConnect(ctx)

		c.mu.Lock()
		c.pending = nil
		close(done)
		if err == nil {
			c.set(client)
		}
		coll := c.coll
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return coll, nil
	}
}

func (c *conn) callConnect(ctx context.Context) (client *mongo.Client, err error) {
	defer func() {
		if p := recover(); p != nil {
			client, err = nil, fmt.Errorf("Options.Connect panicked: %v", p)
		}
	}()
	client, err = c.opts.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("Options.Connect: %w", err)
	}
	if client == nil {
		return nil, errors.New("Options.Connect returned a nil client and no error")
	}
	return client, nil
}

// clientWriteConcernUnacknowledged reports whether the default write
// concern of a client the application made is unacknowledged (w: 0). The
// driver has no accessor for it, so this reads the client's unexported
// field through reflection, read-only; if the field cannot be found (a
// future driver), it reports false and the Store falls back on checking
// every write's reply.
func clientWriteConcernUnacknowledged(client *mongo.Client) (unacked bool) {
	defer func() {
		if recover() != nil {
			unacked = false
		}
	}()
	v := reflect.ValueOf(client)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	f := v.Elem().FieldByName("writeConcern")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Type().Elem() != reflect.TypeFor[writeconcern.WriteConcern]() {
		return false
	}
	wc := f.Elem()
	w := wc.FieldByName("W")
	if !w.IsValid() || w.Kind() != reflect.Interface || w.IsNil() {
		return false
	}
	zero := false
	switch w = w.Elem(); w.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		zero = w.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		zero = w.Uint() == 0
	}
	if !zero {
		return false
	}
	j := wc.FieldByName("Journal")
	journaled := j.IsValid() && j.Kind() == reflect.Pointer && !j.IsNil() && j.Elem().Bool()
	return !journaled
}
