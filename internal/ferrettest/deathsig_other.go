//go:build !linux

package ferrettest

import "os/exec"

func setDeathSignal(cmd *exec.Cmd) {}
