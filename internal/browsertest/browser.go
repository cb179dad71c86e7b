package browsertest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Args are the browser's switches, besides a fresh --user-data-dir: no
// window; no sandbox, which cannot start as root in a container; no GPU;
// /tmp rather than /dev/shm, which is 64 MB in Docker and crashes tabs;
// and no traffic of the browser's own (updates, sync, QUIC probes), so a
// test talks to its server only.
var Args = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
	"--disable-background-networking", "--disable-component-update",
	"--no-first-run", "--disable-sync", "--disable-quic",
}

// pollInterval is how often waits look at the page again.
const pollInterval = 50 * time.Millisecond

// Browser is one browser, a WebDriver session with a profile of its own:
// two Browsers share no cookies, like two devices. Its methods fail the
// test (t.Fatal) on errors, so they must be called from the test's
// goroutine.
type Browser struct {
	// Timeout bounds each wait for an element or a condition. Default
	// DefaultTimeout. Page loads are bounded by DefaultTimeout.
	Timeout time.Duration

	t       testing.TB
	d       *Driver
	path    string // /session/<id>
	pid     int
	closing sync.Once
}

// elementKey is the key of the W3C element reference object.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// NewBrowser starts a browser with a new, empty profile in a temporary
// directory, closed when the test ends.
func (d *Driver) NewBrowser(t testing.TB) *Browser {
	t.Helper()
	profile := t.TempDir() // removed after the browser, closed below
	ms := DefaultTimeout.Milliseconds()
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": d.chromium,
			"args":   append(Args[:len(Args):len(Args)], "--user-data-dir="+profile),
		},
		"timeouts": map[string]any{"pageLoad": ms, "script": ms, "implicit": 0},
	}}}
	var created struct {
		SessionID    string
		Capabilities struct {
			PID int `json:"goog:processID"`
		}
	}
	if err := d.client.do("POST", "/session", caps, &created, 2*DefaultTimeout); err != nil {
		t.Fatalf("browsertest: starting %s: %v%s", d.chromium, err, d.logTail())
	}
	b := &Browser{t: t, d: d, path: "/session/" + created.SessionID, pid: created.Capabilities.PID}
	t.Cleanup(b.Close)
	return b
}

// PID returns the browser's process id.
func (b *Browser) PID() int { return b.pid }

// Close ends the browser. The test's cleanup does it too.
func (b *Browser) Close() {
	b.closing.Do(func() {
		if err := b.do("DELETE", "", nil, nil); err != nil {
			b.t.Logf("browsertest: closing the browser: %v", err)
		}
	})
}

func (b *Browser) timeout() time.Duration {
	if b.Timeout > 0 {
		return b.Timeout
	}
	return DefaultTimeout
}

// do sends a command of this browser's session.
func (b *Browser) do(method, path string, body, out any) error {
	return b.d.client.do(method, b.path+path, body, out, DefaultTimeout+10*time.Second)
}

// Do sends a WebDriver command of this session, for what the other
// methods do not cover: path is relative to /session/<id> ("/title"),
// body nil for GET and DELETE, out receives the answer's value.
func (b *Browser) Do(method, path string, body, out any) error {
	return b.do(method, path, body, out)
}

// Open navigates to url and waits for the page to load.
func (b *Browser) Open(url string) {
	b.t.Helper()
	if err := b.do("POST", "/url", map[string]string{"url": url}, nil); err != nil {
		b.t.Fatalf("browsertest: opening %s: %v", url, err)
	}
}

// URL returns the address of the current page.
func (b *Browser) URL() string {
	b.t.Helper()
	var u string
	if err := b.do("GET", "/url", nil, &u); err != nil {
		b.t.Fatalf("browsertest: reading the address: %v", err)
	}
	return u
}

// elements returns the references of the elements matching css.
func (b *Browser) elements(css string) ([]string, error) {
	var refs []map[string]string
	err := b.do("POST", "/elements", map[string]string{"using": "css selector", "value": css}, &refs)
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r[elementKey]
	}
	return ids, err
}

// Count returns how many elements match css now, without waiting.
func (b *Browser) Count(css string) int {
	b.t.Helper()
	ids, err := b.elements(css)
	if err != nil {
		b.t.Fatalf("browsertest: finding %s: %v", css, err)
	}
	return len(ids)
}

// Text returns the visible text of the first element matching css,
// waiting for one to appear.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	return read[string](b, "reading the text of "+css, css, "/text")
}

// read sends a GET command of the first element matching css, waiting for
// one, and returns the answer.
func read[T any](b *Browser, what, css, command string) T {
	b.t.Helper()
	var v T
	b.onElement(what, css, func(id string) error {
		return b.do("GET", "/element/"+id+command, nil, &v)
	})
	return v
}

