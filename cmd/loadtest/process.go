package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// targetProc is the target process, started by the load test.
type targetProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser // closing it asks the target to exit
	addrs []string       // bound loopback addresses, one per host
}

// startTarget re-executes this binary as the target on hosts loopback
// addresses. lifetime bounds the target even if nobody stops it.
func startTarget(hosts int, lifetime time.Duration) (*targetProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	cmd := exec.Command(exe, serveTargetFlag, strings.Join(loopbackAddrs(hosts), ","), lifetime.String())
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = targetAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	t := &targetProc{cmd: cmd, stdin: stdin}
	if t.addrs, err = awaitAddrs(stdout, hosts); err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

// awaitAddrs waits up to 10 s for the target to report its addresses.
func awaitAddrs(stdout io.Reader, hosts int) ([]string, error) {
	type result struct {
		addrs []string
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		a, err := readAddrs(stdout, hosts)
		ch <- result{a, err}
	}()
	select {
	case r := <-ch:
		return r.addrs, r.err
	case <-time.After(10 * time.Second):
		return nil, errTargetTimeout
	}
}

// stop asks the target to exit, kills it after 5 s, and returns the CPU
// time it used over its life.
func (t *targetProc) stop() time.Duration {
	_ = t.stdin.Close()
	done := make(chan struct{})
	go func() {
		_ = t.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = t.cmd.Process.Kill()
		<-done
	}
	return childCPU(t.cmd.ProcessState)
}
