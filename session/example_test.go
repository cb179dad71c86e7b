package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// serve runs h behind the middleware once.
func serve(h http.HandlerFunc) {
	store := memory.New(memory.Options{})
	defer store.Close()
	sessions, _ := middleware.New(middleware.Options{Backend: store, Secrets: []string{"secret"}})
	sessions(h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func ExampleGet() {
	type Cart struct {
		Items []string `json:"items"`
	}
	serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("cart", Cart{Items: []string{"tea"}})

		cart, ok := session.Get[Cart](s, "cart")
		fmt.Println(cart.Items, ok)
		_, ok = session.Get[Cart](s, "wishlist")
		fmt.Println(ok)
	})
	// Output:
	// [tea] true
	// false
}

func ExamplePop() {
	serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("flash", "Saved!")
		msg, _ := session.Pop[string](s, "flash")
		fmt.Println(msg, s.Has("flash"))
	})
	// Output: Saved! false
}

func ExampleSession_Regenerate() {
	serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("cart", []string{"tea"})
		before := s.ID()

		// At sign-in: a new id, the data kept.
		if err := s.Regenerate(r.Context()); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		s.Set("user", "ada")
		fmt.Println(s.ID() != before, s.Keys())
	})
	// Output: true [cart user]
}

func ExampleSession_JSON() {
	serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		s.Set("user", map[string]any{"name": "ada", "admin": true})
		raw, _ := s.JSON("user")
		fmt.Println(string(raw)) // as express-session stores it
	})
	// Output: {"admin":true,"name":"ada"}
}
