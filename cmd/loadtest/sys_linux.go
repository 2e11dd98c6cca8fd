//go:build linux

package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// platformErr is nil: the measurements below are Linux's.
var platformErr error

// cpuSelf returns the CPU time, user plus system, this process used so far.
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // cannot fail for RUSAGE_SELF
	return rusageCPU(&ru)
}

func rusageCPU(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS returns this process's peak resident set size in bytes (Linux
// reports Maxrss in KiB).
func maxRSS() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss << 10
}

// childCPU returns the CPU time an exited child used, 0 if unknown.
func childCPU(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return rusageCPU(ru)
	}
	return 0
}

// targetAttr kills the target if the load test dies without cleaning up.
func targetAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// procMemory reads the resident set from /proc/self/status: its peak
// (VmHWM), its size now (VmRSS) and how much of it is anonymous memory
// (heaps, stacks) rather than mapped files (the binary's code); zeros if it
// cannot.
func procMemory() procMem {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return procMem{}
	}
	return parseStatus(b)
}

// parseStatus reads the Vm and Rss lines of a /proc/PID/status.
func parseStatus(b []byte) procMem {
	var m procMem
	fields := map[string]*int64{"VmHWM:": &m.hwm, "VmRSS:": &m.rss, "RssAnon:": &m.anon, "RssFile:": &m.file}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 {
			continue
		}
		if dst, ok := fields[string(f[0])]; ok {
			kib, _ := strconv.ParseInt(string(f[1]), 10, 64)
			*dst = kib << 10
		}
	}
	return m
}

// loadAvg returns the machine's 1-minute load average: other work on the
// same cores shows up as lateness and missed runs, so the report says how
// busy the machine was. -1 if unknown.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(string(f[0]), 64)
	if err != nil {
		return -1
	}
	return v
}

// procStat is what /proc says about another process: CPU time used so far
// (user plus system) and its resident set now and at its peak.
type procStat struct {
	cpu      time.Duration
	rss, hwm int64
}

// readProc reads /proc/PID/stat and /proc/PID/status.
func readProc(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	cpu, err := parseStatCPU(b)
	if err != nil {
		return procStat{}, err
	}
	st := procStat{cpu: cpu}
	if b, err = os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status"); err == nil {
		m := parseStatus(b)
		st.rss, st.hwm = m.rss, m.hwm
	}
	return st, nil
}

// machineCPU returns the machine's busy and total CPU time so far, summed
// over its cores, from /proc/stat's first line.
func machineCPU() (busy, total time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return parseMachineCPU(line)
}
