// Package browsertest drives a real headless Chromium from Go tests, through
// the WebDriver protocol spoken by chromedriver, with nothing but the
// standard library: no browser is downloaded, the system's own is used
// (Debian: apt-get install chromium chromium-driver).
//
//	d := browsertest.Start(t)           // skips when there is no browser
//	b := d.NewBrowser(t)                // a fresh profile: a new "device"
//	b.Open(srv.URL + "/")
//	b.Type(`input[name="name"]`, "ada")
//	b.Click(`button[type="submit"]`)
//	b.WaitText("#flash", "Welcome, ada")
//
// Every wait polls for its condition up to Browser.Timeout, so tests hold
// on slow, loaded machines without fixed sleeps. Start skips the test when
// chromium or chromedriver is missing, unless SESH_REQUIRE_SERVICES=1.
//
// The processes die with the test: at cleanup, and also when the test
// binary is killed, since chromedriver runs under a small supervisor that
// kills its whole process group (chromedriver and every browser it started)
// when the test binary's end of a pipe closes or, on Linux, when the test
// binary dies (Pdeathsig).
package browsertest

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/testenv"
)

// Environment variables read by Start.
const (
	// ChromiumEnv overrides the browser's path, DefaultChromium.
	ChromiumEnv = "SESH_CHROMIUM"
	// ChromedriverEnv overrides chromedriver's path, DefaultChromedriver.
	ChromedriverEnv = "SESH_CHROMEDRIVER"
)

// Where Debian's chromium and chromium-driver packages install them.
const (
	DefaultChromium     = "/usr/bin/chromium"
	DefaultChromedriver = "/usr/bin/chromedriver"
)

// DefaultTimeout bounds every wait when Browser.Timeout is zero: long, since
// a browser starting on a loaded two-core machine can take many seconds,
// and a passing test never waits it out.
const DefaultTimeout = 60 * time.Second

// Driver is a running chromedriver, which hosts any number of browsers.
type Driver struct {
	url      string // http://127.0.0.1:PORT
	chromium string
	logPath  string
	client   *client

	cmd      *exec.Cmd
	lifeline *os.File      // closing it makes the supervisor kill the group
	stdout   *os.File      // what chromedriver prints
	exited   chan struct{} // closed when the supervisor has ended
	stopOnce sync.Once
}

// supervisor runs chromedriver ("$@") in the background and kills the whole
// process group, which Setpgid makes chromedriver's and its browsers', when
// the lifeline (fd 3, whose writing end only the test binary holds) reaches
// end of file, when a SIGTERM arrives (Pdeathsig: the test binary died), or
// when chromedriver exits. A plain chromedriver leaves its browsers running
// when it is killed, whatever the signal.
const supervisor = `trap 'kill -KILL 0' TERM
{ read _ <&3; kill -KILL 0; } &
"$@" 3<&- &
wait $!
kill -KILL 0
`

var startedRE = regexp.MustCompile(`started successfully on port (\d+)`)

// Start starts chromedriver for the test and stops it, with every browser,
// when the test ends. When chromium or chromedriver is missing it skips
// the test, or fails it under SESH_REQUIRE_SERVICES=1 (package testenv).
func Start(t testing.TB) *Driver {
	t.Helper()
	chromium, chromedriver, err := find()
	if err != nil {
		testenv.Missing(t, "browsertest: %v; on Debian: apt-get install chromium chromium-driver", err)
	}
	// The directory first, so that its removal, registered now, runs
	// after the processes are gone (cleanups run last in, first out).
	dir := t.TempDir()
	d, err := start(chromium, chromedriver, dir)
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	t.Cleanup(d.stop)
	return d
}

// find returns the paths of the browser and of chromedriver.
func find() (chromium, chromedriver string, err error) {
	chromium = cmp.Or(os.Getenv(ChromiumEnv), DefaultChromium)
	chromedriver = cmp.Or(os.Getenv(ChromedriverEnv), DefaultChromedriver)
	var missing []string
	for _, p := range []string{chromium, chromedriver} {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("no %s", strings.Join(missing, " nor "))
	}
	return chromium, chromedriver, nil
}

