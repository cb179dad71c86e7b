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
	sessions, err := middleware.New(middleware.Options{
		Backend: store,
		Secrets: []string{"an example secret of at least 32 bytes"},
	})
	if err != nil {
		panic(err)
	}
	sessions.Handler(h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func ExampleGet() {
	type Cart struct {
		Items []string `json:"items"`
	}
	serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if err := s.Set("cart", Cart{Items: []string{"tea"}}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}

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
		if err := s.Set("flash", "Saved!"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		msg, _ := session.Pop[string](s, "flash")
		fmt.Println(msg, s.Has("flash"))
	})
	// Output: Saved! false
}

func ExampleSession_Regenerate() {
	serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if err := s.Set("returnTo", "/cart"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		before := s.ID()

		// At sign-in: a new id and an empty session, as in Express; carry
		// over what must survive.
		returnTo, _ := session.Get[string](s, "returnTo")
		if err := s.Regenerate(r.Context()); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if err := s.Set("user", "ada"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Println(s.ID() != before, s.Keys(), returnTo)
	})
	// Output: true [user] /cart
}

func ExampleSession_RenewID() {
	serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if err := s.Set("cart", []string{"tea"}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		before := s.ID()

		// A change of privilege that keeps the data: a new id only.
		if err := s.RenewID(r.Context()); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		fmt.Println(s.ID() != before, s.Keys())
	})
	// Output: true [cart]
}

func ExampleSession_JSON() {
	serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if err := s.Set("user", map[string]any{"name": "ada", "admin": true}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		raw, _ := s.JSON("user")
		fmt.Println(string(raw)) // as express-session stores it
	})
	// Output: {"admin":true,"name":"ada"}
}
