package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

// procMem is the resident set as /proc/self/status tells it, in bytes.
type procMem struct{ hwm, rss, anon, file int64 }

// memPeaks are the highest memory readings seen by a memSampler.
type memPeaks struct {
	atPeak    procMem // the sample with the largest VmRSS
	goAtPeak  int64   // memory the Go runtime held then (heap, stacks, its own)
	heapInuse int64   // largest Go heap in use
	heapEnd   int64   // Go heap in use at the last sample
	// The window's samples: their VmRSS and Go heap in use summed, for the
	// means.
	rssSum, heapSum, n int64
}

// memSampler reads memory four times a second. Maxrss and VmHWM give the
// peak but not what holds it; the samples split it into mapped files (the
// binary's code), the Go runtime's memory and the rest (SQLite's own
// allocator).
type memSampler struct {
	win   window // the samples the means are taken over
	mu    sync.Mutex
	peaks memPeaks
	stop  context.CancelFunc
	done  chan struct{}
}

// startMemSampler takes a first sample now and then samples until finish.
// The means are taken over the samples in win.
func startMemSampler(win window) *memSampler {
	ctx, cancel := context.WithCancel(context.Background())
	m := &memSampler{win: win, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// sample reads the Go runtime's statistics and /proc; ReadMemStats stops the
// world for microseconds, a cost four times a second does not show.
func (m *memSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	pm := procMemory()
	m.mu.Lock()
	defer m.mu.Unlock()
	if pm.rss > m.peaks.atPeak.rss {
		m.peaks.atPeak = pm
		m.peaks.goAtPeak = int64(ms.Sys - ms.HeapReleased)
	}
	m.peaks.heapInuse = max(m.peaks.heapInuse, int64(ms.HeapInuse))
	m.peaks.heapEnd = int64(ms.HeapInuse)
	if m.win.contains(time.Now()) {
		m.peaks.rssSum += pm.rss
		m.peaks.heapSum += int64(ms.HeapInuse)
		m.peaks.n++
	}
}

// means returns the window's mean VmRSS and Go heap in use, in bytes.
func (p memPeaks) means() (rss, heap int64) {
	if p.n == 0 {
		return 0, 0
	}
	return p.rssSum / p.n, p.heapSum / p.n
}

// finish stops sampling and returns the peaks.
func (m *memSampler) finish() memPeaks {
	m.stop()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peaks
}

// dbSize returns the size of the database file and its WAL, if any.
func dbSize(path string) (int64, error) {
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) && p != path {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("db size: %w", err)
		}
		total += fi.Size()
	}
	return total, nil
}

// sleepUntil waits for t or for ctx, and says whether t was reached.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
