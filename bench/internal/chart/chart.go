// Package chart draws the benchmark's charts as SVG, with the standard
// library only: grouped bars (req/s per contestant and path) and lines on
// a logarithmic x axis (latency against stored sessions). It is small on
// purpose: two kinds of chart, axes with round ticks, a legend, and a
// <title> on every mark, so that hovering a bar or a point in a browser
// shows its exact value. The values are also data- attributes of each
// mark, which is how the tests find them.
package chart

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Geometry shared by both kinds of chart, in SVG user units (pixels).
const (
	width       = 820
	height      = 440
	marginLeft  = 86
	marginRight = 24
	marginTop   = 78 // title and legend
	marginBot   = 64 // tick labels and the x axis label
	plotLeft    = marginLeft
	plotRight   = width - marginRight
	plotTop     = marginTop
	plotBottom  = height - marginBot
	plotWidth   = plotRight - plotLeft
	plotHeight  = plotBottom - plotTop
)

// palette is Okabe and Ito's, whose colours stay apart for colour-blind
// readers.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"}

// color returns the i-th colour of the palette, cycling.
func color(i int) string { return palette[i%len(palette)] }

// svg accumulates the document.
type svg struct{ b strings.Builder }

func (s *svg) f(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// open writes the root element, the background and the title.
func (s *svg) open(title string) {
	s.f(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	s.f(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	s.f(`<text x="%d" y="24" font-size="16" font-weight="bold" text-anchor="middle">%s</text>`+"\n", width/2, esc(title))
}

func (s *svg) close() []byte {
	s.f("</svg>\n")
	return []byte(s.b.String())
}

// yAxis draws horizontal grid lines with labels at round values from 0 to
// top, and the axes.
func (s *svg) yAxis(top, step float64, label string, format func(float64) string) {
	for v := 0.0; v <= top*(1+1e-9); v += step {
		y := yPos(v, top)
		s.f(`<line x1="%d" y1="%.2f" x2="%d" y2="%.2f" stroke="#dddddd"/>`+"\n", plotLeft, y, plotRight, y)
		s.f(`<text x="%d" y="%.2f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", plotLeft-6, y, esc(format(v)))
	}
	s.axes(label)
}

// axes draws the left and bottom axis lines and the y axis label, rotated.
func (s *svg) axes(label string) {
	s.f(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333333"/>`+"\n", plotLeft, plotTop, plotLeft, plotBottom)
	s.f(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333333"/>`+"\n", plotLeft, plotBottom, plotRight, plotBottom)
	s.f(`<text transform="translate(18 %d) rotate(-90)" text-anchor="middle">%s</text>`+"\n", plotTop+plotHeight/2, esc(label))
}

// legend draws one entry per name in a row under the title: a swatch (a
// square, or a line, dashed or not) and the name.
func (s *svg) legend(entries []legendEntry) {
	const entryWidth = 120
	x := float64(width)/2 - float64(len(entries)*entryWidth)/2
	if x < 10 {
		x = 10
	}
	y := 48.0
	for _, e := range entries {
		if e.line {
			dash := ""
			if e.dashed {
				dash = ` stroke-dasharray="6 4"`
			}
			s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", x, y, x+22, y, e.color, dash)
		} else {
			s.f(`<rect x="%.1f" y="%.1f" width="14" height="14" fill="%s"/>`+"\n", x+4, y-7, e.color)
		}
		s.f(`<text x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`+"\n", x+28, y, esc(e.name))
		x += entryWidth
	}
}

type legendEntry struct {
	name, color  string
	line, dashed bool
}

// yPos maps value v on an axis from 0 to top onto the plot.
func yPos(v, top float64) float64 { return plotBottom - v/top*plotHeight }

// scale returns a round top for an axis from 0 holding max, and the step
// between its ticks: 1, 2 or 5 times a power of ten, with 4 to 10 ticks.
func scale(max float64) (top, step float64) {
	if !(max > 0) || math.IsInf(max, 0) {
		return 1, 0.25
	}
	raw := max / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * pow; step >= raw {
			break
		}
	}
	top = math.Ceil(max/step-1e-9) * step
	return top, step
}

// Compact formats v with a k or M suffix: 42.1k, 1.2M, 950.
func Compact(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return trim(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case a >= 1e3:
		return trim(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	case a >= 10 || a == 0:
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return trim(strconv.FormatFloat(v, 'f', 2, 64))
	}
}

// trim drops a fraction of zeros: 2.0 → 2, 2.50 → 2.5.
func trim(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
