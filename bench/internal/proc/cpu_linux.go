package proc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc's CPU times, USER_HZ, which is 100 on
// every Linux platform Go supports.
const clockTick = 10 * time.Millisecond

// cpuTime returns the user plus system CPU time the process pid and all
// its threads have used, from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	st, err := readStat(pid)
	if err != nil {
		return 0, err
	}
	return st.own, nil
}

// treeCPU returns the CPU time of the process pid, of its children that
// have exited and been waited for, and of its children still running (one
// level: PostgreSQL's backends are the postmaster's children).
func treeCPU(pid int) (time.Duration, error) {
	st, err := readStat(pid)
	if err != nil {
		return 0, err
	}
	total := st.own + st.children
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		// A child may exit between the listing and the read: skip it (its
		// time moves to the parent's children's time).
		if cs, err := readStat(child); err == nil && cs.ppid == pid {
			total += cs.own + cs.children
		}
	}
	return total, nil
}

// stat is what cpuTime and treeCPU read from /proc/PID/stat.
type stat struct {
	ppid     int
	own      time.Duration // utime + stime
	children time.Duration // cutime + cstime: waited-for children
}

func readStat(pid int) (stat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, err
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count fields from the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return stat{}, fmt.Errorf("proc: malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), f[1] field 4 (ppid); utime, stime, cutime
	// and cstime are fields 14 to 17.
	if len(f) < 15 {
		return stat{}, fmt.Errorf("proc: short /proc/%d/stat", pid)
	}
	var v [5]int64
	for j, k := range []int{1, 11, 12, 13, 14} {
		if v[j], err = strconv.ParseInt(f[k], 10, 64); err != nil {
			return stat{}, fmt.Errorf("proc: malformed /proc/%d/stat", pid)
		}
	}
	return stat{
		ppid:     int(v[0]),
		own:      time.Duration(v[1]+v[2]) * clockTick,
		children: time.Duration(v[3]+v[4]) * clockTick,
	}, nil
}

// machineCPU returns the busy time of all the machine's cores (everything
// but idle and iowait) since boot, from /proc/stat.
func machineCPU() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, errors.New("proc: malformed /proc/stat")
	}
	var busy int64
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, errors.New("proc: malformed /proc/stat")
		}
		// Fields: user nice system idle iowait irq softirq steal guest
		// guest_nice; guest time is already counted in user and nice.
		if i != 3 && i != 4 && i < 8 {
			busy += n
		}
	}
	return time.Duration(busy) * clockTick, nil
}
