package mongo

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventCreate: Create stored a new document (connect-mongo's
	// 'create').
	EventCreate EventKind = iota + 1

	// EventUpdate: Update or UpdateIf rewrote a document (connect-mongo's
	// 'update').
	EventUpdate

	// EventSet: a session was stored; it follows EventCreate or
	// EventUpdate (connect-mongo's 'set').
	EventSet

	// EventTouch: Touch extended a session (connect-mongo's 'touch').
	EventTouch

	// EventDestroy: Destroy removed a session, or found none to remove
	// (connect-mongo's 'destroy').
	EventDestroy

	// EventError: an operation failed; Op names it and Err says why.
	// Expected outcomes are not errors: an Update or Touch that finds no
	// session (backend.ErrNotFound), a Create that finds one
	// (backend.ErrExists), an UpdateIf that loses (backend.ErrConflict), a
	// call after Close, and a caller cancelling its context.
	EventError

	// EventIndex: the index named Index exists: "expires_1", the TTL index
	// (AutoRemoveNative), or "seshOwner_1", the index of Owned, created
	// when the Store first meets an owned session.
	EventIndex

	// EventFallback: the server refused the index named Index, and Err
	// says why. For "expires_1", the Store now removes expired sessions
	// every AutoRemoveInterval; for "seshOwner_1", Owned scans the
	// collection.
	EventFallback

	// EventSweep: a periodic removal of expired sessions deleted Removed
	// documents.
	EventSweep
)

// String returns the kind's name, connect-mongo's event name where it has
// one: "create", "update", "set", "touch", "destroy", "error", "index",
// "fallback" or "sweep".
func (k EventKind) String() string {
	switch k {
	case EventCreate:
		return "create"
	case EventUpdate:
		return "update"
	case EventSet:
		return "set"
	case EventTouch:
		return "touch"
	case EventDestroy:
		return "destroy"
	case EventError:
		return "error"
	case EventIndex:
		return "index"
	case EventFallback:
		return "fallback"
	case EventSweep:
		return "sweep"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is something that happened in a Store, delivered to
// Options.OnEvent.
type Event struct {
	// Kind says what happened.
	Kind EventKind

	// ID is the session id as the caller gave it, before TransformID (as
	// in connect-mongo's events); empty for background work.
	ID string

	// Op names the operation of an EventError: "get", "create",
	// "update", "updateif", "touch", "destroy", "all", "owned", "len",
	// "clear" or "sweep".
	Op string

	// Index names the index of an EventIndex or EventFallback.
	Index string

	// Err is the error of an EventError or EventFallback.
	Err error

	// Removed is the number of documents an EventSweep deleted.
	Removed int64
}

// events delivers events to a callback on one goroutine, in order,
// through a bounded buffer; a full buffer drops events.
type events struct {
	fn      func(Event)
	mu      sync.RWMutex // guards closed against sends
	closed  bool
	ch      chan Event
	done    chan struct{}
	dropped atomic.Uint64
}

func newEvents(fn func(Event), buffer int) *events {
	if fn == nil {
		return nil
	}
	e := &events{fn: fn, ch: make(chan Event, buffer), done: make(chan struct{})}
	go e.run()
	return e
}

func (e *events) run() {
	defer close(e.done)
	for ev := range e.ch {
		e.deliver(ev)
	}
}

// deliver calls fn, surviving a panic in it so that later events are
// still delivered.
func (e *events) deliver(ev Event) {
	defer func() { _ = recover() }()
	e.fn(ev)
}

// emit queues ev without blocking. It is a no-op on a nil *events.
func (e *events) emit(ev Event) {
	if e == nil {
		return
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		e.dropped.Add(1)
		return
	}
	select {
	case e.ch <- ev:
	default:
		e.dropped.Add(1)
	}
}

// close stops accepting events and waits until the queued ones are
// delivered.
func (e *events) close() {
	if e == nil {
		return
	}
	e.mu.Lock()
	if !e.closed {
		e.closed = true
		close(e.ch)
	}
	e.mu.Unlock()
	<-e.done
}

func (e *events) droppedCount() uint64 {
	if e == nil {
		return 0
	}
	return e.dropped.Load()
}
