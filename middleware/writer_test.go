package middleware_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// serve runs handler behind the middleware on a real HTTP server.
func serve(t *testing.T, handler http.HandlerFunc) (*harness, *httptest.Server) {
	h := newHarness(t, middleware.Options{}, handler)
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	return h, srv
}

func TestStreamingWithFlush(t *testing.T) {
	release := make(chan struct{})
	_, srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("streaming", true)
		w.Write([]byte("first\n"))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through the middleware: %v", err)
		}
		<-release
		w.Write([]byte("second\n"))
	})
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	// The first chunk and the cookie arrive before the handler finishes.
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first chunk %q, %v", line, err)
	}
	if res.Header.Get("Set-Cookie") == "" {
		t.Error("no Set-Cookie on a streamed response")
	}
	close(release)
}

func TestResponseControllerReachesTheServer(t *testing.T) {
	_, srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through the middleware: %v", err)
		}
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("EnableFullDuplex through the middleware: %v", err)
		}
		if _, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok {
			t.Error("the wrapped writer has no Unwrap")
		}
	})
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}

func TestHijackSavesSession(t *testing.T) {
	h, srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("upgraded", true)
		id := s.ID()
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(id)) + "\r\nConnection: close\r\n\r\n" + id)
		buf.Flush()
	})
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if got := h.stored(string(body)); !strings.Contains(got, `"upgraded":true`) {
		t.Errorf("session not saved before Hijack: %q", got)
	}
}

func TestReadFromKeepsCookie(t *testing.T) {
	_, srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("k", 1)
		io.Copy(w, strings.NewReader(strings.Repeat("x", 100000)))
	})
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if len(body) != 100000 || res.Header.Get("Set-Cookie") == "" {
		t.Errorf("body %d bytes, Set-Cookie %q", len(body), res.Header.Get("Set-Cookie"))
	}
}

func TestInformationalStatusDoesNotCommit(t *testing.T) {
	_, srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		// Still before the real headers: the change must be saved.
		if err := session.FromContext(r.Context()).Set("after-103", true); err != nil {
			t.Errorf("Set after 103 Early Hints: %v", err)
		}
		w.Write([]byte("ok"))
	})
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Set-Cookie") == "" {
		t.Errorf("status %d, Set-Cookie %q", res.StatusCode, res.Header.Get("Set-Cookie"))
	}
}

func TestWorksWithServeMuxAndChiStyleChains(t *testing.T) {
	h := newHarness(t, middleware.Options{}, nil)
	mw, _ := middleware.New(middleware.Options{Backend: h.rec, Secrets: []string{secret}})
	// chi's Router.Use takes exactly func(http.Handler) http.Handler.
	var chain []func(http.Handler) http.Handler
	chain = append(chain, mw.Handler)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("last", r.PathValue("id"))
	})
	var handler http.Handler = mux
	for i := len(chain) - 1; i >= 0; i-- {
		handler = chain[i](handler)
	}
	srv := httptest.NewServer(handler)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/items/42")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	_, id := h.sessionCookie(&httptest.ResponseRecorder{HeaderMap: res.Header})
	if got := h.stored(id); !strings.Contains(got, `"last":"42"`) {
		t.Errorf("stored %q", got)
	}
}
