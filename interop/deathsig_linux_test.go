package interop

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel kill a server if the test binary dies
// without cleaning up.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
