package checks

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Negative probes that present an account's name with a bad secret (a
// protected Basic check's wrong probe, a login check's login_wrong and
// enumeration probes, a token check's token_password) are failed logins
// for that account, and identity providers lock accounts out after a few.
// Each such probe first spends from the account's failed-login budget,
// shared by every check naming the account; a probe the budget does not
// allow is not sent and records why.

// LoginLimit bounds the failed logins the monitor causes for one account:
// at most Max in any Window.
type LoginLimit struct {
	Max    int
	Window time.Duration
}

// DefaultLoginLimit is the limit of an account nothing configures. The
// window slides, so this is also the most in any burst: it stays below the
// strictest common lockout policies (CIS: 5 failures in 15 minutes; Active
// Directory's baseline: 10) with room for the account's own mistakes.
var DefaultLoginLimit = LoginLimit{Max: 3, Window: 30 * time.Minute}

// OrDefault is l, or DefaultLoginLimit when l is unset.
func (l LoginLimit) OrDefault() LoginLimit {
	if l.Max <= 0 || l.Window <= 0 {
		return DefaultLoginLimit
	}
	return l
}

// String is "20 per 1h0m0s".
func (l LoginLimit) String() string { return fmt.Sprintf("%d per %s", l.Max, l.Window) }

// BudgetState is one account's budget at a moment.
type BudgetState struct {
	Account string // the user name as sent
	Used    int    // failed logins counted in the last Window
	Limit   LoginLimit
	// Resets is when enough counted failures leave the window for the
	// spend that was asked for (one, for State); zero when there is room.
	Resets time.Time
}

// Exhausted reports whether no failed login is allowed now.
func (s BudgetState) Exhausted() bool { return s.Used >= s.Limit.Max }

// String is "12/20 in the last hour".
func (s BudgetState) String() string {
	return fmt.Sprintf("%d/%d in the last %s", s.Used, s.Limit.Max, windowWords(s.Limit.Window))
}

// Budget counts failed logins per account across every check and run. It
// must be shared by all checks (one value built at start) and should
// survive a restart: a crash loop must not reset it.
type Budget interface {
	// Spend counts n failed logins of account for check at the budget's
	// now, if lim allows them all; otherwise it counts none and reports
	// false. The state is the one before the spend.
	Spend(ctx context.Context, account string, n int, lim LoginLimit, check string) (BudgetState, bool, error)
	// State reads an account's budget without spending.
	State(ctx context.Context, account string, lim LoginLimit) (BudgetState, error)
}

// AccountKey is the key an account is counted under: user names compare
// without case and surrounding space, as most directories do, so that
// "Alice" and "alice" spend from one budget.
func AccountKey(user string) string { return strings.ToLower(strings.TrimSpace(user)) }

// Tally judges a spend of n failed logins of account at now against the
// failures already counted (their times, oldest first, any age). It is the
// rule every Budget applies.
func Tally(account string, times []time.Time, n int, lim LoginLimit, now time.Time) (BudgetState, bool) {
	lim = lim.OrDefault()
	from := now.Add(-lim.Window)
	var in []time.Time
	for _, t := range times {
		if t.After(from) {
			in = append(in, t)
		}
	}
	st := BudgetState{Account: account, Used: len(in), Limit: lim}
	over := len(in) + max(n, 1) - lim.Max
	if over <= 0 {
		return st, true
	}
	if over <= len(in) {
		st.Resets = in[over-1].Add(lim.Window)
	} else {
		st.Resets = now.Add(lim.Window) // n alone is more than the limit
	}
	return st, false
}

// MemoryBudget is a Budget kept in memory: for one-off runs (monitor
// check) and tests. A long-running monitor keeps its budget in the store.
type MemoryBudget struct {
	mu    sync.Mutex
	now   func() time.Time
	spent map[string][]time.Time
}

// NewMemoryBudget returns an empty budget reading the time from now.
func NewMemoryBudget(now func() time.Time) *MemoryBudget {
	return &MemoryBudget{now: now, spent: map[string][]time.Time{}}
}

// Spend implements Budget.
func (b *MemoryBudget) Spend(_ context.Context, account string, n int, lim LoginLimit, _ string) (BudgetState, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now, key := b.now(), AccountKey(account)
	st, ok := Tally(account, b.spent[key], n, lim, now)
	if ok {
		for range max(n, 1) {
			b.spent[key] = append(b.spent[key], now)
		}
	}
	return st, ok, nil
}

// State implements Budget.
func (b *MemoryBudget) State(_ context.Context, account string, lim LoginLimit) (BudgetState, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, _ := Tally(account, b.spent[AccountKey(account)], 1, lim, b.now())
	return st, nil
}

// windowWords is "hour", "30 minutes", "2 hours", "1h30m0s".
func windowWords(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "hour"
	case d == time.Minute:
		return "minute"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d%time.Minute == 0 && d < time.Hour:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}
