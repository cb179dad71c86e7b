package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/bench/internal/load"
)

func TestParseSuites(t *testing.T) {
	c, err := parseFlags([]string{"-suites", "memory,redis", "-memory-duration", "1s"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.suites, []string{"memory", "redis"}) || c.runs(mongoSuite) || !c.runs(memorySuite) || !c.runsAny(postgresSuite, redisSuite) || c.memDuration != time.Second {
		t.Errorf("suites %q, memory duration %v", c.suites, c.memDuration)
	}
	if c, _ := parseFlags(nil); !slices.Equal(c.suites, suiteNames) {
		t.Errorf("default suites %q, want all", c.suites)
	}
	if _, err := parseFlags([]string{"-suites", "mongo,mysql"}); err == nil || !strings.Contains(err.Error(), `"mysql"`) {
		t.Errorf("unknown suite: %v", err)
	}
	c, err = parseFlags([]string{"-growth-sizes", "2000,20000", "-growth-dbs", "postgres"})
	if err != nil || !slices.Equal(c.growthSizes, []int{2000, 20000}) || !slices.Equal(c.growthDBs, []string{"postgres"}) {
		t.Errorf("growth flags: %v, %v, %v", c.growthSizes, c.growthDBs, err)
	}
	for _, bad := range [][]string{
		{"-growth-sizes", "100000,10000"},
		{"-growth-sizes", "10k"},
		{"-growth-sizes", "500"}, // fewer than -sessions
		{"-growth-dbs", "mysql"},
		{"-footprint-sizes", "0"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// measured returns a successful row of n requests in one second, with
// cpu of server CPU time per request.
func measured(system, path string, n int, cpu time.Duration) row {
	return row{
		system: system, path: path,
		res:       load.Result{Requests: n, Elapsed: time.Second},
		serverCPU: time.Duration(n) * cpu,
		dbCPU:     -1, selfCPU: -1, machineCPU: -1,
	}
}

func TestTargetsPerSuite(t *testing.T) {
	res := results{suites: map[string][]row{
		mongoSuite:  {measured("sesh", "read", 1200, 170*time.Microsecond), measured("express", "read", 1000, 450*time.Microsecond)},
		redisSuite:  {measured("sesh", "read", 9000, 60*time.Microsecond), measured("express", "read", 2000, 300*time.Microsecond), measured("limit", "read", 9500, 40*time.Microsecond)},
		memorySuite: {measured("sesh", "read", 9000, 30*time.Microsecond), measured("express", "read", 2000, 150*time.Microsecond), measured("bare", "read", 11000, 20*time.Microsecond)},
	}}
	var b strings.Builder
	targets(&b, res)
	for _, want := range []string{
		"- sesh read ≥ 4× Express on MongoDB: 1.20× (server CPU per request: Express's is 2.65× sesh's) — **missed**\n",
		"- sesh read ≥ 4× Express on Redis: 4.50× (server CPU per request: Express's is 5.00× sesh's) — met\n",
		"- sesh read ≥ 0.9× the limit on Redis: 0.95× — met\n",
		"- sesh read ≥ 0.9× the limit on PostgreSQL: not run — n/a\n",
		"- sesh read ≥ 0.85× bare net/http, in memory: 0.82× (server CPU per request, sesh − bare: 10.0 µs) — **missed**\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("targets lack %q:\n%s", want, b.String())
		}
	}
}

func TestRenderMemoryOnly(t *testing.T) {
	cfg := config{suites: []string{memorySuite}, systems: systemNames(), concurrency: 4, warmup: time.Second, memDuration: 2 * time.Second, sessions: 8}
	res := results{suites: map[string][]row{memorySuite: {
		measured("sesh", "read", 9000, 30*time.Microsecond),
		measured("express", "read", 2000, 150*time.Microsecond),
		{system: "scs", path: "read", err: "it broke"},
		measured("bare", "read", 10000, 20*time.Microsecond),
	}}}
	out := render(cfg, machine{}, res, time.Minute)
	for _, want := range []string{
		"## Throughput and latency on in-memory stores",
		"![req/s per contestant and path in memory](chart-memory.svg)",
		"| express | read | 2,000 | 0.00 ms | 0.00 ms | 150 µs | n/a | 0.22× | 5.00× | 0.20× |",
		"| scs | read | failed: it broke |",
		"sesh ÷ bare: read **0.90×**",
		"on MongoDB: not run — n/a",
		"2s measured in memory",
		"memory: cmd/sesh-compat with no database URL",
		"**bare**: memory: cmd/bare",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"FerretDB)", "Databases:", "**limit**", "mongodbstore finds"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("memory-only report holds %q", unwanted)
		}
	}
}
