//go:build !linux

package main

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// platformErr stops the load test early: its figures (rusage units, /proc)
// are Linux's, and a number in the wrong unit is worse than none.
var platformErr = errors.New("loadtest measures Linux processes only")

func cpuSelf() time.Duration                  { return 0 }
func maxRSS() int64                           { return 0 }
func childCPU(*os.ProcessState) time.Duration { return 0 }
func targetAttr() *syscall.SysProcAttr        { return nil }
func procMemory() procMem                     { return procMem{} }
func loadAvg() float64                        { return -1 }

type procStat struct {
	cpu      time.Duration
	rss, hwm int64
}

func readProc(int) (procStat, error)          { return procStat{}, platformErr }
func machineCPU() (busy, total time.Duration) { return 0, 0 }
