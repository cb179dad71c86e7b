package main

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seshgo/sesh/session"
)

// home counts visits and shows the sign-in form, or who is signed in.
func (t *tour) home(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	visits, _ := session.Get[int](s, "visits")
	visits++
	if err := s.Set("visits", visits); err != nil {
		fail(w, r, err)
		return
	}
	l, err := newLayout(s, "Home")
	if err != nil {
		fail(w, r, err)
		return
	}
	origin := "http://" + r.Host
	if r.TLS != nil {
		origin = "https://" + r.Host
	}
	render(w, r, "home", struct {
		layout
		Visits     int
		Remembered bool
		Expires    time.Time
		Origin     string // for the API examples
	}{l, visits, s.MaxAge() >= rememberFor, s.Expires(), origin})
}

// login signs in with the name typed in the form: any name, no password.
func (t *tour) login(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	name, ok := userName(r.PostFormValue("name"))
	if !ok {
		if err := s.Set("flash", "Please type a name of 1 to 40 characters."); err != nil {
			fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	returnTo, err := signIn(r, name, r.PostFormValue("remember") == "on")
	if err == nil {
		err = s.Set("flash", "Welcome, "+name+"!")
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	// 303: the browser follows with a GET, so reloading the next page does
	// not post the form again.
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

// signIn makes the request's session the signed-in session of user name,
// for the form and the API alike, and returns where to go next.
func signIn(r *http.Request, name string, remember bool) (returnTo string, err error) {
	s := session.FromContext(r.Context())
	// Regenerate empties the session: read first what must survive it.
	returnTo, _ = session.Get[string](s, "returnTo")
	visits, _ := session.Get[int](s, "visits")
	// A new id at sign-in: an id planted in this browser beforehand
	// (session fixation), or seen by anyone, dies with the old record.
	if err := s.Regenerate(r.Context()); err != nil {
		return "", err
	}
	err = errors.Join(
		s.Set("visits", visits),
		s.Set("user", name),
		// The owner lists this session among the user's sessions, on
		// every device: the "Your sessions" page.
		s.SetOwner(name),
		// For that page: what this device is, and since when it is signed
		// in (kept in the session, since not every backend records when a
		// session was created).
		s.Set("device", device(r.UserAgent())),
		s.Set("signedInAt", time.Now().UTC()),
	)
	if err == nil && remember {
		// This session only: its cookie, and its record in the backend,
		// now last 30 days instead of one.
		err = s.SetMaxAge(rememberFor)
	}
	return localPath(returnTo), err
}

// logout ends the session.
func (t *tour) logout(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	if err := s.Destroy(r.Context()); err != nil {
		fail(w, r, err)
		return
	}
	// After Destroy the session is a new, empty one: a value set now starts
	// it, under a new id, to carry the message to the next page.
	if err := s.Set("flash", "Signed out."); err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// userName returns name trimmed, and whether it is a name the tour
// accepts: 1 to 40 characters of valid UTF-8.
func userName(name string) (string, bool) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	return name, n >= 1 && n <= 40 && utf8.ValidString(name)
}

// localPath returns p if it is a path on this site, "/" otherwise: a
// return address must never send the user to another site (an open
// redirect), whatever the session holds.
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(p, "/") ||
		strings.HasPrefix(p, "//") || strings.HasPrefix(p, `/\`) {
		return "/"
	}
	return p
}
