package checks

import (
	"context"
	"errors"
	"sync"
	"time"
)

// tokenCache holds one obtained credential until it expires. Concurrent
// gets of a missing or expired credential share one fetch; a waiter whose
// context ends stops waiting without cancelling the fetch of the others.
type tokenCache struct {
	now func() time.Time

	mu      sync.Mutex
	cred    Credential
	until   time.Time
	have    bool
	pending *fetch
}

type fetch struct {
	done chan struct{}
	cred Credential
	err  error
}

func (c *tokenCache) get(ctx context.Context, obtain func(context.Context) (Credential, time.Time, error)) (Credential, error) {
	c.mu.Lock()
	if c.have && c.now().Before(c.until) {
		cred := c.cred
		c.mu.Unlock()
		return cred, nil
	}
	f := c.pending
	if f == nil {
		f = &fetch{done: make(chan struct{})}
		c.pending = f
		go c.run(ctx, f, obtain)
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.cred, f.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Credential{}, errors.New("timed out waiting for a token")
		}
		return Credential{}, errors.New("cancelled while waiting for a token")
	}
}

// run fetches once for every waiter. It uses the first waiter's context
// values without its cancellation, bounded by the first waiter's deadline
// (or kindTimeout), so that a hung endpoint cannot hold the cache forever.
func (c *tokenCache) run(ctx context.Context, f *fetch, obtain func(context.Context) (Credential, time.Time, error)) {
	d, ok := ctx.Deadline()
	if !ok {
		d = time.Now().Add(kindTimeout)
	}
	fctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), d)
	defer cancel()
	cred, until, err := obtain(fctx)
	c.mu.Lock()
	c.pending = nil
	if err == nil {
		c.cred, c.until, c.have = cred, until, true
	}
	c.mu.Unlock()
	f.cred, f.err = cred, err
	close(f.done)
}

// invalidate drops the cached credential if it is the one refused (or if
// the refused one is unknown), so that the next get fetches a new one.
func (c *tokenCache) invalidate(refused Credential) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.have {
		return
	}
	same := refused.Token == c.cred.Token && refused.Value == c.cred.Value && refused.Key == c.cred.Key
	empty := refused.Token == "" && refused.Value == "" && refused.Key == ""
	if same || empty {
		c.have = false
	}
}