// text returns the visible text of the element id.
func (b *Browser) text(id string) (string, error) {
	var s string
	err := b.do("GET", "/element/"+id+"/text", nil, &s)
	return s, err
}

// Texts returns the visible texts of the elements matching css now,
// without waiting.
func (b *Browser) Texts(css string) []string {
	b.t.Helper()
	var texts []string
	b.poll("reading the texts of "+css, func() (bool, error) {
		ids, err := b.elements(css)
		if err != nil {
			return false, err
		}
		texts = texts[:0]
		for _, id := range ids {
			s, err := b.text(id)
			if err != nil {
				return false, err // stale: the page changed; read again
			}
			texts = append(texts, s)
		}
		return true, nil
	})
	return texts
}

// WaitText waits until the first element matching css has a text that
// contains want, and returns that text.
func (b *Browser) WaitText(css, want string) string {
	b.t.Helper()
	var text string
	b.poll(fmt.Sprintf("waiting for %s to contain %q", css, want), func() (bool, error) {
		ids, err := b.elements(css)
		if err != nil || len(ids) == 0 {
			return false, err
		}
		text, err = b.text(ids[0])
		return strings.Contains(text, want), err
	})
	return text
}

// Click clicks the first element matching css, waiting for one that can
// be clicked. A click that submits a form or follows a link starts a
// navigation: wait for what the next page shows.
func (b *Browser) Click(css string) {
	b.t.Helper()
	b.onElement("clicking "+css, css, func(id string) error {
		return b.do("POST", "/element/"+id+"/click", struct{}{}, nil)
	})
}

// Type replaces the value of the first input matching css with text,
// typed key by key.
func (b *Browser) Type(css, text string) {
	b.t.Helper()
	b.onElement("typing into "+css, css, func(id string) error {
		if err := b.do("POST", "/element/"+id+"/clear", struct{}{}, nil); err != nil {
			return err
		}
		return b.do("POST", "/element/"+id+"/value", map[string]string{"text": text}, nil)
	})
}

// Selected reports whether the first element matching css (a checkbox, a
// radio button, an option) is selected.
func (b *Browser) Selected(css string) bool {
	b.t.Helper()
	return read[bool](b, "reading the state of "+css, css, "/selected")
}

// onElement runs action on the first element matching css, waiting for
// one and trying again while the page is changing under it.
func (b *Browser) onElement(what, css string, action func(id string) error) {
	b.t.Helper()
	b.poll(what, func() (bool, error) {
		ids, err := b.elements(css)
		if err != nil || len(ids) == 0 {
			return false, err
		}
		return true, action(ids[0])
	})
}

// poll calls try until it reports done, for up to Timeout. Errors that a
// changing page explains (an element gone stale, not yet clickable) are
// tried again; others fail the test at once.
func (b *Browser) poll(what string, try func() (done bool, err error)) {
	b.t.Helper()
	deadline := time.Now().Add(b.timeout())
	var last error
	for {
		done, err := try()
		if err == nil && done {
			return
		}
		if err != nil {
			if !transient(err) {
				b.t.Fatalf("browsertest: %s: %v%s", what, err, b.describe())
			}
			last = err
		}
		if time.Now().After(deadline) {
			reason := ""
			if last != nil {
				reason = fmt.Sprintf(" (last error: %v)", last)
			}
			b.t.Fatalf("browsertest: %s: not done after %v%s%s", what, b.timeout(), reason, b.describe())
		}
		time.Sleep(pollInterval)
	}
}

// transient reports the WebDriver errors of a page that is still changing.
func transient(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case "no such element", "stale element reference", "element not interactable",
		"element click intercepted", "invalid element state":
		return true
	}
	return false
}

// screenshot returns a PNG image of the page as the browser shows it.
func (b *Browser) screenshot() ([]byte, error) {
	var encoded string
	if err := b.do("GET", "/screenshot", nil, &encoded); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(encoded)
}

// describe says where the browser is, for failure messages: the address,
// the page's text, and a screenshot in the test's artifact directory
// (kept with go test -artifacts).
func (b *Browser) describe() string {
	var url, text string
	b.do("GET", "/url", nil, &url)
	if ids, err := b.elements("body"); err == nil && len(ids) > 0 {
		text, _ = b.text(ids[0])
	}
	if len(text) > 1500 {
		text = text[:1500] + "…"
	}
	msg := fmt.Sprintf("\nat %s, showing:\n%s", url, text)
	if png, err := b.screenshot(); err == nil {
		f, err := os.CreateTemp(b.t.ArtifactDir(), "screenshot-*.png")
		if err == nil {
			f.Write(png)
			f.Close()
			msg += "\nscreenshot: " + f.Name()
		}
	}
	return msg
}
