package main

import (
	"fmt"
	"runtime"
	"strings"
)

// suiteLabels name the suites in the targets.
var suiteLabels = map[string]string{
	mongoSuite:    "on MongoDB",
	redisSuite:    "on Redis",
	postgresSuite: "on PostgreSQL",
	memorySuite:   "on in-memory stores",
}

// targets writes each of sesh's performance targets with what was
// measured and whether it was met.
func targets(b *strings.Builder, res results) {
	line := func(name, measured string, met, known bool) {
		verdict := "n/a"
		switch {
		case known && met:
			verdict = "met"
		case known:
			verdict = "**missed**"
		}
		fmt.Fprintf(b, "- %s: %s — %s\n", name, measured, verdict)
	}
	// ran returns measured, or "not run" if rows are empty.
	ran := func(rows []row, measured string) string {
		if len(rows) == 0 {
			return "not run"
		}
		return measured
	}
	for _, suite := range dbSuites {
		rows := res.suites[suite]
		s, l := rate(rows, "sesh", "read"), rate(rows, "limit", "read")
		line("sesh read ≥ 0.9× the limit "+suiteLabels[suite], ran(rows, ratio(s, l)), s >= 0.9*l, s > 0 && l > 0)
	}
	// The 4× target, in each suite: where the database bounds every
	// contestant's req/s the server's CPU per request tells the libraries
	// apart.
	for _, suite := range []string{redisSuite, mongoSuite, postgresSuite, memorySuite} {
		rows := res.suites[suite]
		s, e := rate(rows, "sesh", "read"), rate(rows, "express", "read")
		measured := ratio(s, e)
		if r, ok := find(rows, "express", "read"); ok {
			measured += " (server CPU per request: Express's is " + cpuRatio(rows, r) + " sesh's)"
		}
		line("sesh read ≥ 4× Express "+suiteLabels[suite], ran(rows, measured), s >= 4*e, s > 0 && e > 0)
	}
	for _, suite := range dbSuites {
		rows := res.suites[suite]
		var parts []string
		ahead, known := true, true
		for _, path := range paths {
			s, c := rate(rows, "sesh", path), rate(rows, "scs", path)
			parts = append(parts, path+" "+ratio(s, c))
			ahead = ahead && s > c
			known = known && s > 0 && c > 0
		}
		line("sesh ahead of scs on every path "+suiteLabels[suite], ran(rows, strings.Join(parts, ", ")), ahead, known)
	}
	mem := res.suites[memorySuite]
	s, f := rate(mem, "sesh", "read"), rate(mem, "bare", "read")
	line("sesh read ≥ 0.85× bare net/http, in memory", ran(mem, ratio(s, f)+" (server CPU per request, sesh − bare: "+cpuDelta(mem, "read")+")"), s >= 0.85*f, s > 0 && f > 0)

	mic := res.micro
	if mic == nil || mic.err != nil {
		line("middleware overhead below scs's, allocations no higher (memory stores)", "not run", false, false)
		return
	}
	var parts []string
	ahead, known := true, true
	for _, path := range paths {
		s, ok1 := mic.middleware(path, "sesh")
		c, ok2 := mic.middleware(path, "scs")
		if !ok1 || !ok2 {
			known = false
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.2f µs / %.0f allocs vs %.2f µs / %.0f allocs",
			path, s["ns/op"]/1000, s["allocs/op"], c["ns/op"]/1000, c["allocs/op"]))
		ahead = ahead && s["ns/op"] < c["ns/op"] && s["allocs/op"] <= c["allocs/op"]
	}
	line("middleware overhead below scs's, allocations no higher (memory stores; sesh vs scs)", strings.Join(parts, "; "), ahead, known)
}

func runtimeTarget() string { return runtime.GOOS + "/" + runtime.GOARCH }
