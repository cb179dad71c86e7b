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
	if len(res.loads) > 0 {
		var parts []string
		for _, l := range res.loads {
			parts = append(parts, l.suite+" "+l.load)
		}
		p("- Load average when each suite started: %s.\n", strings.Join(parts, "; "))
	}
	p("- Toolchains: Go %s, Node %s.\n", strings.TrimPrefix(m.goVersion, "go"), m.nodeVer)
	if dbs := databases(cfg, m); dbs != "" {
		p("- Databases: %s.\n", dbs)
	}
	if cfg.runsAny(dbSuites...) || cfg.runs(memorySuite) {
		p("- Load: %d concurrent keep-alive clients on loopback. All the contestants of a suite run at once, idle but for the one measured; "+
			"per path, each gets a %v warm-up, then %s, in %d windows that the contestants take in turn (the order rotating from one round to the next), "+
			"so that a change in the machine's load falls on all alike. %s\n",
			cfg.concurrency, cfg.warmup, measuredTimes(cfg), cfg.rounds, storeContents(cfg))
		p("- Session settings, the same for all: resave false, saveUninitialized false, cookie maxAge 1 h, touchAfter 1 h (sesh everywhere; Express on MongoDB: " +
			"connect-redis, connect-pg-simple and MemoryStore have no such option, so Express touches on every read there), no expiry sweeps " +
			"(but that of sesh's memory backend, every minute: no session expires during a run), scs with IdleTimeout 0 (its default: unmodified sessions are not written).\n")
	}
	p("\n")
	for _, n := range res.notes {
		p("> %s\n>\n", escape(n))
	}
	if len(res.notes) > 0 {
		p("\n")
	}

	for _, suite := range dbSuites {
		if cfg.runs(suite) {
			renderDB(&b, suite, res.suites[suite])
		}
	}
	if cfg.runs(memorySuite) {
		renderMemory(&b, res.suites[memorySuite])
	}
	if cfg.runs(growthSuite) {
		renderGrowth(&b, cfg, res.growth)
	}
	if cfg.runs(footprintSuite) {
		renderFootprint(&b, res.footprint)
	}
	if len(res.listing) > 0 {
		renderListing(&b, cfg, res.listing)
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

// databases describes the database servers of the suites that ran.
func databases(cfg config, m machine) string {
	var parts []string
	if m.ferret != "" {
		parts = append(parts, "MongoDB: "+m.ferret+", behind the counting proxy")
	}
	if cfg.runs(redisSuite) || (cfg.runs(growthSuite) && slices.Contains(cfg.growthDBs, redisSuite)) {
		parts = append(parts, "Redis: a private redis-server ("+m.redisVer+") started by the harness, no persistence")
	}
	if cfg.runs(postgresSuite) || m.ferret != "" || (cfg.runs(growthSuite) && slices.Contains(cfg.growthDBs, postgresSuite)) {
		parts = append(parts, "PostgreSQL: a private "+m.pgVer+" cluster started by the harness (initdb; pg_stat_statements loaded, shared_buffers 512 MB, TimeZone UTC, "+
			"durability settings left at their defaults), each contestant in a database of its own")
	}
	return strings.Join(parts, "; ")
}

// measuredTimes says how long each suite measures a path.
func measuredTimes(cfg config) string {
	var parts []string
	if cfg.runsAny(dbSuites...) {
		parts = append(parts, fmt.Sprintf("%v measured per contestant on the databases", cfg.duration))
	}
	if cfg.runs(memorySuite) {
		parts = append(parts, fmt.Sprintf("%v measured in memory", cfg.memDuration))
	}
	return strings.Join(parts, " and ")
}

// storeContents says what the contestants' stores hold in each suite.
func storeContents(cfg config) string {
	var parts []string
	if cfg.runsAny(dbSuites...) {
		parts = append(parts, fmt.Sprintf("On each database, each contestant's store holds %d filler sessions plus %d live ones that the read and write paths cycle through.",
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
		for _, suite := range suiteNames {
			if about, ok := s.about[suite]; ok && cfg.runs(suite) {
				parts = append(parts, suite+": "+about)
			}
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
	if cfg.runs(postgresSuite) {
		p("- PostgreSQL tables: sesh and the limit use the table backend/postgres's CreateTable makes (connect-pg-simple's columns plus owner and created), "+
			"Express connect-pg-simple's table.sql verbatim, scs the schema its README gives (token, data bytea, expiry timestamptz). "+
			"The Go contestants' pgx pools hold %d connections (pool_max_conns), node-postgres's default pool size.\n", goPoolSize)
	}
	if cfg.runs(redisSuite) {
		p("- Redis clients with their defaults: go-redis pools connections (sesh, scs, the limit); node-redis multiplexes one connection (Express).\n")
	}
	if cfg.runsAny(redisSuite, postgresSuite, memorySuite) {
		p("- express-session touches an unmodified session at the end of each request. connect-mongo skips that write within touchAfter; " +
			"connect-redis, connect-pg-simple and MemoryStore have no such option, so Express's read path writes too (EXPIRE, UPDATE; MemoryStore parses and re-serializes the session). " +
			"sesh skips the touch within touchAfter on every backend; scs saves modified sessions only.\n")
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
