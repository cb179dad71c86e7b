package cookie

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Vectors from express-session 1.19 with cookie-signature 1.0.7, secret
// "keyboard cat" (research notes §2.3, observed through the real middleware).
var vectors = []struct{ id, encoded string }{
	{"abc", "s%3Aabc.BpxCrWRpvZMh%2Fwk%2Fdjl34N%2Bm%2BVQEU7K%2F5WenLwJCgFU"},
	{"test", "s%3Atest.y%2Ba9%2F2cusmmJ2To%2BCiOyWAYBS9gyFRDs0YflHirnPh0"},
	{"Hk6R-6sCDIHu9JuoOR0hh1DjIh5Zx2wF", "s%3AHk6R-6sCDIHu9JuoOR0hh1DjIh5Zx2wF.eiLpky9YFjzwGPgrlbnyqKGaIxh4bhFsMDTz9qyvB4E"},
}

func TestExpressVectors(t *testing.T) {
	s := NewSigner([]string{"keyboard cat"})
	for _, v := range vectors {
		if got := EncodeURIComponent("s:" + s.Sign(v.id)); got != v.encoded {
			t.Errorf("cookie value for %q = %s, want express-session's %s", v.id, got, v.encoded)
		}
		h := http.Header{"Cookie": {"other=1; connect.sid=" + v.encoded}}
		raw, found := Find(h, "connect.sid")
		if !found || !strings.HasPrefix(raw, "s:") {
			t.Fatalf("Find(%s) = %q, %v", v.encoded, raw, found)
		}
		if id, ok := s.Unsign(raw[2:]); !ok || id != v.id {
			t.Errorf("Unsign(%s) = %q, %v; want %q", raw, id, ok, v.id)
		}
	}
}

