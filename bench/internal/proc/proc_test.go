package proc

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

var ready = regexp.MustCompile(`^listening on (\d+)$`)

func TestStartStop(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	cmd := exec.Command("sh", "-c", `echo noise; echo oops >&2; echo "listening on 4242"; exec sleep 30`)
	p, port, err := Start(context.Background(), cmd, log, ready, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if port != "4242" {
		t.Errorf("port = %q", port)
	}
	if err := p.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if tail := tail(log, 5); !strings.Contains(tail, "oops") || !strings.Contains(tail, "listening on 4242") {
		t.Errorf("log = %q", tail)
	}
}

func TestExitBeforeReady(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	_, _, err := Start(context.Background(), exec.Command("sh", "-c", "echo broken >&2; exit 3"), log, ready, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("err = %v", err)
	}
}

func TestNotReadyInTime(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	_, _, err := Start(context.Background(), exec.Command("sleep", "30"), log, ready, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not ready") {
		t.Errorf("err = %v", err)
	}
}

func TestCPU(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	// Busy for a while, then announce readiness and idle.
	cmd := exec.Command("sh", "-c", `i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo "listening on 1"; exec sleep 30`)
	p, _, err := Start(context.Background(), cmd, log, ready, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	cpu, err := p.CPU()
	if runtime.GOOS != "linux" {
		if err == nil {
			t.Error("CPU works off Linux?")
		}
		return
	}
	if err != nil || cpu <= 0 {
		t.Errorf("CPU() = %v, %v", cpu, err)
	}
}

func TestMachineCPU(t *testing.T) {
	a, err := MachineCPU()
	if runtime.GOOS != "linux" {
		if err == nil {
			t.Error("MachineCPU works off Linux?")
		}
		return
	}
	if err != nil || a <= 0 {
		t.Fatalf("MachineCPU() = %v, %v", a, err)
	}
	for deadline := time.Now().Add(100 * time.Millisecond); time.Now().Before(deadline); {
	}
	if b, err := MachineCPU(); err != nil || b < a {
		t.Errorf("MachineCPU() went from %v to %v (%v)", a, b, err)
	}
}

// TestTreeCPU runs a shell whose child burns CPU: the child's time counts
// while it runs, and still counts once it has exited and been waited for.
func TestTreeCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("CPU time is read from /proc")
	}
	log := filepath.Join(t.TempDir(), "log")
	// The child counts to 300,000 (a few tenths of a second of CPU), the
	// parent waits for it, says so, then sleeps without using CPU.
	script := `sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; echo "listening on 1"; exec sleep 30`
	p, _, err := Start(context.Background(), exec.Command("sh", "-c", script), log, ready, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	own, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := p.TreeCPU()
	if err != nil {
		t.Fatal(err)
	}
	// The counting child's time (ticks are 10 ms) is outside the
	// parent's own.
	if tree-own < 50*time.Millisecond {
		t.Errorf("TreeCPU %v, CPU %v: the exited child's time is missing", tree, own)
	}
}