func start(chromium, chromedriver, dir string) (*Driver, error) {
	d := &Driver{chromium: chromium, logPath: filepath.Join(dir, "chromedriver.log"), exited: make(chan struct{})}
	lifeline, lifelineW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	out, outW, err := os.Pipe()
	if err != nil {
		lifeline.Close()
		lifelineW.Close()
		return nil, err
	}
	// --port=0: chromedriver picks a free port and says which, so that no
	// other process can take it between our choice and its bind.
	d.cmd = exec.Command("/bin/sh", "-c", supervisor, "browsertest-supervisor",
		chromedriver, "--port=0", "--log-path="+d.logPath)
	d.cmd.ExtraFiles = []*os.File{lifeline} // fd 3
	d.cmd.Stdout = outW
	d.cmd.SysProcAttr = sysProcAttr()
	err = d.cmd.Start()
	lifeline.Close() // the children hold their copies
	outW.Close()
	if err != nil {
		lifelineW.Close()
		out.Close()
		return nil, fmt.Errorf("starting %s: %w", chromedriver, err)
	}
	d.lifeline, d.stdout = lifelineW, out
	go func() {
		d.cmd.Wait()
		close(d.exited)
	}()

	// Read what chromedriver prints, for its port, until stop closes the
	// pipe: the browsers' crash handlers, which run in sessions of their
	// own, hold it open after the supervisor is gone.
	port := make(chan string, 1)
	var mu sync.Mutex
	var output bytes.Buffer
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			if output.Len() < 4096 {
				output.Write(sc.Bytes())
				output.WriteByte('\n')
			}
			mu.Unlock()
			if m := startedRE.FindSubmatch(sc.Bytes()); m != nil {
				select {
				case port <- string(m[1]):
				default:
				}
			}
		}
	}()
	printed := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.TrimSpace(output.String())
	}
	select {
	case p := <-port:
		d.url = "http://127.0.0.1:" + p
	case <-d.exited:
		d.stop()
		return nil, fmt.Errorf("%s exited at start: %s%s", chromedriver, printed(), d.logTail())
	case <-time.After(DefaultTimeout):
		d.stop()
		return nil, fmt.Errorf("%s did not say its port within %v: %s%s", chromedriver, DefaultTimeout, printed(), d.logTail())
	}
	d.client = newClient(d.url)
	if err := d.waitReady(); err != nil {
		d.stop()
		return nil, err
	}
	return d, nil
}

// waitReady polls chromedriver's status until it accepts sessions.
func (d *Driver) waitReady() error {
	deadline := time.Now().Add(DefaultTimeout)
	for {
		var status struct{ Ready bool }
		err := d.client.do("GET", "/status", nil, &status, 10*time.Second)
		if err == nil && status.Ready {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("chromedriver at %s not ready after %v: %v%s", d.url, DefaultTimeout, err, d.logTail())
		}
		select {
		case <-d.exited:
			return fmt.Errorf("chromedriver exited before it was ready%s", d.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop kills chromedriver and its browsers, and waits for the supervisor.
func (d *Driver) stop() {
	d.stopOnce.Do(func() {
		d.lifeline.Close()
		select {
		case <-d.exited:
		case <-time.After(DefaultTimeout):
			// The supervisor did not act: kill the group ourselves.
			killGroup(d.cmd.Process.Pid)
			<-d.exited
		}
		d.stdout.Close()
	})
}

// PID returns the process id of the supervisor, whose process group holds
// chromedriver and the browsers.
func (d *Driver) PID() int { return d.cmd.Process.Pid }

// logTail returns the end of chromedriver's log, for error messages.
func (d *Driver) logTail() string {
	b, err := os.ReadFile(d.logPath)
	if err != nil || len(b) == 0 {
		return ""
	}
	const max = 4000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return "\nchromedriver log (end):\n" + string(b)
}
