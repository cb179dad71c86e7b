// Package proc runs the benchmark's servers as child processes: it starts
// one, logs its output to a file, waits for the line that says it is
// ready, and stops it with SIGTERM (then SIGKILL).
package proc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Proc is a running child process.
type Proc struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{} // closed when the process has exited
	err  error         // the Wait error, set before done is closed
}

// Start starts cmd with its standard output and error appended to the file
// logPath, and waits, at most timeout, for a line of its standard output
// that matches ready. It returns the line's first submatch (the whole
// match if ready has no group). The process is killed if the benchmark
// process dies (on Linux).
func Start(ctx context.Context, cmd *exec.Cmd, logPath string, ready *regexp.Regexp, timeout time.Duration) (*Proc, string, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		log.Close()
		return nil, "", err
	}
	cmd.Stderr = log
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, "", fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	p := &Proc{cmd: cmd, log: log, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		announce := found
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			if m := ready.FindStringSubmatch(line); m != nil && announce != nil {
				announce <- m[len(m)-1]
				announce = nil
			}
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case v := <-found:
		return p, v, nil
	case <-p.done:
		log.Close()
		return nil, "", fmt.Errorf("%s exited before it was ready (%v); its log, %s, ends with:\n%s", cmd.Path, p.err, logPath, tail(logPath, 20))
	case <-timer.C:
		p.Stop()
		return nil, "", fmt.Errorf("%s was not ready within %v; see %s", cmd.Path, timeout, logPath)
	case <-ctx.Done():
		p.Stop()
		return nil, "", ctx.Err()
	}
}

// Stop sends SIGTERM, waits up to 10 seconds for the process to exit,
// then kills it. It returns an error if the process had to be killed or
// exited with a failure status other than from SIGTERM.
func (p *Proc) Stop() error { return p.StopWith(syscall.SIGTERM) }

// StopWith is Stop with another signal than SIGTERM: SIGINT is
// PostgreSQL's fast shutdown, where SIGTERM waits for every client to
// disconnect.
func (p *Proc) StopWith(sig syscall.Signal) error {
	defer p.log.Close()
	select {
	case <-p.done:
		return p.exitError()
	default:
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
		return p.exitError()
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within 10s of %v and was killed", p.cmd.Path, sig)
	}
}

func (p *Proc) exitError() error {
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
			return nil
		}
	}
	return p.err
}

// tail returns the last n lines of the file at path, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// CPU returns the CPU time, user plus system, the process has used so far
// (Linux only).
func (p *Proc) CPU() (time.Duration, error) { return cpuTime(p.cmd.Process.Pid) }

// TreeCPU returns the CPU time the process and its children have used so
// far, including children that have exited (Linux only). For servers made
// of processes, such as PostgreSQL.
func (p *Proc) TreeCPU() (time.Duration, error) { return treeCPU(p.cmd.Process.Pid) }

// Pid returns the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// MachineCPU returns the CPU time all the machine's cores have been busy
// since boot, whatever ran on them (Linux only).
func MachineCPU() (time.Duration, error) { return machineCPU() }

// SelfCPU returns the CPU time the calling process has used (Linux only).
func SelfCPU() (time.Duration, error) { return cpuTime(os.Getpid()) }
