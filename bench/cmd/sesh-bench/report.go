package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/seshgo/sesh/bench/internal/wireproxy"
)

// render returns the report in Markdown.
func render(cfg config, m machine, rows []row, mic *microResults, took time.Duration) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# sesh benchmark results\n\n")
	p("Produced by `%s` on %s, in %s.\n\n", cfg.command, m.date, took.Round(time.Second))
	p("- Machine: %s, %d cores (%s); load average (1 / 5 / 15 min) %s at the start, %s at the end.\n",
		m.cpu, m.cores, runtimeTarget(), m.loadStart, m.loadEnd)
	p("- Toolchains: Go %s, Node %s.\n", strings.TrimPrefix(m.goVersion, "go"), m.nodeVer)
	p("- Database: %s, behind the counting proxy.\n", m.ferret)
	p("- Load: %d concurrent keep-alive clients on loopback; %v warm-up, then %v measured, per path. "+
		"Each contestant's collection holds %d filler sessions plus %d live ones that the read and write paths cycle through.\n",
		cfg.concurrency, cfg.warmup, cfg.duration, cfg.seed, cfg.sessions)
	p("- Session settings, the same for all: resave false, saveUninitialized false, cookie maxAge 1 h, touchAfter 1 h (sesh, Express), no expiry sweeps.\n\n")
	p("The load generator, the proxy, the server, FerretDB and PostgreSQL share the machine's cores, so absolute figures are lower than on separate hosts. " +
		"When the database is the bottleneck, req/s converge; the server's CPU time per request then shows what each library costs.\n\n")

	p("## Throughput and latency on MongoDB (FerretDB)\n\n")
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
	p("\n")

	p("### Targets (measured, not asserted)\n\n")
	targets(&b, rows, mic)

	p("\n### Database operations per request\n\n")
	p("Counted by the proxy from the commands the servers send (handshake and monitoring commands left out), divided by the requests of the measured period. ")
	p("Expected for sesh within touchAfter: read 1 find and no write; write 1 find and 1 update; create no read and 1 update (an upsert).\n\n")
	p("%s\n", seshOpsCheck(rows))

	p("### Contestants\n\n")
	for _, s := range systems {
		if slices.Contains(cfg.systems, s.name) {
			p("- **%s**: %s.\n", s.name, s.about)
		}
	}
	p("- Paths: read is `GET /get` with an existing session's cookie (the handler reads the session; nothing changes); " +
		"write is `GET /set?k=n&v=<counter>` on an existing session; create is the same without a cookie.\n")
	p("- mongodbstore finds sessions by a `token` field and creates no index for it; the harness creates a unique index so that scs is measured at its best. " +
		"scs runs on mongo-driver v1.17, the others' Go programs on v2.\n\n")

	if mic != nil {
		renderMicro(&b, mic)
	}
	return b.String()
}

func renderMicro(b *strings.Builder, mic *microResults) {
	fmt.Fprintf(b, "## Micro-benchmarks\n\n")
	if mic.err != nil {
		fmt.Fprintf(b, "Failed: %s\n", escape(mic.err.Error()))
		return
	}
	fmt.Fprintf(b, "`cd bench && %s`, summarised by `go tool benchstat` (medians, ±95%% confidence interval). "+
		"gorilla-cookie keeps the session in the signed cookie (CookieStore); gorilla-fs in a file of a temporary directory (FilesystemStore); "+
		"gorilla has no middleware, so its handler calls Get and Save itself.\n\n", mic.command)
	for _, t := range mic.tables {
		fmt.Fprintf(b, "### %s\n\n```\n%s```\n\n", t.title, t.text)
	}
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

func find(rows []row, system, path string) (row, bool) {
	for _, r := range rows {
		if r.system == system && r.path == path && !r.skipped && r.err == "" {
			return r, true
		}
	}
	return row{}, false
}

// rate returns the req/s of system on path, or 0 if it did not run.
func rate(rows []row, system, path string) float64 {
	r, _ := find(rows, system, path)
	return r.res.Rate()
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// cpuRatio returns r's server CPU per request over sesh's on r's path.
func cpuRatio(rows []row, r row) string {
	s, ok := find(rows, "sesh", r.path)
	if !ok || s.serverCPU <= 0 || r.serverCPU < 0 {
		return "n/a"
	}
	per := func(x row) float64 { return x.serverCPU.Seconds() / float64(x.res.Requests+x.res.Errors) }
	return fmt.Sprintf("%.2f×", per(r)/per(s))
}

// perRequest returns CPU time d divided by r's requests, in µs.
func perRequest(d time.Duration, r row) string {
	n := r.res.Requests + r.res.Errors
	if d < 0 || n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f µs", d.Seconds()*1e6/float64(n))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", d.Seconds()*1000) }

// thousands formats v rounded, with a comma every three digits.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func escape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
