package scheduler

import (
	"context"
	"net/url"
	"strings"
	"sync"
)

// Default limits on running checks, the same as the config's defaults.
const (
	DefaultMaxConcurrency = 256
	DefaultMaxPerHost     = 8
)

// limiter bounds the checks running at once, in total and per target host,
// with semaphores (buffered channels).
type limiter struct {
	global  chan struct{}
	perHost int

	mu    sync.Mutex
	hosts map[string]*hostSlots // only hosts with a run waiting or running
}

type hostSlots struct {
	sem   chan struct{}
	users int
}

func newLimiter(global, perHost int) *limiter {
	if global < 1 {
		global = DefaultMaxConcurrency
	}
	if perHost < 1 {
		perHost = DefaultMaxPerHost
	}
	return &limiter{global: make(chan struct{}, global), perHost: perHost, hosts: map[string]*hostSlots{}}
}

// acquire waits for a slot for host, then for a global one, until ctx ends.
// The host slot comes first: a run waiting for a busy host must not hold one
// of the global slots that runs against other hosts could use.
func (l *limiter) acquire(ctx context.Context, host string) (release func(), err error) {
	h := l.join(host)
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		l.leave(host, h)
		return nil, ctx.Err()
	}
	select {
	case l.global <- struct{}{}:
	case <-ctx.Done():
		<-h.sem
		l.leave(host, h)
		return nil, ctx.Err()
	}
	return func() {
		<-l.global
		<-h.sem
		l.leave(host, h)
	}, nil
}

func (l *limiter) join(host string) *hostSlots {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hosts[host]
	if h == nil {
		h = &hostSlots{sem: make(chan struct{}, l.perHost)}
		l.hosts[host] = h
	}
	h.users++
	return h
}

func (l *limiter) leave(host string, h *hostSlots) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h.users--; h.users == 0 {
		delete(l.hosts, host)
	}
}

// hostOf is the key of the per-host limit: host:port as in the URL, lower
// case (the HTTP client pools connections the same way).
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return strings.ToLower(u.Host)
}
