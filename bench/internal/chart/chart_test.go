package chart

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// element is a parsed SVG element: its name, attributes and the text of
// its <title> child or its own text.
type element struct {
	name  string
	attr  map[string]string
	title string
	text  string
}

// parse checks that doc is well-formed XML with an svg root and returns
// its elements in document order.
func parse(t *testing.T, doc []byte) []*element {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var all, stack []*element
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				e.attr[a.Name.Local] = a.Value
			}
			if len(all) == 0 && (e.name != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root element %v", tok.Name)
			}
			all = append(all, e)
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			if top.name == "title" && len(stack) > 1 {
				stack[len(stack)-2].title += string(tok)
			}
			top.text += string(tok)
		}
	}
	return all
}

func num(t *testing.T, e *element, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.attr[name], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", e.name, name, e.attr[name], err)
	}
	return v
}

func texts(els []*element) string {
	var b strings.Builder
	for _, e := range els {
		if e.name == "text" {
			b.WriteString(e.text + "\n")
		}
	}
	return b.String()
}

func TestBars(t *testing.T) {
	c := Bars{
		Title: "Redis <suite> & co", YLabel: "requests per second", Unit: "req/s",
		Groups: []string{"read", "write", "create"},
		Series: []string{"sesh", "express", "limit"},
		Values: [][]float64{{42000, 30000, 35000}, {7500, 7000, 6100}, {45000, math.NaN(), math.NaN()}},
	}
	els := parse(t, c.SVG())
	top, _ := scale(45000)
	if top != 50000 {
		t.Fatalf("axis top %v, want 50000", top)
	}
	var bars []*element
	for _, e := range els {
		if e.name == "rect" && e.attr["data-value"] != "" {
			bars = append(bars, e)
		}
	}
	if len(bars) != 7 {
		t.Fatalf("%d bars, want 7 (the limit's NaN values drawn as none)", len(bars))
	}
	lastX := map[string]float64{}
	for _, b := range bars {
		v := num(t, b, "data-value")
		y, h, x := num(t, b, "y"), num(t, b, "height"), num(t, b, "x")
		// The bar stands on the axis and its height is its share of the
		// axis.
		if math.Abs(y+h-plotBottom) > 0.01 || math.Abs(h-v/top*plotHeight) > 0.01 {
			t.Errorf("%s %s = %v: y %v height %v", b.attr["data-series"], b.attr["data-group"], v, y, h)
		}
		if x < plotLeft || x+num(t, b, "width") > plotRight {
			t.Errorf("bar at x %v outside the plot", x)
		}
		// Within a group, series in order, left to right.
		if prev, ok := lastX[b.attr["data-group"]]; ok && x <= prev {
			t.Errorf("%s %s left of the previous series", b.attr["data-series"], b.attr["data-group"])
		}
		lastX[b.attr["data-group"]] = x
		if !strings.Contains(b.title, b.attr["data-series"]) || !strings.Contains(b.title, "req/s") {
			t.Errorf("bar title %q", b.title)
		}
	}
	// Groups left to right.
	if !(lastX["read"] < lastX["write"] && lastX["write"] < lastX["create"]) {
		t.Errorf("groups out of order: %v", lastX)
	}
	all := texts(els)
	for _, want := range []string{"Redis <suite> & co", "requests per second", "sesh", "express", "limit", "read", "create", "42k", "50k", "0"} {
		if !strings.Contains(all, want+"\n") {
			t.Errorf("no text %q in:\n%s", want, all)
		}
	}
}

