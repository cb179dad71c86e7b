package middleware_test

import (
	"context"
	"expvar"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// The examples read their secrets from the environment, as a service
// should; this gives them some.
func init() {
	os.Setenv("SESSION_SECRET", "z8cXl0yq2Vv1oN5pWjK4hT7rA9sD3fGbE6uYiQmC")
	os.Setenv("OLD_SESSION_SECRET", "Qw3rTy7uIoP1aSdF5gHjKl9zXcVbNm2LkJhGfDsA")
}

func ExampleNew() {
	store := memory.New(memory.Options{})
	defer store.Close()

	sessions, err := middleware.New(middleware.Options{
		Backend: store,
		Secrets: []string{os.Getenv("SESSION_SECRET")}, // 32 random bytes or more
		Cookie:  middleware.Cookie{MaxAge: 24 * time.Hour},
	})
	if err != nil {
		log.Fatal(err)
	}
	counter := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		views, _ := session.Get[int](s, "views")
		if err := s.Set("views", views+1); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "views: %d", views+1)
	})
	handler := sessions.Handler(counter)

	// Two requests from one browser.
	var cookie string
	for range 2 {
		r := httptest.NewRequest("GET", "/", nil)
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if c := w.Header().Get("Set-Cookie"); c != "" {
			cookie = strings.SplitN(c, ";", 2)[0]
		}
		fmt.Println(w.Body.String())
	}
	// Output:
	// views: 1
	// views: 2
}

func ExampleOptions_express() {
	// The options of an Express application
	//
	//	app.use(session({
	//	  name: 'sid',
	//	  secret: [process.env.SESSION_SECRET, process.env.OLD_SESSION_SECRET],
	//	  resave: false,
	//	  saveUninitialized: false,
	//	  rolling: true,
	//	  cookie: { maxAge: 3600000, secure: 'auto', sameSite: 'lax' },
	//	  store: MongoStore.create({ mongoUrl, touchAfter: 600 }),
	//	}))
	//
	// in sesh:
	store := memory.New(memory.Options{}) // or backend/mongo for the shared store
	defer store.Close()
	_, err := middleware.New(middleware.Options{
		Backend:    store,
		Name:       "sid",
		Secrets:    []string{os.Getenv("SESSION_SECRET"), os.Getenv("OLD_SESSION_SECRET")},
		Rolling:    true,
		TouchAfter: 10 * time.Minute,
		Cookie: middleware.Cookie{
			MaxAge:   time.Hour,
			Secure:   middleware.SecureAuto,
			SameSite: middleware.SameSiteLax,
		},
	})
	fmt.Println(err)
	// Output: <nil>
}

func ExampleOptions_observe() {
	// Count and time the backend operations with the standard library's
	// expvar (served at /debug/vars); Prometheus or OpenTelemetry plug in
	// the same way.
	ops := expvar.NewMap("sesh_ops")            // "get:found" → count
	nanos := expvar.NewMap("sesh_ops_duration") // "get" → total nanoseconds
	store := memory.New(memory.Options{})
	defer store.Close()
	sessions, err := middleware.New(middleware.Options{
		Backend: store,
		Secrets: []string{os.Getenv("SESSION_SECRET")},
		Observe: func(ctx context.Context, e middleware.Event) {
			ops.Add(e.Op+":"+e.Outcome, 1)
			nanos.Add(e.Op, e.Duration.Nanoseconds())
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).Set("seen", true); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	fmt.Println(ops.Get("create:created"))
	// Output: 1
}

func ExampleMiddleware_FromContext() {
	// Two independent sessions per request: the site's, and a short-lived
	// one for the admin area, each with its own cookie.
	store := memory.New(memory.Options{})
	defer store.Close()
	site, err := middleware.New(middleware.Options{Backend: store, Secrets: []string{os.Getenv("SESSION_SECRET")}, Name: "site"})
	if err != nil {
		log.Fatal(err)
	}
	admin, err := middleware.New(middleware.Options{Backend: store, Secrets: []string{os.Getenv("SESSION_SECRET")}, Name: "admin", Cookie: middleware.Cookie{MaxAge: 15 * time.Minute}})
	if err != nil {
		log.Fatal(err)
	}
	handler := site.Handler(admin.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := site.FromContext(r.Context()).Set("theme", "dark"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := admin.FromContext(r.Context()).Set("elevated", true); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})))
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	for _, c := range w.Result().Cookies() {
		fmt.Println(c.Name, c.Expires.IsZero())
	}
	// Output:
	// admin false
	// site true
}

func ExampleToken() {
	// An API client without a cookie jar: the session travels as a bearer
	// token, signed exactly as the cookie.
	store := memory.New(memory.Options{})
	defer store.Close()
	sessions, err := middleware.New(middleware.Options{
		Backend: store,
		Secrets: []string{os.Getenv("SESSION_SECRET")},
		Token:   middleware.Token{Header: "Authorization"}, // Bearer
	})
	if err != nil {
		log.Fatal(err)
	}
	api := sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		n, _ := session.Get[int](s, "calls")
		if err := s.Set("calls", n+1); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if r.URL.Path == "/api/login" {
			// The first token goes in the body; later ones, when the
			// session moves to a new id, in the X-Session-Token header.
			fmt.Fprint(w, sessions.Token(s))
			return
		}
		fmt.Fprint(w, n+1)
	}))
	w := httptest.NewRecorder()
	api.ServeHTTP(w, httptest.NewRequest("POST", "/api/login", nil))
	token := w.Body.String() // s:<id>.<signature>

	r := httptest.NewRequest("GET", "/api/calls", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w = httptest.NewRecorder()
	api.ServeHTTP(w, r)
	fmt.Println(w.Body.String())
	// Output: 2
}
