package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/browsertest"
	"github.com/seshgo/sesh/sessiontest"
)

// TestTourInBrowser walks the tour in headless Chromium, as a user would,
// with two devices: two browsers with profiles of their own, signed in as
// the same user.
func TestTourInBrowser(t *testing.T) {
	d := browsertest.Start(t)
	h := sessiontest.New(t, options()) // memory backend
	srv := httptest.NewServer(h.Middleware.Handler(routes(h.Middleware)))
	t.Cleanup(srv.Close)
	home := srv.URL + "/"
	laptop, phone := d.NewBrowser(t), d.NewBrowser(t)

	// The visit counter counts.
	for _, want := range []string{"1", "2"} {
		laptop.Open(home)
		if got := laptop.Text("#visits"); got != want {
			t.Fatalf("visit %s: the counter shows %s", want, got)
		}
	}

	// Sign in, remembered: a new session id, a welcome shown once, a
	// cookie that outlives the browser by 30 days.
	anonymous := laptop.Text("#session-id")
	laptop.Type(`#login input[name="name"]`, "ada")
	laptop.Click(`#login input[name="remember"]`)
	laptop.Click("#sign-in")
	laptop.WaitText("#flash", "Welcome, ada!")
	if got := laptop.Text("#user"); !strings.Contains(got, "Signed in as ada, remembered on this device") {
		t.Errorf("after sign-in: %q", got)
	}
	if got := laptop.Text("#visits"); got != "3" {
		t.Errorf("the counter shows %s after sign-in: the visits were not carried over", got)
	}
	signedIn := laptop.Text("#session-id")
	if signedIn == anonymous {
		t.Errorf("the session id %s did not change at sign-in", signedIn)
	}
	if _, found := h.Lookup(anonymous); found {
		t.Error("the session from before sign-in is still stored")
	}
	expectCookie(t, laptop, rememberFor)
	laptop.Open(home)
	laptop.WaitText("#visits", "4")
	if n := laptop.Count("#flash"); n != 0 {
		t.Errorf("the welcome is shown again: %q", laptop.Text("#flash"))
	}

	// The phone asks for the sessions page signed out, is sent to sign in,
	// and comes back to it; not remembered, its cookie lasts a day.
	phone.Open(srv.URL + "/sessions")
	phone.WaitText("#flash", "Sign in to see your sessions.")
	phone.Type(`#login input[name="name"]`, "ada")
	phone.Click("#sign-in")
	phone.WaitText("h1", "Your sessions")
	phone.WaitText("#flash", "Welcome, ada!")
	expectCookie(t, phone, 24*time.Hour)

	// The laptop sees both sessions, itself first, and ends the other.
	laptop.Open(srv.URL + "/sessions")
	rows := laptop.Texts("#sessions tbody tr")
	if len(rows) != 2 || !strings.Contains(rows[0], "(this device)") || strings.Contains(rows[1], "(this device)") {
		t.Fatalf("the laptop's sessions page lists %q: want 2, this device first", rows)
	}
	for _, row := range rows {
		if !strings.HasPrefix(row, "Headless Chrome on Linux") {
			t.Errorf("a row does not name the device: %q", row)
		}
	}
	laptop.Click("#logout-others")
	laptop.WaitText("#flash", "Signed out 1 other session.")
	if rows := laptop.Texts("#sessions tbody tr"); len(rows) != 1 {
		t.Errorf("after signing out everywhere else, the page lists %q", rows)
	}

	// The phone's next page load finds it signed out.
	phone.Open(home)
	if phone.Count("#login") != 1 || phone.Count("#user") != 0 {
		t.Fatalf("the phone is still signed in: %q", phone.Text("body"))
	}
	phone.Open(srv.URL + "/api/me")
	phone.WaitText("body", `"error":"not signed in"`)

	// The API answers the laptop from its cookie.
	laptop.Open(srv.URL + "/api/me")
	laptop.WaitText("body", `"user":"ada"`)

	// Sign out: the message once, and the session gone.
	laptop.Open(home)
	laptop.Click("#logout")
	laptop.WaitText("#flash", "Signed out.")
	if laptop.Count("#login") != 1 {
		t.Errorf("after sign-out the sign-in form is not shown: %q", laptop.Text("body"))
	}
	if _, found := h.Lookup(signedIn); found {
		t.Error("the signed-in session is still stored after sign-out")
	}
	laptop.Open(home)
	if laptop.Count("#flash") != 0 {
		t.Errorf("the sign-out message is shown again: %q", laptop.Text("#flash"))
	}
}

// expectCookie checks the session cookie in b's jar: HttpOnly, SameSite=Lax,
// and expiring in about lifetime.
func expectCookie(t *testing.T, b *browsertest.Browser, lifetime time.Duration) {
	t.Helper()
	c, ok := b.Cookie("connect.sid")
	if !ok {
		t.Fatalf("no session cookie in the browser: %+v", b.Cookies())
	}
	if !c.HTTPOnly || c.SameSite != "Lax" {
		t.Errorf("the session cookie is not HttpOnly and SameSite=Lax: %+v", c)
	}
	// The browser stores seconds; allow for a slow machine.
	if left := time.Until(c.Expires()); left < lifetime-10*time.Minute || left > lifetime+time.Minute {
		t.Errorf("the session cookie expires in %v, want %v", left, lifetime)
	}
}
