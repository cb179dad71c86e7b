package main

import (
	"fmt"
	"strings"
)

// renderMemory writes the in-memory suite's table.
func renderMemory(b *strings.Builder, rows []row) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Throughput and latency on in-memory stores\n\n")
	p("![req/s per contestant and path in memory](%s)\n\n", chartName(memorySuite))
	p("The same requests over HTTP, with each library's own in-memory store and no database involved, so that the libraries' costs decide the throughput. " +
		"bare answers the same routes with bodies of the same shape and does no session work: it is the floor of a Go server on this machine. " +
		"The load generator still shares the machine's cores with the server, and Express runs its JavaScript on one thread while the Go servers use every core, " +
		"so req/s also reflects how the cores are shared; the server's CPU time per request (from /proc, in 10 ms ticks, over the measured windows) is each library's own cost.\n\n")
	p("| System | Path | req/s | p50 | p99 | server CPU / req | load generator CPU / req | req/s ÷ sesh | server CPU ÷ sesh | req/s ÷ bare |\n")
	p("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		if r.err != "" && r.res.Requests == 0 {
			p("| %s | %s | failed: %s | | | | | | | |\n", r.system, r.path, escape(r.err))
			continue
		}
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.system, r.path, thousands(r.res.Rate()),
			ms(r.res.P50), ms(r.res.P99), perRequest(r.serverCPU, r), perRequest(r.selfCPU, r),
			ratio(r.res.Rate(), rate(rows, "sesh", r.path)), cpuRatio(rows, r), ratio(r.res.Rate(), rate(rows, "bare", r.path)))
	}
	p("\nsesh ÷ bare: read **%s**, write %s, create %s (req/s); server CPU per request, sesh − bare: read %s, write %s, create %s.\n\n",
		ratio(rate(rows, "sesh", "read"), rate(rows, "bare", "read")),
		ratio(rate(rows, "sesh", "write"), rate(rows, "bare", "write")),
		ratio(rate(rows, "sesh", "create"), rate(rows, "bare", "create")),
		cpuDelta(rows, "read"), cpuDelta(rows, "write"), cpuDelta(rows, "create"))
	if notes := rowNotes(rows); notes != "" {
		p("%s\n", notes)
	}
}

// cpuDelta returns sesh's server CPU per request minus bare's on path: what
// the session layer costs.
func cpuDelta(rows []row, path string) string {
	s, ok1 := find(rows, "sesh", path)
	b, ok2 := find(rows, "bare", path)
	if !ok1 || !ok2 || s.serverCPU < 0 || b.serverCPU < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f µs", (perReq(s)-perReq(b))*1e6)
}

// perReq returns r's server CPU seconds per request.
func perReq(r row) float64 {
	n := r.res.Requests + r.res.Errors
	if n == 0 {
		return 0
	}
	return r.serverCPU.Seconds() / float64(n)
}
