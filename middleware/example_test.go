package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

func ExampleNew() {
	store := memory.New(memory.Options{})
	defer store.Close()

	sessions, err := middleware.New(middleware.Options{
		Backend: store,
		Secrets: []string{"a long random secret"},
		Cookie:  middleware.Cookie{MaxAge: 24 * time.Hour},
	})
	if err != nil {
		panic(err)
	}
	counter := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		views, _ := session.Get[int](s, "views")
		s.Set("views", views+1)
		fmt.Fprintf(w, "views: %d", views+1)
	})
	handler := sessions(counter)

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
	//	  secret: ['new secret', 'old secret'],
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
		Secrets:    []string{"new secret", "old secret"},
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
