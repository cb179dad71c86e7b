package browsertest_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/browsertest"
	"github.com/seshgo/sesh/internal/testenv"
)

// form is a page with a form whose answer sets a cookie: what a sign-in
// page does, without sessions.
func form() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		last := ""
		if c, err := r.Cookie("greeted"); err == nil {
			last = c.Value
		}
		fmt.Fprintf(w, `<!doctype html><title>form</title>
<p id="last">last: %s</p>
<form method="post" action="/greet">
<input name="name"> <label><input type="checkbox" name="keep"> keep</label>
<button type="submit">Greet</button></form>`, html.EscapeString(last))
	})
	mux.HandleFunc("POST /greet", func(w http.ResponseWriter, r *http.Request) {
		c := &http.Cookie{Name: "greeted", Value: r.PostFormValue("name"), Path: "/", HttpOnly: true}
		if r.PostFormValue("keep") == "on" {
			c.Expires = time.Now().Add(48 * time.Hour)
		}
		http.SetCookie(w, c)
		http.Redirect(w, r, "/done", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("greeted")
		fmt.Fprintf(w, `<!doctype html><p id="hello">Hello, %s!</p><ul><li>a</li><li>b</li></ul>`, html.EscapeString(c.Value))
	})
	return mux
}

func TestBrowserFillsFormsAndKeepsCookies(t *testing.T) {
	d := browsertest.Start(t)
	srv := httptest.NewServer(form())
	defer srv.Close()

	a := d.NewBrowser(t)
	a.Open(srv.URL + "/")
	a.Type(`input[name="name"]`, "wrong")
	a.Type(`input[name="name"]`, "ada") // replaces, not appends
	a.Click(`input[name="keep"]`)
	if !a.Selected(`input[name="keep"]`) {
		t.Fatal("the checkbox is not ticked after a click")
	}
	a.Click(`button[type="submit"]`)
	if got := a.WaitText("#hello", "Hello"); got != "Hello, ada!" {
		t.Fatalf("after submitting: %q", got)
	}
	if !strings.HasSuffix(a.URL(), "/done") {
		t.Errorf("the redirect was not followed: at %s", a.URL())
	}
	if got := a.Texts("li"); strings.Join(got, ",") != "a,b" {
		t.Errorf("Texts: %q", got)
	}
	if n := a.Count("#absent"); n != 0 {
		t.Errorf("Count of an absent element: %d", n)
	}
	c, ok := a.Cookie("greeted")
	if !ok || c.Value != "ada" || !c.HTTPOnly {
		t.Fatalf("the cookie in the jar: %+v, found %v", c, ok)
	}
	if left := time.Until(c.Expires()); left < 47*time.Hour || left > 49*time.Hour {
		t.Errorf("the persistent cookie expires in %v, want 48h", left)
	}

	// Another browser is another device: no cookie, its own session-only one.
	b := d.NewBrowser(t)
	b.Open(srv.URL + "/")
	if got := b.Text("#last"); got != "last:" {
		t.Fatalf("a second browser sees %q: profiles are shared", got)
	}
	b.Type(`input[name="name"]`, "bob")
	b.Click(`button[type="submit"]`)
	b.WaitText("#hello", "Hello, bob!")
	if c, _ := b.Cookie("greeted"); !c.Expires().IsZero() {
		t.Errorf("a cookie without Expires has expiry %v in the jar", c.Expires())
	}
	a.Open(srv.URL + "/")
	if got := a.Text("#last"); got != "last: ada" {
		t.Errorf("the first browser's cookie changed: %q", got)
	}
}

func TestWaitFailsWithWhereTheBrowserIs(t *testing.T) {
	d := browsertest.Start(t)
	srv := httptest.NewServer(form())
	defer srv.Close()
	rt := &recordingT{TB: t}
	rt.run(func() {
		b := d.NewBrowser(rt)
		b.Timeout = time.Second
		b.Open(srv.URL + "/")
		var title string
		if err := b.Do("GET", "/title", nil, &title); err != nil || title != "form" {
			t.Errorf("the title command: %q, %v", title, err)
		}
		b.WaitText("#last", "never shown")
	})
	if rt.ended != "fatal" {
		t.Fatalf("the wait ended with %q, want a failure", rt.ended)
	}
	for _, want := range []string{`"never shown"`, "not done after 1s", srv.URL, "last:", "screenshot: "} {
		if !strings.Contains(rt.msg, want) {
			t.Errorf("the failure does not say %s: %s", want, rt.msg)
		}
	}
}

func TestStartWithoutBrowser(t *testing.T) {
	t.Setenv(browsertest.ChromiumEnv, "/nonexistent/chromium")
	for require, want := range map[string]string{"": "skip", "1": "fatal"} {
		t.Setenv(testenv.RequireEnv, require)
		rt := &recordingT{TB: t}
		rt.run(func() { browsertest.Start(rt) })
		if rt.ended != want || !strings.Contains(rt.msg, "/nonexistent/chromium") {
			t.Errorf("%s=%q: the test ended with %s %q, want %s naming the missing browser", testenv.RequireEnv, require, rt.ended, rt.msg, want)
		}
	}
}

// recordingT records how a function run with it ends: Fatal or Skip end
// only that function's goroutine, so the test can look at the message.
type recordingT struct {
	testing.TB
	ended string // "fatal", "skip" or "" (returned)
	msg   string
}

func (r *recordingT) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func (r *recordingT) end(kind, format string, args ...any) {
	r.ended, r.msg = kind, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recordingT) Fatalf(format string, args ...any) { r.end("fatal", format, args...) }
func (r *recordingT) Skipf(format string, args ...any)  { r.end("skip", format, args...) }
func (r *recordingT) Skip(args ...any)                  { r.end("skip", "%s", fmt.Sprint(args...)) }
func (r *recordingT) Helper()                           {}
