package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seshgo/sesh/bench/internal/load"
)

func TestParseSuites(t *testing.T) {
	c, err := parseFlags([]string{"-suites", "memory", "-memory-duration", "1s"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.suites, []string{"memory"}) || c.runs(mongoSuite) || !c.runs(memorySuite) || c.memDuration != time.Second {
		t.Errorf("suites %q, memory duration %v", c.suites, c.memDuration)
	}
	if c, _ := parseFlags(nil); !c.runs(mongoSuite) || !c.runs(memorySuite) {
		t.Errorf("default suites %q, want both", c.suites)
	}
	if _, err := parseFlags([]string{"-suites", "mongo,redis"}); err == nil || !strings.Contains(err.Error(), `"redis"`) {
		t.Errorf("unknown suite: %v", err)
	}
}

// measured returns a successful row of n requests in one second, with
// cpu of server CPU time per request.
func measured(system, path string, n int, cpu time.Duration) row {
	return row{
		system: system, path: path,
		res:       load.Result{Requests: n, Elapsed: time.Second},
		serverCPU: time.Duration(n) * cpu,
		ferretCPU: -1, selfCPU: -1, machineCPU: -1,
	}
}

func TestTargetsPerSuite(t *testing.T) {
	res := results{
		mongo:  []row{measured("sesh", "read", 1200, 170*time.Microsecond), measured("express", "read", 1000, 450*time.Microsecond)},
		memory: []row{measured("sesh", "read", 9000, 30*time.Microsecond), measured("express", "read", 2000, 150*time.Microsecond)},
	}
	var b strings.Builder
	targets(&b, res)
	for _, want := range []string{
		"- sesh read ≥ 4× Express, on MongoDB (database-bound): 1.20× (server CPU per request: Express's is 2.65× sesh's) — **missed**\n",
		"- sesh read ≥ 4× Express, on in-memory stores (library-bound): 4.50× (server CPU per request: Express's is 5.00× sesh's) — met\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("targets lack %q:\n%s", want, b.String())
		}
	}
}

func TestRenderMemoryOnly(t *testing.T) {
	cfg := config{suites: []string{memorySuite}, systems: systemNames(), concurrency: 4, warmup: time.Second, memDuration: 2 * time.Second, sessions: 8}
	res := results{memory: []row{
		measured("sesh", "read", 9000, 30*time.Microsecond),
		measured("express", "read", 2000, 150*time.Microsecond),
		{system: "scs", path: "read", err: "it broke"},
	}}
	out := render(cfg, machine{}, res, time.Minute)
	for _, want := range []string{
		"## Throughput and latency on in-memory stores",
		"| express | read | 2,000 | 0.00 ms | 0.00 ms | 150 µs | n/a | 0.22× | 5.00× |",
		"| scs | read | failed: it broke |",
		"on MongoDB (database-bound): not run — n/a",
		"2s measured in memory",
		"in memory, cmd/sesh-compat with no MONGODB_URI",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"FerretDB)", "Database:", "**limit**", "mongodbstore finds"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("memory-only report holds %q", unwanted)
		}
	}
}
