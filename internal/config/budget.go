package config

import (
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// Bounds of the failed-login budget keys.
const (
	maxLoginBudget = 10_000
	minLoginWindow = time.Minute
	maxLoginWindow = 7 * 24 * time.Hour // the store keeps failed logins 31 days
)

// budgetKeys are failed_login_budget and failed_login_window, in [defaults]
// and in a credential set that names an account (basic, login).
type budgetKeys struct {
	FailedLoginBudget *int64   `toml:"failed_login_budget"` // nil: not set; 0 is refused
	FailedLoginWindow duration `toml:"failed_login_window"`
}

// loginLimit validates the budget keys under key, over fallback: a key not
// set keeps the fallback's value.
func loginLimit(c *collector, key string, k budgetKeys, fallback checks.LoginLimit) checks.LoginLimit {
	lim := fallback
	if k.FailedLoginBudget != nil {
		if n := *k.FailedLoginBudget; n < 1 || n > maxLoginBudget {
			c.add(key+".failed_login_budget", "must be between 1 and %d failed logins per window "+
				"(to send none for this account, leave its wrong-password probes out with probes = [...], or set canary_user)", maxLoginBudget)
		} else {
			lim.Max = int(n)
		}
	}
	if w := k.FailedLoginWindow; w.set {
		if w.Duration < minLoginWindow || w.Duration > maxLoginWindow {
			c.add(key+".failed_login_window", "must be between %s and %s (the window your lockout policy counts failures in)",
				minLoginWindow, "168h")
		} else {
			lim.Window = w.Duration
		}
	}
	return lim
}

// applyLoginLimits gives every check the failed-login limit it spends
// under: its credential set's, else [defaults], else
// checks.DefaultLoginLimit (left as the zero value).
func applyLoginLimits(c *collector, d budgetKeys, list []checks.Check) {
	global := loginLimit(c, "defaults", d, checks.DefaultLoginLimit)
	for i := range list {
		lim, own := global, list[i].Auth.FailedLogins // the set's own values, over the global ones
		if own.Max > 0 {
			lim.Max = own.Max
		}
		if own.Window > 0 {
			lim.Window = own.Window
		}
		if lim != checks.DefaultLoginLimit { // the zero value already means the default
			list[i].FailedLogins = lim
		}
	}
}
