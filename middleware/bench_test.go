package middleware_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// benchmark measures one request through the middleware on the memory
// backend. path is "read" (existing session, unmodified), "write" (existing
// session, one key changed) or "create" (no cookie, one key set).
func benchmark(b *testing.B, path string) {
	store := memory.New(memory.Options{SweepInterval: -1})
	defer store.Close()
	mw, err := middleware.New(middleware.Options{
		Backend:    store,
		Secrets:    []string{secret},
		Cookie:     middleware.Cookie{MaxAge: time.Hour},
		TouchAfter: time.Hour,
		Logger:     slog.New(slog.DiscardHandler), // the sample secret's warning
	})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		switch path {
		case "read":
			_, _ = session.Get[string](s, "user")
		default:
			n++
			s.Set("n", n)
		}
	}))
	const id = "Hk6R-6sCDIHu9JuoOR0hh1DjIh5Zx2wF"
	store.Create(context.Background(), backend.Record{
		ID:       id,
		Data:     []byte(`{"cookie":{"originalMaxAge":3600000,"expires":"2099-01-01T00:00:00.000Z","httpOnly":true,"path":"/","sameSite":"lax"},"user":"ada","n":0}`),
		Expires:  time.Now().Add(time.Hour),
		Modified: time.Now(),
	})
	header := "connect.sid=" + cookie.EncodeURIComponent("s:"+cookie.NewSigner([]string{secret}).Sign(id))
	r := httptest.NewRequest("GET", "/", nil)
	if path != "create" {
		r.Header.Set("Cookie", header)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func BenchmarkRead(b *testing.B)   { benchmark(b, "read") }
func BenchmarkWrite(b *testing.B)  { benchmark(b, "write") }
func BenchmarkCreate(b *testing.B) { benchmark(b, "create") }
