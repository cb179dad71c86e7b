package micro

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/gorilla/sessions"

	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

const secret = "keyboard cat, long enough for HMAC"

// api is one library's session API, as a handler uses it.
type api struct {
	// wrap puts the library's middleware around h (gorilla has none).
	wrap func(h http.Handler) http.Handler
	// get reads a string value.
	get func(r *http.Request, key string) (string, bool)
	// put stores v under key, saving where the library needs an explicit
	// save (gorilla).
	put func(w http.ResponseWriter, r *http.Request, key string, v any)
}

func seshAPI(b *testing.B) api {
	store := memory.New(memory.Options{SweepInterval: -1})
	b.Cleanup(func() { store.Close() })
	mw, err := middleware.New(middleware.Options{
		Backend:    store,
		Secrets:    []string{secret},
		Cookie:     middleware.Cookie{MaxAge: time.Hour},
		TouchAfter: time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
	return api{
		wrap: mw.Handler,
		get: func(r *http.Request, key string) (string, bool) {
			return session.Get[string](session.FromContext(r.Context()), key)
		},
		put: func(_ http.ResponseWriter, r *http.Request, key string, v any) {
			if err := session.FromContext(r.Context()).Set(key, v); err != nil {
				panic(err)
			}
		},
	}
}

func scsAPI(*testing.B) api {
	sm := scs.New()
	sm.Lifetime = time.Hour
	sm.Store = memstore.NewWithCleanupInterval(0)
	return api{
		wrap: sm.LoadAndSave,
		get: func(r *http.Request, key string) (string, bool) {
			v, ok := sm.Get(r.Context(), key).(string)
			return v, ok
		},
		put: func(_ http.ResponseWriter, r *http.Request, key string, v any) { sm.Put(r.Context(), key, v) },
	}
}

func gorillaAPI(store sessions.Store) api {
	return api{
		wrap: func(h http.Handler) http.Handler { return h },
		get: func(r *http.Request, key string) (string, bool) {
			s, _ := store.Get(r, "session")
			v, ok := s.Values[key].(string)
			return v, ok
		},
		put: func(w http.ResponseWriter, r *http.Request, key string, v any) {
			s, _ := store.Get(r, "session")
			s.Values[key] = v
			if err := s.Save(r, w); err != nil {
				panic(err)
			}
		},
	}
}

func gorillaOptions() *sessions.Options {
	return &sessions.Options{Path: "/", MaxAge: 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// gorillaCookieAPI keeps the session in the cookie, signed, not encrypted.
func gorillaCookieAPI(*testing.B) api {
	s := sessions.NewCookieStore([]byte(secret))
	s.Options = gorillaOptions()
	return gorillaAPI(s)
}

// gorillaFSAPI keeps the session in a file of a temporary directory.
func gorillaFSAPI(b *testing.B) api {
	s := sessions.NewFilesystemStore(b.TempDir(), []byte(secret))
	s.Options = gorillaOptions()
	return gorillaAPI(s)
}

var contestants = []struct {
	name string
	api  func(*testing.B) api
}{
	{"sesh", seshAPI},
	{"scs", scsAPI},
	{"gorilla-cookie", gorillaCookieAPI},
	{"gorilla-fs", gorillaFSAPI},
}

// BenchmarkMiddleware measures one request through each library on the
// read path (existing session, one value read, nothing saved), the write
// path (existing session, one value changed and saved) and the create path
// (no cookie, one value set in a new session, saved). Every library gets
// the same request, the same response writer that discards the body, and
// the same handler work.
func BenchmarkMiddleware(b *testing.B) {
	for _, path := range []string{"read", "write", "create"} {
		for _, c := range contestants {
			b.Run("path="+path+"/lib="+c.name, func(b *testing.B) {
				benchmarkPath(b, c.api(b), path)
			})
		}
	}
}

func benchmarkPath(b *testing.B, a api, path string) {
	n := 0
	h := a.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch path {
		case "read":
			if _, ok := a.get(r, "user"); !ok {
				panic("read: no user in the session")
			}
		default:
			n++
			a.put(w, r, "n", n)
		}
	}))
	tmpl := httptest.NewRequest(http.MethodGet, "/", nil)
	if path != "create" {
		tmpl.Header.Set("Cookie", existingSession(b, a))
	}
	w := &discardWriter{h: http.Header{}}
	r := new(http.Request)
	b.ReportAllocs()
	for b.Loop() {
		*r = *tmpl // gorilla caches sessions in the request; start afresh
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

// existingSession stores a session holding user=ada through a and returns
// the Cookie header that carries it.
func existingSession(b *testing.B, a api) string {
	h := a.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.put(w, r, "user", "ada")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) == 0 {
		b.Fatal("creating a session set no cookie")
	}
	return cookies[0].Name + "=" + cookies[0].Value
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}
