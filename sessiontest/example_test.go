package sessiontest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
	"github.com/seshgo/sesh/sessiontest"
)

// addToCart is the handler under test.
func addToCart(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	if _, ok := session.Get[string](s, "user"); !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	cart, _ := session.Get[[]string](s, "cart")
	if err := s.Set("cart", append(cart, r.FormValue("item"))); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%d items", len(cart)+1)
}

func Example() {
	t := &testing.T{} // in a test, the *testing.T
	h := sessiontest.New(t, middleware.Options{})

	// A signed-in user with one item in the cart.
	id := h.Seed(sessiontest.Session{Values: map[string]any{"user": "ada", "cart": []string{"tea"}}})
	w := h.Serve(http.HandlerFunc(addToCart), httptest.NewRequest("GET", "/cart?item=milk", nil), id)
	fmt.Println(w.Code, w.Body.String())

	// What the session holds now.
	got, _ := h.Lookup(id)
	var cart []string
	got.Decode("cart", &cart)
	fmt.Println(cart)

	// Without a session.
	w = h.Serve(http.HandlerFunc(addToCart), httptest.NewRequest("GET", "/cart?item=milk", nil), "")
	fmt.Println(w.Code)
	// Output:
	// 200 2 items
	// [tea milk]
	// 401
}

func ExampleHarness_ID() {
	t := &testing.T{}
	h := sessiontest.New(t, middleware.Options{})
	signIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if err := s.Regenerate(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if err := s.Set("user", "ada"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	before := h.Seed(sessiontest.Session{Values: map[string]any{"returnTo": "/cart"}})
	w := h.Serve(signIn, httptest.NewRequest("POST", "/signin", nil), before)

	after := h.ID(w.Result())
	_, oldStored := h.Lookup(before)
	fmt.Println(after != "" && after != before, oldStored)
	// Output: true false
}

func ExampleCookie() {
	// A cookie an application with this secret accepts for session "abc":
	// byte for byte what express-session sends.
	c := sessiontest.Cookie("connect.sid", "keyboard cat", "abc")
	fmt.Println(c.Name + "=" + c.Value)
	// Output: connect.sid=s%3Aabc.BpxCrWRpvZMh%2Fwk%2Fdjl34N%2Bm%2BVQEU7K%2F5WenLwJCgFU
}
