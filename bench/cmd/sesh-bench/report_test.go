package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/bench/internal/load"
	"github.com/seshgo/sesh/bench/internal/ops"
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
		ops:       ops.Counts{"find": 1000, "update": 1000, "hello": 3},
		classify:  ops.Mongo,
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
}

// TestPostgresOps renders a PostgreSQL suite: statements are grouped by
// verb, compared with what each store should do, and listed.
func TestPostgresOps(t *testing.T) {
	sesh := measured("sesh", "read", 1000, 100*time.Microsecond)
	sesh.ops, sesh.classify = ops.Counts{`SELECT sess FROM "session" WHERE sid = $1`: 1000, "BEGIN": 2}, ops.SQL
	express := measured("express", "read", 500, 300*time.Microsecond)
	express.ops, express.classify = ops.Counts{`SELECT sess FROM "session" WHERE sid = $1`: 500, `UPDATE "session" SET expire = to_timestamp($1) WHERE sid = $2`: 500}, ops.SQL
	scs := measured("scs", "read", 800, 100*time.Microsecond)
	scs.ops, scs.classify = ops.Counts{"SELECT data FROM sessions WHERE token = $1": 1600}, ops.SQL
	var b strings.Builder
	renderDB(&b, postgresSuite, []row{sesh, express, scs, {system: "limit", path: "write", skipped: true}})
	out := b.String()
	for _, want := range []string{
		"| sesh | read | 1,000 | 0.00 ms | 0.00 ms | 1.00 SELECT | 0 | 1.00× |",
		"| express | read | 500 | 0.00 ms | 0.00 ms | 1.00 SELECT | 1.00 UPDATE | 0.50× |",
		"| sesh | read | 1.00 | 0.00 | 1 + 0: SELECT | as expected |",
		"| express | read | 1.00 | 1.00 | 1 + 1: SELECT + UPDATE (no touch throttle) | as expected |",
		"| scs | read | 2.00 | 0.00 | 1 + 0: SELECT | **unexpected** |",
		"| limit | write | — |",
		"  - 1.00 × `UPDATE \"session\" SET expire = to_timestamp($1) WHERE sid = $2`",
		"![req/s per contestant and path on PostgreSQL (a private server)](chart-postgres.svg)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "`BEGIN`") {
		t.Error("upkeep statements listed")
	}
}

func TestParseCommandStats(t *testing.T) {
	info := "# Commandstats\r\ncmdstat_get:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_client|setinfo:calls=2,usec=3,usec_per_call=1.50,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_expire:calls=7,usec=9,usec_per_call=1.2,rejected_calls=0,failed_calls=0\r\n"
	c := parseCommandStats(info)
	if len(c) != 3 || c["get"] != 12 || c["client|setinfo"] != 2 || c["expire"] != 7 {
		t.Errorf("parseCommandStats = %v", c)
	}
}

func TestCharts(t *testing.T) {
	rows := []row{
		measured("sesh", "read", 900, 0), measured("sesh", "write", 800, 0), measured("sesh", "create", 700, 0),
		measured("limit", "read", 1000, 0), {system: "limit", path: "write", skipped: true}, {system: "limit", path: "create", skipped: true},
	}
	c := barChart(redisSuite, rows)
	if len(c.Series) != 2 || c.Values[0][2] != 700 || c.Values[1][0] != 1000 || !math.IsNaN(c.Values[1][1]) {
		t.Errorf("bars %+v", c)
	}
	g := growthChart([]growthRow{
		{db: "redis", size: 10000, res: load.Result{Requests: 1, P50: time.Millisecond, P99: 3 * time.Millisecond}},
		{db: "redis", size: 100000, res: load.Result{Requests: 1, P50: 2 * time.Millisecond, P99: 4 * time.Millisecond}},
		{db: "mongo", size: 10000, res: load.Result{Requests: 1, P50: 5 * time.Millisecond, P99: 9 * time.Millisecond}},
		{db: "mongo", size: 100000, err: "left out"},
	})
	if len(g.X) != 2 || len(g.Series) != 4 || !g.LogY || g.Series[1].Y[1] != 4 || !g.Series[1].Dashed || !math.IsNaN(g.Series[2].Y[1]) || g.Series[2].Color != 1 {
		t.Errorf("lines %+v", g)
	}
}
