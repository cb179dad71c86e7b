package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestShapes checks that bare answers what sesh-compat answers, in shape:
// a cookie on the first /set, the id back on /get.
func TestShapes(t *testing.T) {
	h := handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/set?k=user&v=u0", nil))
	setCookie := rec.Header().Get("Set-Cookie")
	if rec.Code != 200 || !strings.HasPrefix(setCookie, "connect.sid=s%3A") {
		t.Fatalf("/set: %d, Set-Cookie %q", rec.Code, setCookie)
	}
	var set struct {
		OK bool
		ID string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil || !set.OK || len(set.ID) != 32 {
		t.Fatalf("/set body %q (%v)", rec.Body, err)
	}
	cookie, _, _ := strings.Cut(setCookie, ";")

	req := httptest.NewRequest("GET", "/get", nil)
	req.Header.Set("Cookie", cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var get struct {
		ID      string
		Session struct {
			Cookie map[string]any
			User   string
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &get); err != nil || get.ID != set.ID || get.Session.User != "u0" || get.Session.Cookie["path"] != "/" {
		t.Errorf("/get body %q (%v)", rec.Body, err)
	}

	req = httptest.NewRequest("GET", "/set?k=n&v=1", nil)
	req.Header.Set("Cookie", cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Set-Cookie") != "" || !strings.Contains(rec.Body.String(), set.ID) {
		t.Errorf("/set with a cookie: Set-Cookie %q, body %q", rec.Header().Get("Set-Cookie"), rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/set?k=n", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("/set without v: %d", rec.Code)
	}
}
