package main

import (
	"fmt"
	"strings"
)

// renderMemory writes the in-memory suite's table.
func renderMemory(b *strings.Builder, rows []row) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Throughput and latency on in-memory stores\n\n")
	p("The same requests over HTTP, with each library's own in-memory store and no database involved, so that the libraries' costs decide the throughput. " +
		"The load generator still shares the machine's cores with the server, and Express runs its JavaScript on one thread while the Go servers use every core, " +
		"so req/s also reflects how the cores are shared; the server's CPU time per request (from /proc, in 10 ms ticks, over the measured period) is each library's own cost.\n\n")
	p("| System | Path | req/s | p50 | p99 | server CPU / req | load generator CPU / req | req/s ÷ sesh | server CPU ÷ sesh |\n")
	p("|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		if r.err != "" && r.res.Requests == 0 {
			p("| %s | %s | failed: %s | | | | | | |\n", r.system, r.path, escape(r.err))
			continue
		}
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.system, r.path, thousands(r.res.Rate()),
			ms(r.res.P50), ms(r.res.P99), perRequest(r.serverCPU, r), perRequest(r.selfCPU, r),
			ratio(r.res.Rate(), rate(rows, "sesh", r.path)), cpuRatio(rows, r))
	}
	p("\n")
	if notes := rowNotes(rows); notes != "" {
		p("%s\n", notes)
	}
}
