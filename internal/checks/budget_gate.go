package checks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// gate is one run's access to the failed-login budget.
type gate struct {
	b     Budget // nil: nothing is counted and nothing refused
	check string
	lim   LoginLimit
}

// spend asks the budget for n failed logins of user before probe k sends
// them. When they are refused, or the budget cannot be read, the probe is
// not sent: skip is its result, saying why. An unreadable budget refuses,
// since the monitor cannot then tell how close the account is to a lockout.
func (g gate) spend(ctx context.Context, user string, n int, k ProbeKind, method, url string) (skip ProbeResult, ok bool) {
	if g.b == nil {
		return ProbeResult{}, true
	}
	st, ok, err := g.b.Spend(ctx, user, n, g.lim, g.check)
	switch {
	case err != nil:
		return skippedFor(k, method, url, fmt.Sprintf("skipped: the failed-login budget for user %q could not be read (%v); "+
			"not sent, so that the account cannot be locked out", user, err)), false
	case !ok:
		return skippedFor(k, method, url, budgetReason(st, n)), false
	}
	return ProbeResult{}, true
}

// budgetReason is "skipped: failed-login budget for user "x" exhausted,
// 20/20 in the last hour, resets at 14:05:00 UTC".
func budgetReason(st BudgetState, n int) string {
	need := ""
	if n > 1 {
		need = fmt.Sprintf(" (this probe needs %d)", n)
	}
	return fmt.Sprintf("skipped: failed-login budget for user %q exhausted, %s%s, resets at %s",
		st.Account, st, need, st.Resets.UTC().Format(time.TimeOnly+" UTC"))
}

// skippedFor is a probe that was not sent: nothing to judge, and the reason.
func skippedFor(k ProbeKind, method, url, why string) ProbeResult {
	return ProbeResult{Kind: k, Method: method, URL: url, Skipped: why, Assertions: []Assertion{}}
}

// BudgetAccounts lists the user names whose failed-login budget ch's
// probes spend from, in probe order, each once: the name a Basic wrong
// probe sends, a login check's canary user, a token check's password-grant
// user.
func BudgetAccounts(ch Check) []string {
	var out []string
	add := func(user string) {
		if user != "" && !slices.ContainsFunc(out, func(u string) bool { return AccountKey(u) == AccountKey(user) }) {
			out = append(out, user)
		}
	}
	switch ch.Kind {
	case KindLogin:
		for _, k := range kindsOf(ch, KindLogin) {
			if k == ProbeLoginWrong || k == ProbeEnumeration && ch.Enumeration != nil {
				add(canaryUser(ch, loginSpecOf(ch)))
			}
		}
	case KindToken:
		if ch.Token != nil && slices.Contains(kindsOf(ch, KindToken), ProbeTokenPassword) {
			add(ch.Token.Username)
		}
	case KindDiscovery:
	default:
		if (ch.Auth.Kind == AuthBasic || ch.Auth.Kind == AuthDigest) && slices.ContainsFunc(ch.Probes, func(s ProbeSpec) bool { return s.Kind == ProbeWrong }) {
			add(cmp.Or(ch.Auth.CanaryUser, ch.Auth.Username)) // as wrongCredential sends it
		}
	}
	return out
}