func TestLines(t *testing.T) {
	c := Lines{
		Title: "Read latency", XLabel: "stored sessions", YLabel: "latency (ms)", Unit: "ms",
		X: []float64{1e4, 1e5, 1e6},
		Series: []Series{
			{Name: "redis p50", Color: 0, Y: []float64{1, 1.1, 1.2}},
			{Name: "redis p99", Color: 0, Dashed: true, Y: []float64{4, 5, 6}},
			{Name: "mongo p50", Color: 1, Y: []float64{3, 3.5, math.NaN()}},
		},
	}
	els := parse(t, c.SVG())
	top, _ := scale(6)
	var points, lines []*element
	for _, e := range els {
		switch {
		case e.name == "circle":
			points = append(points, e)
		case e.name == "polyline":
			lines = append(lines, e)
		}
	}
	if len(points) != 8 || len(lines) != 3 {
		t.Fatalf("%d points and %d lines, want 8 and 3", len(points), len(lines))
	}
	for _, p := range points {
		v, x := num(t, p, "data-value"), num(t, p, "data-x")
		if math.Abs(num(t, p, "cy")-(plotBottom-v/top*plotHeight)) > 0.01 {
			t.Errorf("%s at %v: cy %v for %v", p.attr["data-series"], x, p.attr["cy"], v)
		}
		// Log scale: 10k, 100k and 1M equally spaced.
		want := plotLeft + plotWidth*(0.08+0.84*(math.Log10(x)-4)/2)
		if math.Abs(num(t, p, "cx")-want) > 0.01 {
			t.Errorf("%s at %v: cx %v, want %v", p.attr["data-series"], x, p.attr["cx"], want)
		}
	}
	if lines[1].attr["stroke-dasharray"] == "" || lines[0].attr["stroke-dasharray"] != "" {
		t.Error("p99 should be dashed, p50 solid")
	}
	if lines[0].attr["stroke"] != lines[1].attr["stroke"] || lines[0].attr["stroke"] == lines[2].attr["stroke"] {
		t.Error("a database's lines share a colour, and only they")
	}
	all := texts(els)
	for _, want := range []string{"10k", "100k", "1M", "stored sessions", "latency (ms)", "redis p99", "mongo p50"} {
		if !strings.Contains(all, want+"\n") {
			t.Errorf("no text %q in:\n%s", want, all)
		}
	}
}

func TestScale(t *testing.T) {
	for _, c := range []struct{ max, top, step float64 }{
		{42139, 50000, 10000}, {9.3, 10, 2}, {1, 1, 0.2}, {0, 1, 0.25}, {123, 150, 50}, {0.37, 0.4, 0.1},
	} {
		top, step := scale(c.max)
		if math.Abs(top-c.top) > 1e-9 || math.Abs(step-c.step) > 1e-9 {
			t.Errorf("scale(%v) = %v, %v; want %v, %v", c.max, top, step, c.top, c.step)
		}
	}
	for v, want := range map[float64]string{42139: "42.1k", 1e6: "1M", 950: "950", 2.5: "2.5", 0: "0", 100000: "100k"} {
		if got := Compact(v); got != want {
			t.Errorf("Compact(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestLogY puts values a thousand times apart on one chart: each point at
// its share of the decades between the powers of ten around them.
func TestLogY(t *testing.T) {
	c := Lines{
		Title: "Read latency", XLabel: "stored sessions", YLabel: "latency (ms)", Unit: "ms", LogY: true,
		X: []float64{1e4, 1e5},
		Series: []Series{
			{Name: "redis p50", Y: []float64{0.8, 0.9}},
			{Name: "mongo p99", Color: 1, Dashed: true, Y: []float64{120, 950}},
		},
	}
	els := parse(t, c.SVG())
	// From 0.1 to 1000 ms: four decades.
	var n int
	for _, e := range els {
		if e.name != "circle" {
			continue
		}
		n++
		v := num(t, e, "data-value")
		want := plotBottom - (math.Log10(v)+1)/4*plotHeight
		if math.Abs(num(t, e, "cy")-want) > 0.01 {
			t.Errorf("%s %v: cy %v, want %v", e.attr["data-series"], v, e.attr["cy"], want)
		}
	}
	if n != 4 {
		t.Errorf("%d points, want 4", n)
	}
	all := texts(els)
	for _, want := range []string{"0.1", "1", "10", "100", "1k"} {
		if !strings.Contains(all, "\n"+want+"\n") {
			t.Errorf("no tick %q in:\n%s", want, all)
		}
	}
}
