package web

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// errGateFull says too many strangers' logins already wait for bcrypt.
var errGateFull = errors.New("too many logins waiting to be checked")

// bcryptGate bounds the bcrypt comparisons running at once, so that a flood
// of wrong passwords cannot take every core, and orders those waiting: a
// login from a client that has logged in as that user before goes ahead of
// every stranger, and strangers queue up to a bound beyond which they are
// turned away at once. (Verified logins are cached and never come here.)
type bcryptGate struct {
	mu           sync.Mutex
	free         int
	known        []chan struct{} // waiting, first come first served
	strangers    []chan struct{}
	maxStrangers int
}

func newBcryptGate(slots, maxStrangers int) *bcryptGate {
	return &bcryptGate{free: slots, maxStrangers: maxStrangers}
}

// acquire waits for a slot; the caller must release it.
func (g *bcryptGate) acquire(ctx context.Context, known bool) error {
	g.mu.Lock()
	if g.free > 0 {
		g.free--
		g.mu.Unlock()
		return nil
	}
	queue := &g.strangers
	if known {
		queue = &g.known
	} else if len(g.strangers) >= g.maxStrangers {
		g.mu.Unlock()
		return errGateFull
	}
	ch := make(chan struct{})
	*queue = append(*queue, ch)
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		i := slices.Index(*queue, ch)
		if i >= 0 {
			*queue = slices.Delete(*queue, i, i+1)
		}
		g.mu.Unlock()
		if i < 0 { // the slot was handed over as the context ended
			g.release()
		}
		return ctx.Err()
	}
}

// release hands the slot to the first waiting known client, else to the
// first stranger, else frees it.
func (g *bcryptGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, q := range []*[]chan struct{}{&g.known, &g.strangers} {
		if len(*q) > 0 {
			close((*q)[0])
			*q = slices.Delete(*q, 0, 1)
			return
		}
	}
	g.free++
}
