package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunAndSessions(t *testing.T) {
	var created atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("sid"); err == nil {
			if c.Value == "bad" {
				w.WriteHeader(http.StatusInternalServerError)
			}
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: strconv.FormatInt(created.Add(1), 10), Path: "/"})
	}))
	defer srv.Close()
	g := New(srv.URL, 4)
	defer g.Close()

	cookies, err := g.Sessions(context.Background(), 10, 3, func(i int) string { return "/set?v=" + strconv.Itoa(i) })
	if err != nil {
		t.Fatal(err)
	}
	if len(cookies) != 10 || cookies[0] == "" || created.Load() != 10 {
		t.Fatalf("cookies = %q, created %d", cookies, created.Load())
	}

	r := NewRunner(g, 4)
	res := r.Run(context.Background(), 100*time.Millisecond, func(w, i int) (string, string) {
		return "/get", cookies[(w+4*i)%len(cookies)]
	})
	if res.Requests == 0 || res.Errors != 0 || res.P50 <= 0 || res.P99 < res.P50 || res.Rate() <= 0 {
		t.Errorf("result %+v", res)
	}
	res = r.Run(context.Background(), 50*time.Millisecond, func(w, i int) (string, string) { return "/get", "sid=bad" })
	if res.Requests != 0 || res.Errors == 0 || res.FirstError == "" {
		t.Errorf("failing result %+v", res)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if p := percentile(d, 0.5); p != 50 {
		t.Errorf("p50 = %d", p)
	}
	if p := percentile(d, 0.99); p != 99 {
		t.Errorf("p99 = %d", p)
	}
	if p := percentile(nil, 0.5); p != 0 {
		t.Errorf("empty p50 = %d", p)
	}
}

func TestMerge(t *testing.T) {
	a := Result{Requests: 3, Elapsed: time.Second, latencies: []time.Duration{1, 2, 3}}
	b := Result{Requests: 2, Errors: 1, Elapsed: time.Second, FirstError: "boom", latencies: []time.Duration{10, 20}}
	m := Result{}.Merge(a).Merge(b)
	if m.Requests != 5 || m.Errors != 1 || m.Elapsed != 2*time.Second || m.FirstError != "boom" || m.Rate() != 2.5 {
		t.Errorf("merged %+v", m)
	}
	// Of 1, 2, 3, 10, 20: the median is 3, the 99th percentile 20.
	if m.P50 != 3 || m.P99 != 20 {
		t.Errorf("p50 %d, p99 %d", m.P50, m.P99)
	}
}
