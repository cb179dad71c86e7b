package chart

import (
	"fmt"
	"math"
	"strings"
)

// Lines is a line chart over a logarithmic x axis, from zero on the y
// axis: one line per series, a marker at each point.
type Lines struct {
	Title  string
	XLabel string
	YLabel string // with its unit
	Unit   string // after each value in the markers' titles
	// X are the points' positions, positive and ascending, shared by the
	// series; each is a tick, labelled with Compact.
	X      []float64
	Series []Series
}

// Series is one line. Lines of the same Color index share a colour;
// Dashed ones are drawn dashed (p99 beside a solid p50).
type Series struct {
	Name   string
	Color  int
	Dashed bool
	// Y[i] is the value at X[i]; NaN leaves the point out and breaks the
	// line.
	Y []float64
}

// SVG draws the chart.
func (c Lines) SVG() []byte {
	var s svg
	s.open(c.Title)
	max := 0.0
	for _, sr := range c.Series {
		for _, v := range sr.Y {
			if !math.IsNaN(v) {
				max = math.Max(max, v)
			}
		}
	}
	top, step := scale(max)
	s.yAxis(top, step, c.YLabel, Compact)
	for _, x := range c.X {
		px := c.xPos(x)
		s.f(`<line x1="%.2f" y1="%d" x2="%.2f" y2="%d" stroke="#333333"/>`+"\n", px, plotBottom, px, plotBottom+5)
		s.f(`<text x="%.2f" y="%d" text-anchor="middle">%s</text>`+"\n", px, plotBottom+20, esc(Compact(x)))
	}
	s.f(`<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", plotLeft+plotWidth/2, height-16, esc(c.XLabel))

	entries := make([]legendEntry, len(c.Series))
	for i, sr := range c.Series {
		entries[i] = legendEntry{name: sr.Name, color: color(sr.Color), line: true, dashed: sr.Dashed}
		dash := ""
		if sr.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		// One polyline per unbroken run of points.
		var run []string
		flush := func() {
			if len(run) > 1 {
				s.f(`<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", color(sr.Color), dash, strings.Join(run, " "))
			}
			run = run[:0]
		}
		for j, v := range sr.Y {
			if j >= len(c.X) || math.IsNaN(v) {
				flush()
				continue
			}
			px, py := c.xPos(c.X[j]), yPos(v, top)
			run = append(run, fmt.Sprintf("%.2f,%.2f", px, py))
			s.f(`<circle cx="%.2f" cy="%.2f" r="3.5" fill="%s" data-series="%s" data-x="%g" data-value="%g"><title>%s at %s: %s %s</title></circle>`+"\n",
				px, py, color(sr.Color), esc(sr.Name), c.X[j], v, esc(sr.Name), esc(Compact(c.X[j])), esc(Compact(v)), esc(c.Unit))
		}
		flush()
	}
	s.legend(entries)
	return s.close()
}

// xPos maps x onto the plot on a logarithmic scale, leaving a margin of
// 8 % at either end; a single point sits in the middle.
func (c Lines) xPos(x float64) float64 {
	lo, hi := math.Log10(c.X[0]), math.Log10(c.X[len(c.X)-1])
	if hi == lo {
		return plotLeft + plotWidth/2
	}
	frac := (math.Log10(x) - lo) / (hi - lo)
	return plotLeft + plotWidth*(0.08+0.84*frac)
}
