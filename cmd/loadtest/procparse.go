package main

import (
	"bytes"
	"errors"
	"strconv"
	"time"
)

// parseStatCPU returns utime+stime of a /proc/PID/stat line. The command
// name (field 2) may hold spaces and parentheses, so fields are counted
// after its last ')': state is then the first, utime the 12th, stime the
// 13th.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("proc stat: no command name")
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, errors.New("proc stat: too few fields")
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, errors.New("proc stat: bad CPU time")
		}
		ticks += n
	}
	return ticksToDuration(ticks), nil
}

// parseMachineCPU reads /proc/stat's "cpu" line: busy is every column but
// idle and iowait; guest times are already inside user and nice.
func parseMachineCPU(line []byte) (busy, total time.Duration) {
	f := bytes.Fields(line)
	if len(f) < 5 || string(f[0]) != "cpu" {
		return 0, 0
	}
	var b, t int64
	for i, s := range f[1:min(len(f), 9)] { // user nice system idle iowait irq softirq steal
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, 0
		}
		t += n
		if i != 3 && i != 4 {
			b += n
		}
	}
	return ticksToDuration(b), ticksToDuration(t)
}

func ticksToDuration(t int64) time.Duration { return time.Duration(t) * time.Second / clockTicksHZ }

// clockTicksHZ is USER_HZ, the unit of /proc's CPU times: 100 on every
// Linux architecture Go supports.
const clockTicksHZ = 100
