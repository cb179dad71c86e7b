package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// render returns the report in Markdown.
func render(cfg config, m machine, res results, took time.Duration) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# sesh benchmark results\n\n")
	p("Produced by `%s` on %s, in %s.\n\n", cfg.command, m.date, took.Round(time.Second))
	p("- Machine: %s, %d cores (%s); load average (1 / 5 / 15 min) %s at the start, %s at the end.\n",
		m.cpu, m.cores, runtimeTarget(), m.loadStart, m.loadEnd)
	p("- Toolchains: Go %s, Node %s.\n", strings.TrimPrefix(m.goVersion, "go"), m.nodeVer)
	if cfg.runs(mongoSuite) {
		p("- Database: %s, behind the counting proxy.\n", m.ferret)
	}
	p("- Load: %d concurrent keep-alive clients on loopback; per path, %v warm-up, then %s. %s\n",
		cfg.concurrency, cfg.warmup, measuredTimes(cfg), storeContents(cfg))
	touch, sweeps := "sesh, Express", "no expiry sweeps"
	if cfg.runs(memorySuite) {
		touch = "sesh; Express on MongoDB, as MemoryStore has no such option"
		sweeps = "no expiry sweeps but that of sesh's memory backend, every minute (no session expires during a run)"
	}
	p("- Session settings, the same for all: resave false, saveUninitialized false, cookie maxAge 1 h, touchAfter 1 h (%s), %s.\n\n", touch, sweeps)

	if cfg.runs(mongoSuite) {
		renderMongo(&b, res.mongo)
	}
	if cfg.runs(memorySuite) {
		renderMemory(&b, res.memory)
	}
	p("## Targets (measured, not asserted)\n\n")
	targets(&b, res)
	p("\n")
	renderContestants(&b, cfg)
	if res.micro != nil {
		renderMicro(&b, res.micro)
	}
	return b.String()
}

// measuredTimes says how long each suite measures a path.
func measuredTimes(cfg config) string {
	var parts []string
	if cfg.runs(mongoSuite) {
		parts = append(parts, fmt.Sprintf("%v measured on MongoDB", cfg.duration))
	}
	if cfg.runs(memorySuite) {
		parts = append(parts, fmt.Sprintf("%v measured in memory", cfg.memDuration))
	}
	return strings.Join(parts, " and ")
}

// storeContents says what the contestants' stores hold in each suite.
func storeContents(cfg config) string {
	var parts []string
	if cfg.runs(mongoSuite) {
		parts = append(parts, fmt.Sprintf("On MongoDB, each contestant's collection holds %d filler sessions plus %d live ones that the read and write paths cycle through.",
			cfg.seed, cfg.sessions))
	}
	if cfg.runs(memorySuite) {
		parts = append(parts, fmt.Sprintf("In memory, each store holds only the %d live sessions, created over HTTP before measuring.", cfg.sessions))
	}
	return strings.Join(parts, " ")
}

// renderContestants describes the contestants of the suites that ran.
func renderContestants(b *strings.Builder, cfg config) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Contestants\n\n")
	for _, s := range systems {
		if !slices.Contains(cfg.systems, s.name) {
			continue
		}
		var parts []string
		if cfg.runs(mongoSuite) {
			parts = append(parts, s.about)
		}
		if cfg.runs(memorySuite) && s.memoryAbout != "" {
			parts = append(parts, "in memory, "+s.memoryAbout)
		}
		if len(parts) > 0 {
			p("- **%s**: %s.\n", s.name, strings.Join(parts, "; "))
		}
	}
	p("- Paths: read is `GET /get` with an existing session's cookie (the handler reads the session; nothing changes); " +
		"write is `GET /set?k=n&v=<counter>` on an existing session; create is the same without a cookie.\n")
	if cfg.runs(mongoSuite) {
		p("- mongodbstore finds sessions by a `token` field and creates no index for it; the harness creates a unique index so that scs is measured at its best. " +
			"scs runs on mongo-driver v1.17, the others' Go programs on v2.\n")
	}
	if cfg.runs(memorySuite) {
		p("- express-session touches an unmodified session at the end of each request. connect-mongo skips that write within touchAfter; " +
			"MemoryStore has no such option, so on the in-memory read path Express parses the stored session a second time and re-serializes it. " +
			"sesh skips the touch within touchAfter on either backend; scs saves modified sessions only.\n")
	}
	p("\n")
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
