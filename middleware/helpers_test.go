package middleware_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/internal/recorder"
	"github.com/seshgo/sesh/middleware"
)

const secret = "keyboard cat"

// harness runs a handler behind the middleware on a recorded memory backend.
type harness struct {
	t       *testing.T
	store   *memory.Store
	rec     *recorder.Recorder
	signer  *cookie.Signer
	handler http.Handler
	mw      *middleware.Middleware
	errs    *errorLog
	// lastViews is what a counting handler saw last.
	lastViews int
	logs      *bytes.Buffer
}

type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(_ *http.Request, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

func newHarness(t *testing.T, opts middleware.Options, h http.HandlerFunc) *harness {
	t.Helper()
	store := memory.New(memory.Options{SweepInterval: -1})
	t.Cleanup(func() { store.Close() })
	hs := &harness{t: t, store: store, rec: recorder.New(store), signer: cookie.NewSigner([]string{secret}), errs: &errorLog{}, logs: &bytes.Buffer{}}
	if opts.Backend == nil {
		opts.Backend = hs.rec
	}
	if opts.Secrets == nil {
		opts.Secrets = []string{secret}
	}
	if opts.OnError == nil {
		opts.OnError = hs.errs.add
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(syncWriter{w: hs.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	mw, err := middleware.New(opts)
	if err != nil {
		t.Fatalf("middleware.New: %v", err)
	}
	hs.mw = mw
	hs.handler = mw.Handler(h)
	return hs
}

var logMu sync.Mutex

type syncWriter struct{ w *bytes.Buffer }

func (s syncWriter) Write(p []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	return s.w.Write(p)
}

// cookieFor returns the Cookie header value carrying id, signed.
func (h *harness) cookieFor(id string) string {
	return "connect.sid=" + cookie.EncodeURIComponent("s:"+h.signer.Sign(id))
}

// seed stores an express-session JSON session under id.
func (h *harness) seed(id string, persistent bool, values string) {
	h.t.Helper()
	cookieJSON := `{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}`
	var expires time.Time
	if persistent {
		expires = time.Now().Add(time.Hour).Truncate(time.Millisecond)
		cookieJSON = `{"originalMaxAge":3600000,"expires":"` + expires.UTC().Format("2006-01-02T15:04:05.000Z") + `","httpOnly":true,"path":"/"}`
	}
	data := `{"cookie":` + cookieJSON + values + `}`
	if _, err := h.store.Create(context.Background(), backend.Record{ID: id, Data: []byte(data), Expires: expires}); err != nil {
		h.t.Fatal(err)
	}
}

// overwrite replaces the values of the session stored under id, as
// another request would.
func (h *harness) overwrite(id, values string) {
	h.t.Helper()
	rec, found, err := h.store.Get(context.Background(), id)
	if err != nil || !found {
		h.t.Fatalf("overwrite %s: found %v, %v", id, found, err)
	}
	p, err := codec.JSON.Decode(rec.Data)
	if err != nil {
		h.t.Fatal(err)
	}
	head, _ := codec.JSON.Encode(&codec.Payload{Cookie: p.Cookie})
	rec.Data = append(head[:len(head)-1], values+"}"...)
	if _, err := h.store.Update(context.Background(), rec); err != nil {
		h.t.Fatal(err)
	}
}

// stored returns the data stored under id, "" if none.
func (h *harness) stored(id string) string {
	rec, found, err := h.store.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	if !found {
		return ""
	}
	return string(rec.Data)
}

// do sends a GET with the given Cookie header ("" for none).
func (h *harness) do(cookieHeader string) *httptest.ResponseRecorder {
	return h.doRequest(httptest.NewRequest("GET", "http://example.com/", nil), cookieHeader)
}

func (h *harness) doRequest(r *http.Request, cookieHeader string) *httptest.ResponseRecorder {
	if cookieHeader != "" {
		r.Header.Set("Cookie", cookieHeader)
	}
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	return w
}

// sessionCookie returns the connect.sid Set-Cookie value of w and the id it
// carries.
func (h *harness) sessionCookie(w *httptest.ResponseRecorder) (header, id string) {
	for _, v := range w.Header().Values("Set-Cookie") {
		if !strings.HasPrefix(v, "connect.sid=") {
			continue
		}
		raw := strings.TrimPrefix(strings.SplitN(v, ";", 2)[0], "connect.sid=")
		dec, _ := cookie.DecodeURIComponent(raw)
		id, _ = h.signer.Unsign(strings.TrimPrefix(dec, "s:"))
		return v, id
	}
	return "", ""
}
