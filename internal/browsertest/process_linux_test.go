package browsertest_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/browsertest"
)

// alive returns the processes of group pgid that are still running
// (zombies, dead but not yet reaped, do not count).
func alive(pgid int) []string {
	var found []string
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g == pgid {
			found = append(found, s[:i+1])
		}
	}
	return found
}

// waitGone waits until no process of group pgid runs.
func waitGone(t *testing.T, pgid int, after string) {
	t.Helper()
	deadline := time.Now().Add(browsertest.DefaultTimeout)
	for {
		left := alive(pgid)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s, processes still run: %s", after, strings.Join(left, ", "))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestProcessesEndWithTheTest(t *testing.T) {
	var pgid, browser int
	t.Run("browse", func(t *testing.T) {
		d := browsertest.Start(t)
		b := d.NewBrowser(t)
		b.Open("about:blank")
		pgid, browser = d.PID(), b.PID()
	})
	if pgid == 0 {
		t.Skip("the browser did not start")
	}
	if browser == 0 {
		t.Error("the browser's process id is unknown")
	}
	waitGone(t, pgid, "after the test ended")
}

// childEnv makes TestChildHoldsABrowser run: it is the test binary that
// TestProcessesEndWhenTheTestBinaryDies kills.
const childEnv = "BROWSERTEST_CHILD"

func TestChildHoldsABrowser(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("only as the child of TestProcessesEndWhenTheTestBinaryDies")
	}
	d := browsertest.Start(t)
	b := d.NewBrowser(t)
	b.Open("about:blank")
	fmt.Printf("group %d\n", d.PID())
	time.Sleep(time.Hour) // until killed
}

func TestProcessesEndWhenTheTestBinaryDies(t *testing.T) {
	browsertest.Start(t) // skips, or fails, as the child would
	child := exec.Command(os.Args[0], "-test.run=^TestChildHoldsABrowser$", "-test.v")
	child.Env = append(os.Environ(), childEnv+"=1")
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	var pgid int
	var output []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		output = append(output, sc.Text())
		if n, err := fmt.Sscanf(sc.Text(), "group %d", &pgid); n == 1 && err == nil {
			break
		}
	}
	if pgid == 0 {
		child.Wait()
		t.Fatalf("the child test did not start a browser:\n%s", strings.Join(output, "\n"))
	}
	if len(alive(pgid)) < 3 {
		t.Fatalf("group %d holds %v: want the supervisor, chromedriver and a browser", pgid, alive(pgid))
	}
	// SIGKILL: no cleanup runs in the child; only the lifeline and
	// Pdeathsig can end the browser.
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	waitGone(t, pgid, "after the test binary was killed")
}
