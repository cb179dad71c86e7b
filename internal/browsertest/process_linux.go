package browsertest

import "syscall"

// sysProcAttr puts the supervisor in a process group of its own, which
// chromedriver and the browsers inherit, and has the kernel send it SIGTERM
// when the test binary dies (the supervisor then kills the group). The
// lifeline pipe does the same everywhere; Pdeathsig is the second line.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }
