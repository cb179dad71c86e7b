// Package proctest runs a server program as a child process of a test:
// started so that it dies with the test binary (a parent-death signal, on
// Linux), stopped gently or killed as a crash would, and started again.
package proctest

import (
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is a child process that can be started again after it stops.
// Its methods are safe for concurrent use.
type Process struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start starts cmd, so that the kernel kills it if the test process dies
// without cleaning up (on Linux), and returns a channel closed when it
// exits. A process still running from an earlier Start is left alone:
// stop it first.
func (p *Process) Start(cmd *exec.Cmd) (exited <-chan struct{}, err error) {
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	return done, nil
}

// Kill stops the process with SIGKILL, as a crash would, and waits for it
// to exit.
func (p *Process) Kill() { p.signal(syscall.SIGKILL, 0) }

// Stop stops the process with SIGTERM and waits for it to exit, killing it
// if it has not after ten seconds. Stop is idempotent.
func (p *Process) Stop() { p.signal(syscall.SIGTERM, 10*time.Second) }

func (p *Process) signal(sig syscall.Signal, grace time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(sig)
		if grace > 0 {
			select {
			case <-p.done:
			case <-time.After(grace):
				_ = p.cmd.Process.Kill()
			}
		}
		<-p.done
	}
	p.cmd = nil
}
