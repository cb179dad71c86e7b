//go:build !unix

package browsertest

import "syscall"

// The supervisor is a POSIX shell script: elsewhere Start finds no
// /usr/bin/chromium and skips.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(int) {}
