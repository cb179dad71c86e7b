package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
	"github.com/seshgo/sesh/conformance"
)

// check runs Check on backends from open.
func check(ctx context.Context, open func() full) error {
	return conformance.Check(ctx, func() (backend.Backend, error) { return open(), nil })
}

// failures splits the error Check returned by property.
func failures(t *testing.T, err error) map[string][]error {
	t.Helper()
	byName := map[string][]error{}
	if err == nil {
		return byName
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Check returned %T, want an errors.Join: %v", err, err)
	}
	for _, err := range joined.Unwrap() {
		name, _, ok := strings.Cut(err.Error(), ": ")
		if !ok || !slices.Contains(conformance.PropertyNames(), name) {
			t.Errorf("a failure that does not start with a property's name: %v", err)
		}
		byName[name] = append(byName[name], err)
	}
	return byName
}

func TestCheckCatchesBrokenBackends(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		open     func() full
		property string
	}{
		{"returns expired records", laggingClock, "ExpiredInvisible"},
		{"Touch creates", func() full { return touchCreates{newMemory()} }, "TouchMissing"},
		{"keeps the caller's slice", func() full { return &keepsSlice{full: newMemory(), kept: map[string][]byte{}} }, "NoAliasing"},
		{"ignores a cancelled context", func() full { return ignoresContext{newMemory()} }, "ContextCancelled"},
		{"ignores a passed deadline", func() full { return ignoresContext{newMemory()} }, "ContextDeadline"},
		{"loses the expiry on Touch", func() full { return losesExpiry{newMemory()} }, "TouchExtendsExpiry"},
		{"Update upserts", func() full { return upserts{newMemory()} }, "UpdateAfterDestroy"},
		{"Create overwrites a live record", func() full { return createOverwrites{newMemory()} }, "CreateExisting"},
		{"a global version as Token", func() full { return &globalVersion{full: newMemory()} }, "TokenIsolation"},
		{"UpdateIf never conflicts", func() full { return neverConflicts{newMemory()} }, "Conditional"},
		{"Len disagrees with All", func() full { return &countsDestroyed{full: newMemory()} }, "ListingsAgree"},
	}
	// The runs mostly wait for expiries: run them all at once, whatever
	// -parallel says.
	errs := make([]error, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Go(func() { errs[i] = check(t.Context(), c.open) })
	}
	wg.Wait()
	located := regexp.MustCompile(`^\w+: \w+\.go:\d+: `)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := errs[i]
			if err == nil {
				t.Fatalf("Check passed a backend whose %s", c.name)
			}
			got := failures(t, err)
			if len(got[c.property]) == 0 {
				t.Fatalf("Check failed without naming %s:\n%v", c.property, err)
			}
			for _, err := range got[c.property] {
				if !located.MatchString(err.Error()) {
					t.Errorf("a failure without the line that found it: %v", err)
				}
			}
		})
	}
}

func TestCheckReportsRefusals(t *testing.T) {
	t.Parallel()
	err := check(t.Context(), func() full { return declinesUpdateIf{newMemory()} })
	got := failures(t, err)
	for _, errs := range got {
		for _, err := range errs {
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("a failure that is not the refusal of UpdateIf: %v", err)
			}
		}
	}
	// The properties that call UpdateIf, which a backend that declines it
	// (MongoDB on FerretDB) can expect to fail.
	want := []string{"TokenRoundTrip", "ZeroToken", "TokenIsolation", "ContextCancelled", "ContextDeadline", "Conditional", "ConditionalRace", "Close"}
	if names := slices.Sorted(maps.Keys(got)); !slices.Equal(names, slices.Sorted(slices.Values(want))) {
		t.Errorf("the properties failing from a refused UpdateIf are %v, want %v", names, want)
	}
}

// TestCheckLocatesFailures checks that a failure names the line of the
// property that found it, not one of the suite's machinery.
func TestCheckLocatesFailures(t *testing.T) {
	t.Parallel()
	err := check(t.Context(), func() full { return touchCreates{newMemory()} })
	got := failures(t, err)["TouchMissing"]
	if len(got) == 0 {
		t.Fatalf("Check did not fail TouchMissing on a backend whose Touch creates:\n%v", err)
	}
	for _, err := range got {
		m := regexp.MustCompile(`^TouchMissing: (\w+\.go):(\d+): `).FindStringSubmatch(err.Error())
		if m == nil {
			t.Fatalf("a failure without a file:line: %v", err)
		}
		line, _ := strconv.Atoi(m[2])
		if fn := funcAt(t, m[1], line); fn != "checkTouchMissing" {
			t.Errorf("failure located at %s:%d, in %s; want a line of checkTouchMissing: %v", m[1], line, fn, err)
		}
	}
}

