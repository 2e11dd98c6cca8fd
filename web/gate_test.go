package web

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

// queued waits until the gate holds n waiters (bounded: the goroutines
// only have to reach the queue).
func queued(t *testing.T, g *bcryptGate, n int) {
	t.Helper()
	for range 1_000_000 {
		g.mu.Lock()
		got := len(g.known) + len(g.strangers)
		g.mu.Unlock()
		if got == n {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("the gate never held %d waiters", n)
}

// TestBcryptGate (item 21): with every slot taken, a known client's login
// goes ahead of strangers that queued before it, strangers beyond the bound
// are turned away at once, and a waiter that gives up leaves no slot behind.
func TestBcryptGate(t *testing.T) {
	g := newBcryptGate(1, 2)
	ctx := context.Background()
	if err := g.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 4)
	wait := func(name string, known bool) {
		go func() {
			if err := g.acquire(ctx, known); err != nil {
				order <- name + ": " + err.Error()
				return
			}
			order <- name
		}()
	}
	wait("stranger 1", false)
	queued(t, g, 1)
	gone, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- g.acquire(gone, false) }()
	queued(t, g, 2)
	if err := g.acquire(ctx, false); !errors.Is(err, errGateFull) {
		t.Errorf("a third stranger: %v, want errGateFull", err)
	}
	wait("known", true)
	queued(t, g, 3)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("a waiter that gave up: %v", err)
	}
	for _, want := range []string{"known", "stranger 1"} {
		g.release()
		if got := <-order; got != want {
			t.Errorf("slot went to %q, want %q", got, want)
		}
	}
	g.release()
	if g.free != 1 || len(g.known)+len(g.strangers) != 0 {
		t.Errorf("after every release: %d free, %d waiting; want 1 and 0", g.free, len(g.known)+len(g.strangers))
	}
}
