package middleware_test

import (
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

func ExampleNew() {
	os.Setenv("SESSION_SECRET", "z8cXl0yq2Vv1oN5pWjK4hT7rA9sD3fGbE6uYiQmC")
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
	os.Setenv("SESSION_SECRET", "z8cXl0yq2Vv1oN5pWjK4hT7rA9sD3fGbE6uYiQmC")
	os.Setenv("OLD_SESSION_SECRET", "Qw3rTy7uIoP1aSdF5gHjKl9zXcVbNm2LkJhGfDsA")
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
