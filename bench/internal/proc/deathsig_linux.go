package proc

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has the kernel kill the child if the benchmark dies.
func setDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
