package interop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// cookieName is the session cookie's default name.
const cookieName = "connect.sid"

// cookieNameOf returns the name of s's session cookie.
func cookieNameOf(s *server) string {
	if n := s.env["COOKIE_NAME"]; n != "" {
		return n
	}
	return cookieName
}

// transport is shared by every browser. Keep-alives are off so that a
// server stopping at the end of a test never waits for idle connections.
var transport = &http.Transport{DisableKeepAlives: true}

// browser is one simulated browser: a cookie jar and a client. Both
// servers listen on 127.0.0.1, on different ports; cookies are not
// isolated by port, so one jar holds one cookie for both, as a browser
// visiting two applications on one host would (TestJarSharesCookiesAcrossPorts
// checks that the jar does this).
type browser struct {
	t      *testing.T
	jar    http.CookieJar
	client *http.Client
}

// httpsJar is a cookie jar that sees every URL as https.
type httpsJar struct{ *cookiejar.Jar }

func asHTTPS(u *url.URL) *url.URL {
	v := *u
	v.Scheme = "https"
	return &v
}

func (j httpsJar) SetCookies(u *url.URL, cs []*http.Cookie) { j.Jar.SetCookies(asHTTPS(u), cs) }
func (j httpsJar) Cookies(u *url.URL) []*http.Cookie        { return j.Jar.Cookies(asHTTPS(u)) }

// forwardedProto adds X-Forwarded-Proto: https, as a TLS-terminating proxy.
type forwardedProto struct{ next http.RoundTripper }

func (f forwardedProto) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-Proto", "https")
	return f.next.RoundTrip(r)
}

func newBrowser(t *testing.T) *browser {
	return newBrowserVia(t, false)
}

// newBrowserVia returns a browser; with proxied, one that reaches the
// servers through a TLS-terminating proxy: its requests carry
// X-Forwarded-Proto: https, and its jar treats them as https requests (so
// it keeps and sends Secure cookies).
func newBrowserVia(t *testing.T, proxied bool) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var cj http.CookieJar = jar
	var rt http.RoundTripper = transport
	if proxied {
		cj = httpsJar{jar}
		rt = forwardedProto{transport}
	}
	return &browser{t: t, jar: cj, client: &http.Client{
		Jar:       cj,
		Transport: rt,
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// response is what a request returned.
type response struct {
	server     *server
	path       string
	sentCookie string // the Cookie header sent
	status     int
	body       map[string]any
	text       string
	setCookies []string // raw Set-Cookie values
}

func (r *response) String() string {
	sc := "no Set-Cookie"
	if len(r.setCookies) > 0 {
		sc = "Set-Cookie: " + strings.Join(r.setCookies, " | ")
	}
	sent := "no cookie"
	if r.sentCookie != "" {
		sent = "Cookie: " + r.sentCookie
	}
	return fmt.Sprintf("%s GET %s (%s) → %d, %s, body %s", r.server.name, r.path, sent, r.status, sc, strings.TrimSpace(r.text))
}

// str returns the body's string field key.
func (r *response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// session returns the session object of a /get response.
func (r *response) session() map[string]any {
	m, _ := r.body["session"].(map[string]any)
	return m
}

// data returns the session's values of a /get response: the session
// without its cookie and without connect-mongo's lastModified, which
// express-session shows when touchAfter is on.
func (r *response) data() map[string]any {
	out := map[string]any{}
	for k, v := range r.session() {
		if k != "cookie" && k != "lastModified" {
			out[k] = v
		}
	}
	return out
}

// get requests path on s with the browser's cookies.
func (b *browser) get(s *server, path string) *response {
	b.t.Helper()
	return do(b.t, b.client, s, path, "")
}

// fetch requests path on s with exactly the given Cookie header ("" for
// none), as another tab or a replayed request would.
func fetch(t *testing.T, s *server, path, cookieHeader string) *response {
	t.Helper()
	return do(t, cookieless, s, path, cookieHeader)
}

// cookieless is the client of requests that carry a Cookie header of
// their own.
var cookieless = &http.Client{Transport: transport, Timeout: 30 * time.Second}

func do(t *testing.T, c *http.Client, s *server, path, cookieHeader string) *response {
	t.Helper()
	r, err := request(c, s, path, cookieHeader)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// request is do for any goroutine: it returns its failure.
func request(c *http.Client, s *server, path, cookieHeader string) (*response, error) {
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		return nil, err
	}
	if cookieHeader != "" {
		req.Header.Set("Cookie", cookieHeader)
	}
	sent := cookieHeader
	if c.Jar != nil {
		var parts []string
		for _, ck := range c.Jar.Cookies(req.URL) {
			parts = append(parts, ck.Name+"="+ck.Value)
		}
		sent = strings.Join(parts, "; ")
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s GET %s: %v", s.name, path, err)
	}
	defer res.Body.Close()
	text, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%s GET %s: reading the body: %v", s.name, path, err)
	}
	r := &response{server: s, path: path, sentCookie: sent, status: res.StatusCode, text: string(text), setCookies: res.Header.Values("Set-Cookie")}
	if err := json.Unmarshal(text, &r.body); err != nil {
		return nil, fmt.Errorf("%s GET %s: the body is not a JSON object (%v): %d %q", s.name, path, err, res.StatusCode, text)
	}
	return r, nil
}

// cookie returns the browser's session cookie value for s, "" if none.
func (b *browser) cookie(s *server) string {
	u, _ := url.Parse(s.url)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == cookieNameOf(s) {
			return c.Value
		}
	}
	return ""
}

// header returns the Cookie header the browser would send to s.
func (b *browser) header(s *server) string {
	if v := b.cookie(s); v != "" {
		return cookieNameOf(s) + "=" + v
	}
	return ""
}

// setCookie is one parsed Set-Cookie header.
type setCookie struct {
	raw   string
	name  string
	value string            // as sent (URL-encoded)
	attrs map[string]string // lower-cased attribute name → value ("" for flags)
}

func parseSetCookie(raw string) setCookie {
	parts := strings.Split(raw, ";")
	name, value, _ := strings.Cut(strings.TrimSpace(parts[0]), "=")
	c := setCookie{raw: raw, name: name, value: value, attrs: map[string]string{}}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		c.attrs[strings.ToLower(k)] = v
	}
	return c
}