func TestSetCookieVectors(t *testing.T) {
	s := NewSigner([]string{"keyboard cat"})
	value := "s:" + s.Sign("abc")
	got := Serialize("connect.sid", value, Attributes{Path: "/", HTTPOnly: true})
	want := "connect.sid=s%3Aabc.BpxCrWRpvZMh%2Fwk%2Fdjl34N%2Bm%2BVQEU7K%2F5WenLwJCgFU; Path=/; HttpOnly"
	if got != want {
		t.Errorf("default Set-Cookie\n got %s\nwant %s", got, want)
	}
	got = Serialize("connect.sid", value, Attributes{
		Path: "/", HTTPOnly: true, Secure: true, SameSite: "lax",
		Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	want = "connect.sid=s%3Aabc.BpxCrWRpvZMh%2Fwk%2Fdjl34N%2Bm%2BVQEU7K%2F5WenLwJCgFU; Path=/; Expires=Tue, 01 Jan 2030 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax"
	if got != want {
		t.Errorf("Set-Cookie with maxAge, secure, sameSite\n got %s\nwant %s", got, want)
	}
	got = Serialize("n", "v", Attributes{Domain: "example.com", Path: "/", HTTPOnly: true, Secure: true, Partitioned: true, Priority: "high", SameSite: "none"})
	want = "n=v; Domain=example.com; Path=/; HttpOnly; Secure; Partitioned; Priority=High; SameSite=None"
	if got != want {
		t.Errorf("attribute order\n got %s\nwant %s", got, want)
	}
}

func TestUnsignRejects(t *testing.T) {
	s := NewSigner([]string{"keyboard cat"})
	good := s.Sign("abc")
	for _, bad := range []string{
		good + "x",                               // research vector: trailing byte
		good[:len(good)-1],                       // truncated
		"abc",                                    // unsigned
		"abd" + good[3:],                         // id changed
		"abc.",                                   // empty signature
		"",                                       // empty
		strings.ToUpper(good),                    // case changed
		NewSigner([]string{"other"}).Sign("abc"), // another secret
	} {
		if id, ok := s.Unsign(bad); ok {
			t.Errorf("Unsign(%q) accepted it as %q", bad, id)
		}
	}
}

func TestRotation(t *testing.T) {
	old := NewSigner([]string{"old"})
	rotated := NewSigner([]string{"new", "old"})
	if id, ok := rotated.Unsign(old.Sign("sid")); !ok || id != "sid" {
		t.Fatal("a cookie signed with an older secret was rejected")
	}
	if _, ok := old.Unsign(rotated.Sign("sid")); ok {
		t.Fatal("the first secret did not sign")
	}
}

func TestIDsWithDots(t *testing.T) {
	s := NewSigner([]string{"k"})
	if id, ok := s.Unsign(s.Sign("a.b.c")); !ok || id != "a.b.c" {
		t.Fatalf("Unsign(Sign(a.b.c)) = %q, %v", id, ok)
	}
}

func TestFind(t *testing.T) {
	cases := []struct {
		header []string
		want   string
		found  bool
	}{
		{[]string{"connect.sid=a; connect.sid=b"}, "a", true}, // the first wins
		{[]string{"x=1", "connect.sid=b"}, "b", true},
		{[]string{`connect.sid="s%3Aq"`}, "s:q", true},
		{[]string{"connect.sid=%E0%A4%A"}, "%E0%A4%A", true}, // malformed escape: left as is
		{[]string{"  connect.sid  =  v  "}, "v", true},
		{[]string{"connect.sidx=v; xconnect.sid=w"}, "", false},
		{[]string{"connect.sid"}, "", false},
		{nil, "", false},
		{[]string{"connect.sid=a+b%2B"}, "a+b+", true}, // + is not a space
	}
	for _, c := range cases {
		got, found := Find(http.Header{"Cookie": c.header}, "connect.sid")
		if got != c.want || found != c.found {
			t.Errorf("Find(%q) = %q, %v; want %q, %v", c.header, got, found, c.want, c.found)
		}
	}
}

func FuzzUnsign(f *testing.F) {
	s := NewSigner([]string{"keyboard cat", "second"})
	for _, v := range vectors {
		f.Add("connect.sid=" + v.encoded)
	}
	f.Add("connect.sid=s%3A%00.%ZZ; connect.sid=x")
	f.Add(`connect.sid="s:abc.def"`)
	f.Fuzz(func(t *testing.T, header string) {
		raw, found := Find(http.Header{"Cookie": {header}}, "connect.sid")
		if !found {
			return
		}
		signed, ok := strings.CutPrefix(raw, "s:")
		if !ok {
			return
		}
		id, ok := s.Unsign(signed)
		if !ok {
			return
		}
		// Whatever verified must be what one of the secrets signs.
		if signed != s.Sign(id) && signed != NewSigner([]string{"second"}).Sign(id) {
			t.Fatalf("Unsign accepted %q as %q, which no secret signs that way", signed, id)
		}
	})
}

func TestValidDomainAndPath(t *testing.T) {
	// The cases of cookie 0.7.2's domainValueRegExp and pathValueRegExp.
	domains := map[string]bool{
		"example.com": true, ".example.com": true, "a.b-c.d": true, "EXAMPLE.COM": true,
		"x": true, "1.2.3.4": true, strings.Repeat("a", 63) + ".com": true,
		"": false, ".": false, "..a": false, "a..b": false, "-a.com": false, "a-.com": false,
		"a.com.": false, "a_b.com": false, "evil.com; Secure": false, "a.com\n": false,
		strings.Repeat("a", 64) + ".com": false, "ex ample.com": false,
	}
	for d, want := range domains {
		if got := ValidDomain(d); got != want {
			t.Errorf("ValidDomain(%q) = %v, want %v", d, got, want)
		}
	}
	paths := map[string]bool{
		"/": true, "": true, "/a b/c:d=e~": true, "/é": false,
		"/; Domain=evil.example": false, "/<script>": false, "/a\r\nSet-Cookie: x": false, "/\x7f": false,
	}
	for p, want := range paths {
		if got := ValidPath(p); got != want {
			t.Errorf("ValidPath(%q) = %v, want %v", p, got, want)
		}
	}
}
