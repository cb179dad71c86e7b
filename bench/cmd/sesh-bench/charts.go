package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/seshgo/sesh/bench/internal/chart"
)

// chartName is the file name of a suite's chart, beside the report.
func chartName(suite string) string { return "chart-" + suite + ".svg" }

// chartTitles are the suites' chart titles.
var chartTitles = map[string]string{
	mongoSuite:    "MongoDB (FerretDB): requests per second",
	redisSuite:    "Redis: requests per second",
	postgresSuite: "PostgreSQL: requests per second",
	memorySuite:   "In-memory stores: requests per second",
}

// writeCharts writes the chart of each suite that ran into the report's
// directory.
func writeCharts(cfg config, res results) error {
	dir := filepath.Dir(cfg.out)
	for _, suite := range append(slices.Clone(dbSuites), memorySuite) {
		if rows := res.suites[suite]; len(rows) > 0 {
			if err := os.WriteFile(filepath.Join(dir, chartName(suite)), barChart(suite, rows).SVG(), 0o644); err != nil {
				return err
			}
		}
	}
	if len(res.growth) > 0 {
		if err := os.WriteFile(filepath.Join(dir, chartName(growthSuite)), growthChart(res.growth).SVG(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// barChart draws req/s per contestant (bars) and path (groups); a path a
// contestant does not serve, or failed, has no bar.
func barChart(suite string, rows []row) chart.Bars {
	c := chart.Bars{Title: chartTitles[suite], YLabel: "requests per second (higher is better)", Unit: "req/s", Groups: paths}
	for _, r := range rows {
		if !slices.Contains(c.Series, r.system) {
			c.Series = append(c.Series, r.system)
		}
	}
	for _, sys := range c.Series {
		vs := make([]float64, len(paths))
		for i, path := range paths {
			vs[i] = math.NaN()
			if r, ok := find(rows, sys, path); ok && r.res.Requests > 0 {
				vs[i] = r.res.Rate()
			}
		}
		c.Values = append(c.Values, vs)
	}
	return c
}

// growthChart draws the read path's p50 (solid) and p99 (dashed) latency
// per database against the stored sessions, both axes logarithmic: the
// databases' latencies are orders of magnitude apart.
func growthChart(rows []growthRow) chart.Lines {
	c := chart.Lines{Title: "sesh's read path: latency against stored sessions", XLabel: "stored sessions (log scale)",
		YLabel: "latency (ms, log scale; lower is better)", Unit: "ms", LogY: true}
	var dbs []string
	for _, r := range rows {
		if !slices.Contains(c.X, float64(r.size)) {
			c.X = append(c.X, float64(r.size))
		}
		if !slices.Contains(dbs, r.db) {
			dbs = append(dbs, r.db)
		}
	}
	slices.Sort(c.X)
	for i, db := range dbs {
		p50 := chart.Series{Name: db + " p50", Color: i}
		p99 := chart.Series{Name: db + " p99", Color: i, Dashed: true}
		for _, x := range c.X {
			v50, v99 := math.NaN(), math.NaN()
			for _, r := range rows {
				if r.db == db && float64(r.size) == x && r.res.Requests > 0 {
					v50, v99 = r.res.P50.Seconds()*1000, r.res.P99.Seconds()*1000
				}
			}
			p50.Y, p99.Y = append(p50.Y, v50), append(p99.Y, v99)
		}
		c.Series = append(c.Series, p50, p99)
	}
	return c
}
