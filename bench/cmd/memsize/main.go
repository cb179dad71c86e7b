// Command memsize measures the memory an in-memory session store holds
// per session: it creates -n sessions through a library's middleware, in
// process, each holding user=u<i> with a one-hour cookie as in
// sesh-bench's other suites, and prints, as one JSON object, the growth
// of the live heap (runtime.MemStats.HeapAlloc after garbage collection)
// divided by the number of sessions. sesh-bench's footprint suite runs it
// once per library and size, each in a process of its own.
//
//	memsize -lib sesh -n 1000000   # sesh's middleware on backend/memory (no bound, no sweeper)
//	memsize -lib scs -n 1000000    # scs v2 on memstore (no cleanup)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// Result is what memsize prints.
type Result struct {
	Lib             string  `json:"lib"`
	Sessions        int     `json:"sessions"`
	HeapBefore      uint64  `json:"heapBefore"` // live heap with the empty store
	HeapAfter       uint64  `json:"heapAfter"`  // live heap holding the sessions
	BytesPerSession float64 `json:"bytesPerSession"`
	Seconds         float64 `json:"seconds"` // time to create the sessions
}

func main() {
	lib := flag.String("lib", "sesh", "sesh or scs")
	n := flag.Int("n", 100000, "sessions to create")
	flag.Parse()
	res, err := measure(*lib, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memsize:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

// measure creates n sessions through lib's handler and returns the heap
// growth.
func measure(lib string, n int) (Result, error) {
	h, keep, err := handler(lib)
	if err != nil {
		return Result{}, err
	}
	res := Result{Lib: lib, Sessions: n}
	res.HeapBefore = liveHeap()
	start := time.Now()
	w := &discard{h: http.Header{}}
	for i := range n {
		r := httptest.NewRequest(http.MethodGet, "/set?k=user&v=u"+strconv.Itoa(i), nil)
		clear(w.h)
		w.status = 0
		h.ServeHTTP(w, r)
		if w.status != 0 && w.status != http.StatusOK {
			return res, fmt.Errorf("%s: request %d answered %d", lib, i, w.status)
		}
		if w.h.Get("Set-Cookie") == "" {
			return res, fmt.Errorf("%s: request %d created no session", lib, i)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.HeapAfter = liveHeap()
	res.BytesPerSession = (float64(res.HeapAfter) - float64(res.HeapBefore)) / float64(n)
	runtime.KeepAlive(keep)
	return res, nil
}

// handler returns lib's middleware around a handler that stores the
// query's k=v in the session, and the store to keep alive.
func handler(lib string) (http.Handler, any, error) {
	switch lib {
	case "sesh":
		store := memory.New(memory.Options{MaxSessions: -1, SweepInterval: -1})
		mw, err := middleware.New(middleware.Options{
			Backend:    store,
			Secrets:    []string{"keyboard cat"},
			Cookie:     middleware.Cookie{MaxAge: time.Hour},
			TouchAfter: time.Hour,
		})
		if err != nil {
			return nil, nil, err
		}
		return mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if err := session.FromContext(r.Context()).Set(q.Get("k"), q.Get("v")); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
		})), store, nil
	case "scs":
		sm := scs.New()
		sm.Lifetime = time.Hour
		store := memstore.NewWithCleanupInterval(0)
		sm.Store = store
		return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			sm.Put(r.Context(), q.Get("k"), q.Get("v"))
		})), store, nil
	}
	return nil, nil, fmt.Errorf("-lib must be sesh or scs, not %q", lib)
}

// liveHeap returns the bytes of live heap objects after two collections
// (the second frees what the first's finalizers released).
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// discard is a ResponseWriter that keeps the headers and the status only.
type discard struct {
	h      http.Header
	status int
}

func (w *discard) Header() http.Header         { return w.h }
func (w *discard) Write(b []byte) (int, error) { return len(b), nil }
func (w *discard) WriteHeader(s int)           { w.status = s }
