package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// microResults are the micro-benchmarks' outcome: benchstat's summaries,
// and the medians the targets are checked against.
type microResults struct {
	err    error
	tables []microTable
	// medians maps a benchmark name without its GOMAXPROCS suffix to the
	// median of each unit (ns/op, B/op, allocs/op).
	medians map[string]map[string]float64
	command string
}

type microTable struct {
	title, text string
}

// microFamilies are the benchstat summaries: which benchmarks, and how
// their sub-benchmark keys make rows and columns.
var microFamilies = []struct {
	title, filter, row, col string
}{
	{"Middleware per request, in-memory stores (delta against sesh)", ".name:Middleware", "/path", "/lib"},
	{"Cookie signing (sesh against a fresh crypto/hmac per call)", ".name:Cookie", "/op", "/impl"},
	{"Session codec (sesh's express-session JSON; scs gob and encoding/json of a map for reference)", ".name:Codec", "/op", "/impl"},
	{"connect-mongo ciphers on a 200-byte session (against one raw AES-256-GCM operation)", ".name:Cipher", "/op", "/impl"},
}

// microCommand is the go test command equivalent to the run of the
// micro-benchmarks' test binary.
func microCommand(cfg config) string {
	return fmt.Sprintf("go test -run '^$' -bench . -count %d -benchtime %v ./micro", cfg.microCount, cfg.microTime)
}

// runMicro runs the micro-benchmarks' test binary, built beforehand, and
// summarises its output with benchstat. Only the benchmarks' and
// benchstat's standard output reach the report; their standard error goes
// to files in work.
func runMicro(ctx context.Context, cfg config, bins binaries, work string) (*microResults, error) {
	if err := bins.errs["micro"]; err != nil {
		return nil, err
	}
	if err := bins.errs["benchstat"]; err != nil {
		return nil, err
	}
	out := filepath.Join(work, "micro.txt")
	m := &microResults{command: microCommand(cfg)}
	cmd := exec.CommandContext(ctx, bins.micro, "-test.run", "^$", "-test.bench", ".",
		"-test.count", strconv.Itoa(cfg.microCount), "-test.benchtime", cfg.microTime.String())
	cmd.Dir = filepath.Join(cfg.benchDir, "micro")
	stderr, err := os.Create(filepath.Join(work, "micro.stderr"))
	if err != nil {
		return nil, err
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	text, err := cmd.Output()
	if werr := os.WriteFile(out, text, 0o644); werr != nil {
		return nil, werr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v (output in %s)", m.command, err, out)
	}
	m.medians = parseBench(string(text))
	for _, f := range microFamilies {
		cmd := exec.CommandContext(ctx, bins.benchstat, "-filter", f.filter, "-row", f.row, "-col", f.col, out)
		cmd.Stderr = stderr
		stat, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("benchstat: %v (see %s)", err, stderr.Name())
		}
		m.tables = append(m.tables, microTable{title: f.title, text: dropPreamble(string(stat))})
	}
	return m, nil
}

// dropPreamble removes the goos, goarch, pkg and cpu lines benchstat
// repeats from the input; the report states the machine once.
func dropPreamble(text string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		if k, _, ok := strings.Cut(line, ":"); ok && slices.Contains([]string{"goos", "goarch", "pkg", "cpu"}, k) {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// parseBench reads go test -bench output and returns the median of each
// unit of each benchmark.
func parseBench(text string) map[string]map[string]float64 {
	samples := map[string]map[string][]float64{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procsSuffix.ReplaceAllString(f[0], "")
		if samples[name] == nil {
			samples[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				samples[name][f[i+1]] = append(samples[name][f[i+1]], v)
			}
		}
	}
	medians := map[string]map[string]float64{}
	for name, units := range samples {
		medians[name] = map[string]float64{}
		for unit, vs := range units {
			slices.Sort(vs)
			medians[name][unit] = vs[len(vs)/2]
		}
	}
	return medians
}

// middleware returns the medians of lib's middleware benchmark on path.
func (m *microResults) middleware(path, lib string) (map[string]float64, bool) {
	v, ok := m.medians["BenchmarkMiddleware/path="+path+"/lib="+lib]
	return v, ok
}
