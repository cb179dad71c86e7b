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
	X []float64
	// LogY puts the y axis on a logarithmic scale, from the decade below
	// the smallest value to the decade above the largest, so that lines
	// of different magnitudes (a database a hundred times slower than
	// another) all stay readable. The values must then be positive.
	LogY   bool
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
	lo, hi := math.Inf(1), 0.0
	for _, sr := range c.Series {
		for _, v := range sr.Y {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	var y func(v float64) float64
	if c.LogY {
		bottom, top := logRange(lo, hi)
		s.logYAxis(bottom, top, c.YLabel)
		y = func(v float64) float64 { return logYPos(v, bottom, top) }
	} else {
		top, step := scale(hi)
		s.yAxis(top, step, c.YLabel, Compact)
		y = func(v float64) float64 { return yPos(v, top) }
	}
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
			if j >= len(c.X) || math.IsNaN(v) || (c.LogY && v <= 0) {
				flush()
				continue
			}
			px, py := c.xPos(c.X[j]), y(v)
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

// logRange returns the powers of ten just below lo and just above hi (a
// decade apart at least).
func logRange(lo, hi float64) (bottom, top float64) {
	if !(lo > 0) || math.IsInf(lo, 0) {
		return 1, 10
	}
	bottom = math.Pow(10, math.Floor(math.Log10(lo)))
	top = math.Pow(10, math.Ceil(math.Log10(hi)))
	if top <= bottom {
		top = bottom * 10
	}
	return bottom, top
}

// logYPos maps v onto the plot on a logarithmic axis from bottom to top.
func logYPos(v, bottom, top float64) float64 {
	return plotBottom - (math.Log10(v)-math.Log10(bottom))/(math.Log10(top)-math.Log10(bottom))*plotHeight
}

// logYAxis draws a logarithmic y axis: a labelled grid line at each power
// of ten, lighter unlabelled ones at 2 and 5 times it, and the axis label.
func (s *svg) logYAxis(bottom, top float64, label string) {
	for d := bottom; d <= top*(1+1e-9); d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			v := d * m
			if v > top*(1+1e-9) {
				break
			}
			y := logYPos(v, bottom, top)
			if m == 1 {
				s.f(`<line x1="%d" y1="%.2f" x2="%d" y2="%.2f" stroke="#cccccc"/>`+"\n", plotLeft, y, plotRight, y)
				s.f(`<text x="%d" y="%.2f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", plotLeft-6, y, esc(Compact(v)))
			} else {
				s.f(`<line x1="%d" y1="%.2f" x2="%d" y2="%.2f" stroke="#eeeeee"/>`+"\n", plotLeft, y, plotRight, y)
			}
		}
	}
	s.axes(label)
}
