package main

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// rememberFor is how long "remember me" keeps a user signed in on a device;
// without it, a session ends after a day (options' Cookie.MaxAge).
const rememberFor = 30 * 24 * time.Hour

// options are the tour's session settings; the caller adds the Backend and
// the Secrets.
func options() middleware.Options {
	return middleware.Options{
		// The cookie is SameSite=Lax by default: browsers do not send it
		// with another site's form posts, a second line behind the CSRF
		// tokens (csrf.go).
		Cookie: middleware.Cookie{MaxAge: 24 * time.Hour},
		// A page that changes nothing in the session extends it in the
		// backend at most once a minute, rather than with a write per
		// request.
		TouchAfter: time.Minute,
		// API clients without a cookie jar send the session as
		// "Authorization: Bearer <token>"; POST /api/login answers the
		// token in its body (never in a header of a page, which scripts
		// could read).
		Token: middleware.Token{Header: "Authorization"},
	}
}

// tour is the application. It needs its middleware for the pages that list
// and end the sessions of a user, which are not the request's session.
type tour struct {
	m *middleware.Middleware
}

// routes returns the tour's handlers, to be wrapped by m.Handler. Every
// request that changes something is checked for a CSRF token first.
func routes(m *middleware.Middleware) http.Handler {
	t := &tour{m: m}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", t.home)
	mux.HandleFunc("POST /login", t.login)
	mux.HandleFunc("POST /logout", t.logout)
	mux.HandleFunc("GET /sessions", t.sessions)
	mux.HandleFunc("POST /logout/others", t.logoutOthers)
	mux.HandleFunc("GET /api/me", t.apiMe)
	mux.HandleFunc("POST /api/login", t.apiLogin)
	return checkCSRF(mux)
}

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the HTML pages, each its template plus the common layout.
var pages = map[string]*template.Template{
	"home":     parsePage("home"),
	"sessions": parsePage("sessions"),
}

func parsePage(name string) *template.Template {
	return template.Must(template.New(name).Funcs(template.FuncMap{"date": date}).
		ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html"))
}

// date shows a time to a person; the zero time is one a backend cannot
// tell.
func date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("Jan 2 2006, 15:04:05 MST")
}

// layout is what the layout shows on every page.
type layout struct {
	Title string
	User  string // "" when signed out
	Flash string
	CSRF  string // the token every form carries
	ID    string // the session id, to watch it change at sign-in
}

// newLayout reads (and changes) the session for the layout: it takes the
// flash message, shown once, and the CSRF token, created on first use.
// Call it before anything is written: the session is saved then.
func newLayout(s *session.Session, title string) (layout, error) {
	l := layout{Title: title}
	l.User, _ = session.Get[string](s, "user")
	l.Flash, _ = session.Pop[string](s, "flash")
	var err error
	l.CSRF, err = csrfToken(s)
	l.ID = s.ID()
	return l, err
}

// render writes the page. It renders into a buffer first, so that a
// template error is a clean 500 rather than half a page.
func render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	buf.WriteTo(w)
}

// fail answers an error the visitor cannot fix: 503 when the session
// backend is unavailable (trying again later may work), 500 otherwise. The
// detail goes to the log, not to the visitor.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, session.ErrBackend) {
		status = http.StatusServiceUnavailable
	}
	slog.ErrorContext(r.Context(), "sesh tour: request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	http.Error(w, http.StatusText(status), status)
}
