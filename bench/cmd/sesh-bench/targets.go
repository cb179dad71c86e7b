package main

import (
	"fmt"
	"runtime"
	"strings"
)

// targets writes each of sesh's performance targets with what was
// measured and whether it was met.
func targets(b *strings.Builder, rows []row, mic *microResults) {
	line := func(name, measured string, met, known bool) {
		verdict := "n/a"
		switch {
		case known && met:
			verdict = "met"
		case known:
			verdict = "**missed**"
		}
		fmt.Fprintf(b, "- %s: %s — %s\n", name, measured, verdict)
	}
	seshRead := rate(rows, "sesh", "read")
	limit, express := rate(rows, "limit", "read"), rate(rows, "express", "read")
	line("sesh read ≥ 0.9× the limit", ratio(seshRead, limit), seshRead >= 0.9*limit, seshRead > 0 && limit > 0)
	measured := ratio(seshRead, express)
	if r, ok := find(rows, "express", "read"); ok {
		measured += " (server CPU per request: Express's is " + cpuRatio(rows, r) + " sesh's)"
	}
	line("sesh read ≥ 4× Express", measured, seshRead >= 4*express, seshRead > 0 && express > 0)

	var parts []string
	ahead, known := true, true
	for _, path := range paths {
		s, c := rate(rows, "sesh", path), rate(rows, "scs", path)
		parts = append(parts, path+" "+ratio(s, c))
		ahead = ahead && s > c
		known = known && s > 0 && c > 0
	}
	line("sesh ahead of scs + mongodbstore on every path", strings.Join(parts, ", "), ahead, known)

	if mic == nil || mic.err != nil {
		line("middleware overhead below scs's, allocations no higher (memory stores)", "not run", false, false)
		return
	}
	parts, ahead, known = nil, true, true
	for _, path := range paths {
		s, ok1 := mic.middleware(path, "sesh")
		c, ok2 := mic.middleware(path, "scs")
		if !ok1 || !ok2 {
			known = false
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.2f µs / %.0f allocs vs %.2f µs / %.0f allocs",
			path, s["ns/op"]/1000, s["allocs/op"], c["ns/op"]/1000, c["allocs/op"]))
		ahead = ahead && s["ns/op"] < c["ns/op"] && s["allocs/op"] <= c["allocs/op"]
	}
	line("middleware overhead below scs's, allocations no higher (memory stores; sesh vs scs)", strings.Join(parts, "; "), ahead, known)
}

func runtimeTarget() string { return runtime.GOOS + "/" + runtime.GOARCH }
