package main

import (
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/bench/internal/load"
	"github.com/seshgo/sesh/bench/internal/wireproxy"
)

func TestParseBench(t *testing.T) {
	text := `goos: linux
BenchmarkMiddleware/path=read/lib=sesh-2   1000  3000 ns/op  1700 B/op  20 allocs/op
BenchmarkMiddleware/path=read/lib=sesh-2   1000  5000 ns/op  1700 B/op  20 allocs/op
BenchmarkMiddleware/path=read/lib=sesh-2   1000  4000 ns/op  1700 B/op  20 allocs/op
BenchmarkCipher/op=encrypt/impl=aes-gcm-2  1000  400 ns/op  462.61 MB/s  208 B/op  1 allocs/op
PASS
`
	m := parseBench(text)
	got := m["BenchmarkMiddleware/path=read/lib=sesh"]
	if got["ns/op"] != 4000 || got["allocs/op"] != 20 {
		t.Errorf("middleware medians = %v", got)
	}
	if c := m["BenchmarkCipher/op=encrypt/impl=aes-gcm"]; c["MB/s"] != 462.61 || c["B/op"] != 208 {
		t.Errorf("cipher medians = %v", c)
	}
	if out := dropPreamble("goos: linux\ncpu: X\n  │ sesh │\n"); out != "  │ sesh │\n" {
		t.Errorf("dropPreamble = %q", out)
	}
}

func TestTargetPartition(t *testing.T) {
	h := &harness{cfg: config{concurrency: 3}}
	cookies := []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6"}
	next := h.target("read", cookies)
	for w := range 3 {
		seen := map[string]bool{}
		for i := range 10 {
			path, c := next(w, i)
			if path != "/get" {
				t.Fatalf("path %q", path)
			}
			seen[c] = true
			var idx int
			for j, x := range cookies {
				if x == c {
					idx = j
				}
			}
			if idx%3 != w {
				t.Errorf("worker %d got cookie %d", w, idx)
			}
		}
		if want := (len(cookies)-1-w)/3 + 1; len(seen) != want {
			t.Errorf("worker %d used %d sessions, want %d", w, len(seen), want)
		}
	}
	if path, c := h.target("create", cookies)(0, 0); c != "" || !strings.HasPrefix(path, "/set?k=n&v=") {
		t.Errorf("create: %q %q", path, c)
	}
}

func TestRowFormatting(t *testing.T) {
	r := row{
		system: "sesh", path: "write",
		res:       load.Result{Requests: 1000, Elapsed: time.Second},
		ops:       wireproxy.Counts{"find": 1000, "update": 1000, "hello": 3},
		serverCPU: 150 * time.Millisecond,
	}
	reads, writes := opsColumns(r)
	if reads != "1.00 find" || writes != "1.00 update" {
		t.Errorf("ops columns %q, %q", reads, writes)
	}
	if got := perRequest(r.serverCPU, r); got != "150 µs" {
		t.Errorf("perRequest = %q", got)
	}
	if got := thousands(1234567.4); got != "1,234,567" {
		t.Errorf("thousands = %q", got)
	}
	if !strings.Contains(seshOpsCheck([]row{r}), "as expected") {
		t.Errorf("check: %s", seshOpsCheck([]row{r}))
	}
}
