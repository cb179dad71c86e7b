package proctest

import (
	"errors"
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel kill the process if the test process
// dies without cleaning up.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// Alive reports whether process pid runs.
func Alive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
