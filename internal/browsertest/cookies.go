package browsertest

import "time"

// Cookie is a cookie in the browser's jar, as WebDriver shows it.
type Cookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Domain   string `json:"domain"`
	Path     string `json:"path"`
	Secure   bool   `json:"secure"`
	HTTPOnly bool   `json:"httpOnly"`
	SameSite string `json:"sameSite"`
	// Expiry is in seconds since the Unix epoch; 0 for a cookie that ends
	// with the browsing session.
	Expiry int64 `json:"expiry"`
}

// Expires returns when the cookie expires, the zero time for a cookie
// that ends with the browsing session.
func (c Cookie) Expires() time.Time {
	if c.Expiry == 0 {
		return time.Time{}
	}
	return time.Unix(c.Expiry, 0)
}

// Cookies returns the cookies the browser would send to the current page,
// HttpOnly ones included.
func (b *Browser) Cookies() []Cookie {
	b.t.Helper()
	var cookies []Cookie
	if err := b.do("GET", "/cookie", nil, &cookies); err != nil {
		b.t.Fatalf("browsertest: reading cookies: %v", err)
	}
	return cookies
}

// Cookie returns the cookie named name that the browser would send to the
// current page.
func (b *Browser) Cookie(name string) (Cookie, bool) {
	b.t.Helper()
	for _, c := range b.Cookies() {
		if c.Name == name {
			return c, true
		}
	}
	return Cookie{}, false
}
