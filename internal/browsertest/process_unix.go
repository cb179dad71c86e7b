//go:build unix && !linux

package browsertest

import "syscall"

// sysProcAttr puts the supervisor in a process group of its own, which
// chromedriver and the browsers inherit. Without Pdeathsig, the lifeline
// pipe alone ends them when the test binary dies.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }
