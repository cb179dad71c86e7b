package chart

import (
	"math"
)

// Bars is a grouped bar chart: for each group (a path) one bar per series
// (a contestant), all on one axis from zero.
type Bars struct {
	Title  string
	YLabel string // the axis label, with its unit
	Unit   string // after each value in the marks' titles
	Groups []string
	Series []string
	// Values[s][g] is series s in group g; NaN draws no bar (the limit has
	// no write path).
	Values [][]float64
}

// SVG draws the chart.
func (c Bars) SVG() []byte {
	var s svg
	s.open(c.Title)
	max := 0.0
	for _, vs := range c.Values {
		for _, v := range vs {
			if !math.IsNaN(v) {
				max = math.Max(max, v)
			}
		}
	}
	top, step := scale(max)
	s.yAxis(top, step, c.YLabel, Compact)
	entries := make([]legendEntry, len(c.Series))
	for i, name := range c.Series {
		entries[i] = legendEntry{name: name, color: color(i)}
	}
	s.legend(entries)

	groupWidth := float64(plotWidth) / float64(max1(len(c.Groups)))
	barWidth := groupWidth * 0.8 / float64(max1(len(c.Series)))
	for g, group := range c.Groups {
		left := plotLeft + float64(g)*groupWidth + groupWidth*0.1
		s.f(`<text x="%.2f" y="%d" text-anchor="middle" font-size="13">%s</text>`+"\n", left+groupWidth*0.4, plotBottom+20, esc(group))
		for i, series := range c.Series {
			if g >= len(c.Values[i]) || math.IsNaN(c.Values[i][g]) {
				continue
			}
			v := c.Values[i][g]
			x, y := left+float64(i)*barWidth, yPos(v, top)
			s.f(`<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s" data-series="%s" data-group="%s" data-value="%g"><title>%s, %s: %s %s</title></rect>`+"\n",
				x+1, y, barWidth-2, plotBottom-y, color(i), esc(series), esc(group), v, esc(series), esc(group), esc(Compact(v)), esc(c.Unit))
			s.f(`<text x="%.2f" y="%.2f" text-anchor="middle" font-size="10">%s</text>`+"\n", x+barWidth/2, y-4, esc(Compact(v)))
		}
	}
	return s.close()
}

func max1(n int) int { return max(n, 1) }
