//go:build !linux

package redistest

import "os/exec"

// setDeathSignal does nothing where the kernel offers no parent-death
// signal: a test binary that dies leaves its servers to t.Cleanup-less
// fate, and they must be killed by hand.
func setDeathSignal(cmd *exec.Cmd) {}

// alive reports that any process runs: without Linux's guarantees,
// directories are never swept.
func alive(pid int) bool { return true }
