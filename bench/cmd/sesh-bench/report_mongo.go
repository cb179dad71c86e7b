package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/seshgo/sesh/bench/internal/wireproxy"
)

// renderMongo writes the MongoDB suite's tables.
func renderMongo(b *strings.Builder, rows []row) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Throughput and latency on MongoDB (FerretDB)\n\n")
	p("The load generator, the proxy, the server, FerretDB and PostgreSQL share the machine's cores, so absolute figures are lower than on separate hosts. " +
		"When the database is the bottleneck, req/s converge; the server's CPU time per request then shows what each library costs.\n\n")
	p("| System | Path | req/s | p50 | p99 | DB reads / req | DB writes / req | req/s ÷ sesh |\n")
	p("|---|---|--:|--:|--:|---|---|--:|\n")
	for _, r := range rows {
		switch {
		case r.skipped:
			p("| %s | %s | — | — | — | — | — | — |\n", r.system, r.path)
		case r.err != "" && r.res.Requests == 0:
			p("| %s | %s | failed: %s | | | | | |\n", r.system, r.path, escape(r.err))
		default:
			reads, writes := opsColumns(r)
			p("| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.system, r.path, thousands(r.res.Rate()),
				ms(r.res.P50), ms(r.res.P99), reads, writes, ratio(r.res.Rate(), rate(rows, "sesh", r.path)))
		}
	}
	p("\nsesh read ÷ limit read: **%s**\n\n", ratio(rate(rows, "sesh", "read"), rate(rows, "limit", "read")))
	if notes := rowNotes(rows); notes != "" {
		p("%s\n", notes)
	}

	p("### CPU time per request\n\n")
	p("From /proc, in 10 ms ticks, over the measured period: the contestant's process, FerretDB, sesh-bench itself " +
		"(load generator and proxy), and the whole machine, which adds PostgreSQL and anything else running.\n\n")
	p("| System | Path | server | FerretDB | load generator + proxy | whole machine | server ÷ sesh |\n")
	p("|---|---|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		if r.skipped || r.res.Requests == 0 {
			continue
		}
		p("| %s | %s | %s | %s | %s | %s | %s |\n", r.system, r.path, perRequest(r.serverCPU, r), perRequest(r.ferretCPU, r),
			perRequest(r.selfCPU, r), perRequest(r.machineCPU, r), cpuRatio(rows, r))
	}

	p("\n### Database operations per request\n\n")
	p("Counted by the proxy from the commands the servers send (handshake and monitoring commands left out), divided by the requests of the measured period. ")
	p("Expected for sesh within touchAfter: read 1 find and no write; write 1 find and 1 update; create no read and 1 update (an upsert).\n\n")
	p("%s\n", seshOpsCheck(rows))
}

// opsColumns returns the reads and writes per request of r, named.
func opsColumns(r row) (reads, writes string) {
	n := float64(r.res.Requests + r.res.Errors)
	format := func(class wireproxy.Class) string {
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(r.ops)) {
			if wireproxy.Classify(name) == class && n > 0 {
				parts = append(parts, fmt.Sprintf("%.2f %s", float64(r.ops[name])/n, name))
			}
		}
		if len(parts) == 0 {
			return "0"
		}
		return strings.Join(parts, ", ")
	}
	return format(wireproxy.Read), format(wireproxy.Write)
}

// opsSummary is the progress-log form of r's operations.
func opsSummary(r row) string {
	reads, writes := opsColumns(r)
	return "reads/req " + reads + ", writes/req " + writes
}

// rowNotes lists errors and commands that are neither reads, writes nor
// upkeep.
func rowNotes(rows []row) string {
	var b strings.Builder
	for _, r := range rows {
		if r.err != "" && r.res.Requests > 0 {
			fmt.Fprintf(&b, "- %s %s: %s\n", r.system, r.path, escape(r.err))
		}
		for _, name := range slices.Sorted(maps.Keys(r.ops)) {
			if wireproxy.Classify(name) == wireproxy.Other {
				fmt.Fprintf(&b, "- %s %s also sent %d `%s` commands.\n", r.system, r.path, r.ops[name], name)
			}
		}
	}
	return b.String()
}

// seshOpsCheck compares sesh's operations per request with the expected
// ones.
func seshOpsCheck(rows []row) string {
	want := map[string][2]float64{"read": {1, 0}, "write": {1, 1}, "create": {0, 1}}
	var b strings.Builder
	for _, path := range paths {
		r, ok := find(rows, "sesh", path)
		if !ok || r.res.Requests == 0 {
			continue
		}
		n := float64(r.res.Requests + r.res.Errors)
		var got [2]float64
		for name, c := range r.ops {
			switch wireproxy.Classify(name) {
			case wireproxy.Read:
				got[0] += float64(c) / n
			case wireproxy.Write:
				got[1] += float64(c) / n
			}
		}
		verdict := "as expected"
		if math.Abs(got[0]-want[path][0]) > 0.02 || math.Abs(got[1]-want[path][1]) > 0.02 {
			verdict = "**unexpected**"
		}
		fmt.Fprintf(&b, "- sesh %s: %.2f reads, %.2f writes per request: %s.\n", path, got[0], got[1], verdict)
	}
	return b.String()
}
