package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/seshgo/sesh/bench/internal/ops"
)

// dbSuiteText is what the report says of each database suite.
var dbSuiteText = map[string]struct {
	title, db, counting string
}{
	mongoSuite: {
		"MongoDB (FerretDB)", "FerretDB + PostgreSQL",
		"Counted by the proxy from the commands the servers send (handshake and monitoring commands left out).",
	},
	redisSuite: {
		"Redis (a private redis-server)", "redis-server",
		"Counted from the server's `INFO commandstats`, read before and after each measured window: only the contestant being measured sends commands meanwhile (each has a logical database of its own, and no other program uses the server), so every command counted is its own (the harness's `INFO` left out as upkeep). Commands, not round trips: sesh's GET and PTTL travel in one pipeline.",
	},
	postgresSuite: {
		"PostgreSQL (a private server)", "PostgreSQL",
		"Counted from `pg_stat_statements` (the private server loads it), read before and after each measured window, for the contestant's own database only: the harness's queries run in another. Statements, whatever their round trips.",
	},
}

// renderDB writes a database suite's tables.
func renderDB(b *strings.Builder, suite string, rows []row) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	text := dbSuiteText[suite]
	p("## Throughput and latency on %s\n\n", text.title)
	p("![req/s per contestant and path on %s](%s)\n\n", text.title, chartName(suite))
	p("The load generator, the server and the database share the machine's cores, so absolute figures are lower than on separate hosts. " +
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
	p("From /proc, in 10 ms ticks, over the measured windows: the contestant's process, the database's processes (%s), sesh-bench itself "+
		"(load generator, and the proxy on MongoDB), and the whole machine, which adds anything else running.\n\n", text.db)
	p("| System | Path | server | database | load generator | whole machine | server ÷ sesh |\n")
	p("|---|---|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		if r.skipped || r.res.Requests == 0 {
			continue
		}
		p("| %s | %s | %s | %s | %s | %s | %s |\n", r.system, r.path, perRequest(r.serverCPU, r), perRequest(r.dbCPU, r),
			perRequest(r.selfCPU, r), perRequest(r.machineCPU, r), cpuRatio(rows, r))
	}

	p("\n### Database operations per request\n\n")
	p("%s Divided by the requests measured, and compared with what each store is expected to do (within touchAfter for sesh, and for Express on MongoDB).\n\n", text.counting)
	p("| System | Path | reads / req | writes / req | expected | |\n")
	p("|---|---|--:|--:|---|---|\n")
	for _, r := range rows {
		if r.skipped || r.res.Requests == 0 {
			continue
		}
		reads, writes := opsTotals(r)
		want, ok := expectedOps[suite][r.system][r.path]
		verdict, expected := "", "—"
		if ok {
			expected = fmt.Sprintf("%g + %g: %s", want.reads, want.writes, want.what)
			verdict = "as expected"
			if math.Abs(reads-want.reads) > 0.02 || math.Abs(writes-want.writes) > 0.02 {
				verdict = "**unexpected**"
			}
		}
		p("| %s | %s | %.2f | %.2f | %s | %s |\n", r.system, r.path, reads, writes, expected, verdict)
	}
	p("\n")
	if suite == postgresSuite {
		renderStatements(b, rows)
	}
}

// renderStatements lists the statements each contestant ran per request,
// as pg_stat_statements normalised them.
func renderStatements(b *strings.Builder, rows []row) {
	fmt.Fprintf(b, "<details><summary>The statements, per request</summary>\n\n")
	for _, r := range rows {
		if r.skipped || r.res.Requests == 0 {
			continue
		}
		n := float64(r.res.Requests + r.res.Errors)
		fmt.Fprintf(b, "- %s %s:\n", r.system, r.path)
		for _, q := range slices.Sorted(maps.Keys(r.ops)) {
			if _, class := r.classify(q); class == ops.Upkeep {
				continue
			}
			fmt.Fprintf(b, "  - %.2f × `%s`\n", float64(r.ops[q])/n, strings.Join(strings.Fields(q), " "))
		}
	}
	fmt.Fprintf(b, "\n</details>\n\n")
}

// opsTotals returns the reads and writes per request of r.
func opsTotals(r row) (reads, writes float64) {
	n := float64(r.res.Requests + r.res.Errors)
	if n == 0 || r.classify == nil {
		return 0, 0
	}
	for key, c := range r.ops {
		switch _, class := r.classify(key); class {
		case ops.Read:
			reads += float64(c) / n
		case ops.Write:
			writes += float64(c) / n
		}
	}
	return reads, writes
}

// opsColumns returns the reads and writes per request of r, by name.
func opsColumns(r row) (reads, writes string) {
	n := float64(r.res.Requests + r.res.Errors)
	perName := map[ops.Class]map[string]int64{ops.Read: {}, ops.Write: {}}
	if r.classify != nil {
		for key, c := range r.ops {
			name, class := r.classify(key)
			if m, ok := perName[class]; ok {
				m[name] += c
			}
		}
	}
	format := func(class ops.Class) string {
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(perName[class])) {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%.2f %s", float64(perName[class][name])/n, name))
			}
		}
		if len(parts) == 0 {
			return "0"
		}
		return strings.Join(parts, ", ")
	}
	return format(ops.Read), format(ops.Write)
}

// opsSummary is the progress-log form of r's operations.
func opsSummary(r row) string {
	reads, writes := opsColumns(r)
	return "reads/req " + reads + ", writes/req " + writes
}

// rowNotes lists errors and operations that are neither reads, writes nor
// upkeep.
func rowNotes(rows []row) string {
	var b strings.Builder
	for _, r := range rows {
		if r.err != "" && r.res.Requests > 0 {
			fmt.Fprintf(&b, "- %s %s: %s\n", r.system, r.path, escape(r.err))
		}
		if r.classify == nil {
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(r.ops)) {
			if name, class := r.classify(key); class == ops.Other {
				fmt.Fprintf(&b, "- %s %s also ran %d `%s`.\n", r.system, r.path, r.ops[key], name)
			}
		}
	}
	return b.String()
}
