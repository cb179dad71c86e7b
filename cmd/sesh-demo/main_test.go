package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/internal/mongotest"
	"github.com/seshgo/sesh/middleware"
)

var visitsRE = regexp.MustCompile(`id="visits">(\d+)<`)

func TestDemoFlow(t *testing.T) {
	store := memory.New(memory.Options{})
	defer store.Close()
	sessions, err := middleware.New(middleware.Options{Backend: store, Secrets: []string{"test secret"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sessions.Handler(routes()))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func() string {
		res, err := client.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	sid := func() string {
		u, _ := url.Parse(srv.URL)
		for _, c := range jar.Cookies(u) {
			if c.Name == "connect.sid" {
				return c.Value
			}
		}
		return ""
	}
	visits := func(page string) string {
		m := visitsRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no counter in %s", page)
		}
		return m[1]
	}
	if v := visits(get()); v != "1" {
		t.Fatalf("first visit shows %s", v)
	}
	if v := visits(get()); v != "2" {
		t.Fatalf("the counter did not survive across requests: %s", v)
	}
	before := sid()
	res, err := client.PostForm(srv.URL+"/login", url.Values{"name": {"ada"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(body)
	if !regexp.MustCompile(`Signed in as <strong>ada</strong>`).MatchString(page) || visits(page) != "3" {
		t.Fatalf("after sign-in: %s", page)
	}
	if sid() == before {
		t.Fatal("signing in kept the session id (fixation)")
	}
	res, err = client.PostForm(srv.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	page = string(body)
	if regexp.MustCompile(`Signed in as`).MatchString(page) || visits(page) != "1" {
		t.Fatalf("after sign-out the old session is still visible: %s", page)
	}
}

func TestDemoOnMongo(t *testing.T) {
	uri := mongotest.URI(t)
	store, describe, err := openMongo(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer closeBackend(store)
	if !strings.Contains(describe, "MongoDB") {
		t.Errorf("description %q", describe)
	}
	sessions, err := middleware.New(middleware.Options{Backend: store, Secrets: []string{"test secret"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sessions.Handler(routes()))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	var last string
	for range 2 {
		res, err := client.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := visitsRE.FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("status %d: %s", res.StatusCode, b)
		}
		last = m[1]
	}
	if last != "2" {
		t.Fatalf("the counter on MongoDB shows %s after two visits", last)
	}
}