// sessionCookie returns the response's Set-Cookie for the session cookie.
func (r *response) sessionCookie() (setCookie, bool) {
	for _, raw := range r.setCookies {
		if c := parseSetCookie(raw); c.name == cookieNameOf(r.server) {
			return c, true
		}
	}
	return setCookie{}, false
}

// shape is what a user can compare between two Set-Cookie headers whose
// id and dates differ: the attribute names, with the values of those that
// do not depend on time, and whether the value is empty (a cleared
// cookie) and Expires in the past.
func (c setCookie) shape() string {
	var attrs []string
	for k, v := range c.attrs {
		switch k {
		case "expires":
			// Both send JavaScript's Date.toUTCString(), which is
			// http.TimeFormat.
			when, err := time.Parse(http.TimeFormat, v)
			switch {
			case err != nil:
				attrs = append(attrs, "Expires=<not an IMF-fixdate: "+v+">")
			case when.Before(time.Now()):
				attrs = append(attrs, "Expires=<past>")
			default:
				attrs = append(attrs, "Expires=<future>")
			}
		case "path", "samesite", "domain", "priority", "max-age":
			attrs = append(attrs, k+"="+v)
		default:
			attrs = append(attrs, k)
		}
	}
	slices.Sort(attrs)
	value := "<signed id>"
	if c.value == "" {
		value = "<empty>"
	}
	return c.name + "=" + value + "; " + strings.Join(attrs, "; ")
}

// signedValue is the cookie value express-session sends for id signed
// with secret: encodeURIComponent("s:" + id + "." + base64(HMAC-SHA256)),
// the base64 unpadded.
func signedValue(id, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(id))
	raw := "s:" + id + "." + base64.RawStdEncoding.EncodeToString(mac.Sum(nil))
	return encodeURIComponent(raw)
}

// encodeURIComponent is JavaScript's.
func encodeURIComponent(s string) string {
	const keep = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(keep, s[i]) >= 0 {
			b.WriteByte(s[i])
		} else {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
	}
	return b.String()
}

// idOf returns the session id a cookie value carries, unverified.
func idOf(value string) string {
	raw, err := url.PathUnescape(value)
	if err != nil {
		return ""
	}
	raw = strings.TrimPrefix(raw, "s:")
	if i := strings.LastIndexByte(raw, '.'); i >= 0 {
		return raw[:i]
	}
	return ""
}