// funcAt names the function of this package's file that holds line.
func funcAt(t *testing.T, file string, line int) string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fset.Position(fn.Pos()).Line <= line && line <= fset.Position(fn.End()).Line {
			return fn.Name.Name
		}
	}
	return "no function"
}

// testBound bounds each property in the tests of a stuck one: a few times
// the slowest property on memory.Store (2 s, waiting for an expiry).
const testBound = 8 * time.Second

// TestCheckBoundsProperties checks that a property stuck in the backend
// fails by name and does not stop the run, and that what it reports when
// it comes unstuck is dropped.
func TestCheckBoundsProperties(t *testing.T) {
	conformance.SetBound(t, testBound)
	open, opens := stuckFirst(func(f full) full { return f })
	err := check(t.Context(), open)
	got := failures(t, err)
	want := fmt.Sprintf("GetMissing: did not return within %v: does the backend honour ctx / release its lock?", testBound)
	if len(got) != 1 || len(got["GetMissing"]) != 1 || got["GetMissing"][0].Error() != want {
		t.Errorf("Check returned\n%v\nwant only %q", err, want)
	}
	if n := len(conformance.PropertyNames()); opens() != n {
		t.Errorf("Check opened %d backends, want one for each of the %d properties", opens(), n)
	}
}

// TestRunReports runs Run on a broken backend in a child process, since
// its subtests must fail, and reads what go test printed.
func TestRunReports(t *testing.T) {
	if os.Getenv("CONFORMANCE_RUN_BROKEN") == "1" {
		conformance.SetBound(t, testBound)
		open, _ := stuckFirst(func(f full) full { return touchCreates{f} })
		conformance.Run(t, func(t *testing.T) backend.Backend {
			b := open()
			t.Cleanup(func() { b.Close() })
			return b
		})
		return
	}
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestRunReports$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "CONFORMANCE_RUN_BROKEN=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("go test of a broken backend: %v, want it to fail\n%s", err, out)
	}
	text := string(out)
	if strings.Contains(text, "panic") {
		t.Fatalf("the run panicked (a report after the end of its subtest?):\n%s", text)
	}
	for _, want := range []string{
		"--- FAIL: TestRunReports/GetMissing",
		fmt.Sprintf("did not return within %v: does the backend honour ctx / release its lock?", testBound),
		"--- FAIL: TestRunReports/TouchMissing",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, text)
		}
	}
	located := regexp.MustCompile(`(?m)^\s+(\w+\.go):(\d+): Touch of a record`).FindAllStringSubmatch(text, -1)
	if len(located) == 0 {
		t.Errorf("the output has no TouchMissing failure with its file:line:\n%s", text)
	}
	for _, m := range located {
		line, _ := strconv.Atoi(m[2])
		if fn := funcAt(t, m[1], line); fn != "checkTouchMissing" {
			t.Errorf("Run located a TouchMissing failure at %s:%d, in %s; want a line of checkTouchMissing", m[1], line, fn)
		}
	}
	if n, want := strings.Count(text, "--- PASS: TestRunReports/"), len(conformance.PropertyNames())-2; n != want {
		t.Errorf("%d properties passed, want all but the 2 broken: %d\n%s", n, want, text)
	}
}

func TestRunPassesMemory(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend {
		s := memory.New(memory.Options{})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestChecklistNamesProperties checks that package backend's checklist and
// this suite name the same properties.
func TestChecklistNamesProperties(t *testing.T) {
	src, err := os.ReadFile("../backend/doc.go")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(strings.ReplaceAll(string(src), "//", "")), " ")
	var named []string
	for _, m := range regexp.MustCompile(`\(([A-Z]\w*(?:, [A-Z]\w*)*)\)`).FindAllStringSubmatch(text, -1) {
		named = append(named, strings.Split(m[1], ", ")...)
	}
	slices.Sort(named)
	named = slices.Compact(named)
	if got := slices.Sorted(slices.Values(conformance.PropertyNames())); !slices.Equal(named, got) {
		t.Errorf("backend's checklist names\n%v\nthe suite runs\n%v", named, got)
	}
}

func ExampleCheck() {
	err := conformance.Check(context.Background(), func() (backend.Backend, error) {
		return memory.New(memory.Options{}), nil
	})
	fmt.Println(err)
	// Output: <nil>
}
