package redistest

import (
	"errors"
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel kill the server if the test process dies
// without cleaning up.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// alive reports whether process pid runs.
func alive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
