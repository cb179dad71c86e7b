package main

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/seshgo/sesh/session"
)

// sessionRow is one of the user's sessions on the "Your sessions" page.
type sessionRow struct {
	Device                      string
	SignedIn, LastSeen, Expires time.Time
	ThisDevice                  bool
}

// sessions lists the signed-in user's sessions on every device.
func (t *tour) sessions(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	if s.Owner() == "" {
		// Back here after signing in: signIn reads returnTo.
		if err := errors.Join(s.Set("returnTo", "/sessions"), s.Set("flash", "Sign in to see your sessions.")); err != nil {
			fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	list, err := t.m.Sessions(r.Context(), s.Owner())
	if err != nil {
		fail(w, r, err)
		return
	}
	rows := make([]sessionRow, 0, len(list))
	for _, info := range list {
		row := sessionRow{
			LastSeen:   info.LastSeen,
			Expires:    info.Expires,
			SignedIn:   info.Created,
			ThisDevice: info.ID == s.ID(),
		}
		// A value that is missing or unreadable leaves the field as it is.
		info.Decode("device", &row.Device)
		info.Decode("signedInAt", &row.SignedIn)
		rows = append(rows, row)
	}
	// This device first, then the most recently seen.
	slices.SortFunc(rows, func(a, b sessionRow) int {
		if a.ThisDevice != b.ThisDevice {
			if a.ThisDevice {
				return -1
			}
			return 1
		}
		return b.LastSeen.Compare(a.LastSeen)
	})
	l, err := newLayout(s, "Your sessions")
	if err != nil {
		fail(w, r, err)
		return
	}
	render(w, r, "sessions", struct {
		layout
		Sessions []sessionRow
	}{l, rows})
}

// logoutOthers signs the user out on every other device: their sessions
// are destroyed, and their next request finds itself signed out.
func (t *tour) logoutOthers(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	if s.Owner() == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	n, err := t.m.DestroySessions(r.Context(), s.Owner(), s.ID())
	if err != nil {
		fail(w, r, err)
		return
	}
	msg := fmt.Sprintf("Signed out %d other sessions.", n)
	if n == 1 {
		msg = "Signed out 1 other session."
	}
	if err := s.Set("flash", msg); err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
}

// device names the browser and system a User-Agent header describes,
// roughly: a label the user recognises on the sessions page, not a
// fingerprint. The first match of each list wins, since browsers mention
// the ones they descend from ("Chrome" names Safari too).
func device(userAgent string) string {
	find := func(names [][2]string) string {
		for _, n := range names {
			if strings.Contains(userAgent, n[0]) {
				return n[1]
			}
		}
		return ""
	}
	browser := find([][2]string{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"HeadlessChrome/", "Headless Chrome"}, {"Chrome/", "Chrome"},
		{"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client/", "a Go program"},
	})
	system := find([][2]string{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"},
		{"Mac OS X", "macOS"}, {"Windows", "Windows"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	})
	browser = cmp.Or(browser, "Unknown browser")
	if system == "" {
		return browser
	}
	return browser + " on " + system
}
