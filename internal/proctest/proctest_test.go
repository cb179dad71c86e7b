package proctest_test

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/seshgo/sesh/internal/proctest"
)

func TestStopKillStartAgain(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep program")
	}
	var p proctest.Process
	for _, stop := range []func(){p.Stop, p.Kill} {
		exited, err := p.Start(exec.Command(sleep, "60"))
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-exited:
			t.Fatal("the process exited at once")
		case <-time.After(50 * time.Millisecond):
		}
		stop()
		select {
		case <-exited:
		default:
			t.Fatal("Stop or Kill returned before the process exited")
		}
		p.Stop() // idempotent
	}
	if !proctest.Alive(os.Getpid()) {
		t.Error("Alive says this process does not run")
	}
}
