package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

func TestWeakSecretsAreWarnedAbout(t *testing.T) {
	for secret, weak := range map[string]bool{
		"a": true, " ": true, "\x00": true, "keyboard cat": true, "Keyboard Cat ": true,
		strings.Repeat("x", 31):                        true,
		"c2VzaC10ZXN0LXNlY3JldC0zMi1ieXRlcy1sb25nISE=": false,
	} {
		var logs bytes.Buffer
		_, err := middleware.New(middleware.Options{
			Backend: &nopBackend{},
			Secrets: []string{secret},
			Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		})
		if err != nil {
			t.Fatalf("%q: %v", secret, err)
		}
		warned := strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "secret")
		if warned != weak {
			t.Errorf("secret %q: warned %v, want %v:\n%s", secret, warned, weak, logs.String())
		}
		if len(secret) > 3 && strings.Contains(strings.ToLower(logs.String()), strings.ToLower(strings.TrimSpace(secret))) {
			t.Errorf("the warning prints the secret: %s", logs.String())
		}
	}
}

func TestUntrustedHTTPSProxyIsReportedOnce(t *testing.T) {
	h := newHarness(t, middleware.Options{}, setViews)
	for range 3 {
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.Header.Set("X-Forwarded-Proto", "https")
		sc, _ := h.sessionCookie(h.doRequest(r, ""))
		if strings.Contains(sc, "Secure") {
			t.Fatalf("Set-Cookie %q: an untrusted proxy header made the cookie Secure", sc)
		}
	}
	if n := strings.Count(h.logs.String(), "X-Forwarded-Proto"); n != 1 {
		t.Errorf("the TrustProxy warning was logged %d times, want once:\n%s", n, h.logs)
	}
}

// declining is a memory store whose conditional writes are declined at run
// time, as the MongoDB backend does on FerretDB.
type declining struct{ *memory.Store }

func (d declining) UpdateIf(context.Context, backend.Record) (backend.Token, error) {
	return backend.Token{}, fmt.Errorf("test: no atomic updates here: %w", errors.ErrUnsupported)
}

func TestOptimisticOnDecliningBackendSaysSoOnce(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	h := newHarness(t, middleware.Options{Backend: declining{store}, Concurrency: middleware.Optimistic}, setViews)
	for range 3 {
		_, id := h.sessionCookie(h.do(""))
		w := h.do(h.cookieFor(id))
		if w.Code != http.StatusInternalServerError {
			t.Errorf("status %d, want 500: a configuration that cannot work is not an outage (503)", w.Code)
		}
	}
	if n := strings.Count(h.logs.String(), "LastWriteWins"); n != 1 {
		t.Errorf("the explanation was logged %d times, want once:\n%s", n, h.logs)
	}
	if errs := h.errs.all(); len(errs) == 0 || !errors.Is(errs[0], errors.ErrUnsupported) {
		t.Errorf("OnError got %v, want errors matching errors.ErrUnsupported", errs)
	}
}

func TestNilSessionSaysWhatIsWrong(t *testing.T) {
	// A handler registered outside the middleware.
	defer func() {
		p := recover()
		if msg, _ := p.(string); !strings.Contains(msg, "not wrapped by the session middleware") {
			t.Errorf("panic %v, want a message saying how to fix it", p)
		}
	}()
	s := session.FromContext(context.Background())
	session.Get[string](s, "user")
}

func TestSeveralSessionsPerRequest(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	site, err := middleware.New(middleware.Options{Backend: store, Secrets: []string{secret}, Name: "site"})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := middleware.New(middleware.Options{Backend: store, Secrets: []string{secret}, Name: "admin", Cookie: middleware.Cookie{MaxAge: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	var innermost *session.Session
	h := site.Handler(admin.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site.FromContext(r.Context()).Set("theme", "dark")
		admin.FromContext(r.Context()).Set("role", "root")
		innermost = session.FromContext(r.Context())
	})))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	cookies := w.Header().Values("Set-Cookie")
	if len(cookies) != 2 || !strings.HasPrefix(cookies[0], "admin=") || !strings.HasPrefix(cookies[1], "site=") {
		t.Fatalf("Set-Cookie %q, want one cookie per middleware", cookies)
	}
	if !strings.Contains(cookies[0], "Expires=") || strings.Contains(cookies[1], "Expires=") {
		t.Errorf("each cookie must have its own middleware's attributes: %q", cookies)
	}
	if innermost == nil || !innermost.Has("role") {
		t.Error("session.FromContext must return the innermost middleware's session")
	}
	var stored []string
	for rec, err := range store.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, string(rec.Data))
	}
	if len(stored) != 2 {
		t.Errorf("%d sessions stored, want two independent ones", len(stored))
	}
}

func TestObserveSeesEveryBackendOperation(t *testing.T) {
	var mu sync.Mutex
	var events []string
	var ctxOK = true
	type key struct{}
	h := newHarness(t, middleware.Options{
		TouchAfter: time.Hour,
		Cookie:     middleware.Cookie{MaxAge: 24 * time.Hour},
		Observe: func(ctx context.Context, e middleware.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e.Op+":"+e.Outcome)
			if ctx.Value(key{}) != "request" || e.Duration < 0 {
				ctxOK = false
			}
		},
	}, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("write") {
			setViews(w, r)
		}
		if r.URL.Query().Has("out") {
			session.FromContext(r.Context()).Destroy(r.Context())
		}
	})
	do := func(target, cookie string) string {
		r := httptest.NewRequest("GET", target, nil)
		r = r.WithContext(context.WithValue(r.Context(), key{}, "request"))
		_, id := h.sessionCookie(h.doRequest(r, cookie))
		return id
	}
	id := do("/?write", "")
	do("/", h.cookieFor(id))
	do("/?write", h.cookieFor(id))
	do("/?out", h.cookieFor(id))
	do("/", h.cookieFor(id))
	want := "create:created get:found touch:skipped get:found update:updated get:found destroy:destroyed get:missing"
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events\n %s\nwant\n %s", got, want)
	}
	if !ctxOK {
		t.Error("Observe did not get the request's context or got a negative duration")
	}
}
