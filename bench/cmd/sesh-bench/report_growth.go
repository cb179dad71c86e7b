package main

import (
	"fmt"
	"strings"
	"time"
)

// renderGrowth writes the growth suite's table.
func renderGrowth(b *strings.Builder, cfg config, rows []growthRow) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## How the read path's cost grows with the stored sessions\n\n")
	p("![read latency against stored sessions](%s)\n\n", chartName(growthSuite))
	p("sesh (cmd/sesh-compat) on each database, on the read path only, as the store grows: seeded in bulk (Redis: pipelines of `SET … EX`; "+
		"PostgreSQL: `COPY` into CreateTable's table; MongoDB: `insertMany` through FerretDB's PostgreSQL handler) with sessions in the Express stores' layout, "+
		"then %d sessions drawn at random from all those stored are read by %d clients for %v after a %v warm-up. "+
		"Flat is the goal: each read is one primary-key lookup, whatever the store holds. CPU from /proc, per request.\n\n",
		cfg.sessions, cfg.concurrency, cfg.growthDuration, cfg.warmup)
	p("| Database | Stored sessions | req/s | p50 | p99 | server CPU / req | database CPU / req | DB reads / req | seeded in | req/s ÷ smallest |\n")
	p("|---|--:|--:|--:|--:|--:|--:|---|--:|--:|\n")
	first := map[string]float64{}
	for _, r := range rows {
		if r.res.Requests == 0 {
			p("| %s | %s | %s | | | | | | | |\n", r.db, thousands(float64(r.size)), escape(r.err))
			continue
		}
		if _, ok := first[r.db]; !ok {
			first[r.db] = r.res.Rate()
		}
		asRow := row{res: r.res, ops: r.ops, classify: r.classify}
		reads, _ := opsColumns(asRow)
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.db, thousands(float64(r.size)), thousands(r.res.Rate()),
			ms(r.res.P50), ms(r.res.P99), perRequest(r.serverCPU, asRow), perRequest(r.dbCPU, asRow), reads,
			r.seeded.Round(time.Second), ratio(r.res.Rate(), first[r.db]))
	}
	p("\n")
	for _, r := range rows {
		if r.err != "" && r.res.Requests > 0 {
			p("- %s at %s: %s\n", r.db, thousands(float64(r.size)), escape(r.err))
		}
	}
}

// renderFootprint writes the footprint suite's table.
func renderFootprint(b *strings.Builder, rows []footRow) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Memory per stored session\n\n")
	p("Each library creates the sessions through its own middleware, in a process of its own (cmd/memsize), each session holding `user=u<i>` with a one-hour cookie; " +
		"the growth of the live heap (runtime.MemStats.HeapAlloc after garbage collection) divided by the sessions. " +
		"sesh: backend/memory with no bound and no sweeper, holding express-session's JSON; scs: memstore, holding its gob encoding.\n\n")
	p("| Library | Sessions | bytes / session | live heap | created in |\n")
	p("|---|--:|--:|--:|--:|\n")
	for _, r := range rows {
		if r.err != "" {
			p("| %s | %s | failed: %s | | |\n", r.Lib, thousands(float64(r.Sessions)), escape(r.err))
			continue
		}
		p("| %s | %s | %.0f | %s | %.1f s |\n", r.Lib, thousands(float64(r.Sessions)), r.BytesPerSession, mib(r.HeapAfter), r.Seconds)
	}
	p("\n")
}

// renderListing writes the listing and counting table.
func renderListing(b *strings.Builder, cfg config, rows []listRow) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Listing and counting a large store\n\n")
	p("Through the backends' Go APIs (cmd/listing, a process of its own, owner index on): the largest store of the growth suite on each database "+
		"(and, for the memory backend, one it fills itself), plus %s sessions of one owner added through Create. "+
		"`Len` counts, `All` streams every session, `Owned` that owner's. Heap before is the live heap after a collection just before the call. "+
		"`All` and `Owned` run twice: timed, sampling the heap's objects (live and not yet swept, without stopping the world) every 10,000 records: peak objects; "+
		"then untimed, collecting garbage every 100,000 records (and once midway for shorter listings) to measure the live heap: peak live. "+
		"Held is peak live minus heap before, what the iteration keeps in memory: flat means it stays small however many records go by.\n\n", thousands(float64(cfg.owned)))
	p("| Backend | Stored | Operation | records | time | per record | heap before | peak objects | peak live | held |\n")
	p("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		stored := thousands(float64(r.seeded + cfg.owned))
		op := map[string]string{"len": "Len", "all": "All", "owned": "Owned"}[r.Op]
		if r.Unsupported != "" {
			p("| %s | %s | %s | %s | %s | | | | | declined or failed: %s |\n", r.Backend, stored, op, thousands(float64(r.Records)), seconds(r.Seconds), escape(r.Unsupported))
			continue
		}
		if r.Op == "len" {
			p("| %s | %s | Len | %s | %s | | | | | |\n", r.Backend, stored, thousands(float64(r.Records)), seconds(r.Seconds))
			continue
		}
		perRecord := "n/a"
		if r.Records > 0 {
			perRecord = fmt.Sprintf("%.2f µs", r.Seconds*1e6/float64(r.Records))
		}
		errs := ""
		if r.Errors > 0 {
			errs = fmt.Sprintf(" (%d errors)", r.Errors)
		}
		p("| %s | %s | %s | %s%s | %s | %s | %s | %s | %s | %s |\n", r.Backend, stored, op, thousands(float64(r.Records)), errs,
			seconds(r.Seconds), perRecord, mib(r.HeapBefore), mib(r.HeapPeak), mib(r.LivePeak), mibDelta(r.LivePeak, r.HeapBefore))
	}
	p("\n")
}

func seconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0f ms", s*1000)
	}
	return fmt.Sprintf("%.2f s", s)
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func mibDelta(a, b uint64) string { return fmt.Sprintf("%+.1f MiB", (float64(a)-float64(b))/(1<<20)) }
