//go:build !linux

package proc

import (
	"errors"
	"time"
)

func cpuTime(int) (time.Duration, error) {
	return 0, errors.New("proc: CPU time is read from /proc, which only Linux has")
}

func machineCPU() (time.Duration, error) {
	return 0, errors.New("proc: CPU time is read from /proc, which only Linux has")
}

func treeCPU(int) (time.Duration, error) {
	return 0, errors.New("proc: CPU time is read from /proc, which only Linux has")
}
