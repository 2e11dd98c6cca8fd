package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// failCounter counts the failed logins a target sees, per user name, the
// way a directory's lockout counter would: a user name with a password
// that is not the user's.
type failCounter struct {
	mu     sync.Mutex
	failed map[string]int
}

func (f *failCounter) fail(user string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed[user]++
}

func (f *failCounter) count(user string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed[user]
}

// basicTarget is a Basic-protected resource on loopback: alice/right gets
// in, any other pair is a failed login for its user.
func basicTarget(t *testing.T) (*httptest.Server, *failCounter) {
	fc := &failCounter{failed: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if ok && user == "alice" && pass == "right-password" {
			w.Write([]byte("ok"))
			return
		}
		if ok {
			fc.fail(user)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="t", charset="UTF-8"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv, fc
}

func budgetCheck(name, url, canary string, lim LoginLimit) Check {
	return Check{Name: name, URL: url, Timeout: 2 * time.Second, FailedLogins: lim,
		Auth:   Credential{Kind: AuthBasic, Username: "alice", Password: "right-password", CanaryUser: canary},
		Probes: []ProbeSpec{{Kind: ProbeValid}, {Kind: ProbeMissing}, {Kind: ProbeMalformed}, {Kind: ProbeWrong}}}
}

// clock is a settable time for budgets.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func probeIn(r Result, k ProbeKind) ProbeResult {
	for _, p := range r.Probes {
		if p.Kind == k {
			return p
		}
	}
	return ProbeResult{}
}

// TestBudgetBoundsFailedLogins (item 10): two checks naming one account
// cause at most the budget's failed logins between them; the probes beyond
// it are skipped with the reason, and the window frees them again.
func TestBudgetBoundsFailedLogins(t *testing.T) {
	srv, fc := basicTarget(t)
	clk := &clock{t: time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)}
	rn := NewRunner(NewClient(2), NewMemoryBudget(clk.now), nil)
	lim := LoginLimit{Max: 3, Window: time.Hour}
	a, b := budgetCheck("a", srv.URL+"/a", "", lim), budgetCheck("b", srv.URL+"/b", "", lim)
	var last Result
	for range 5 {
		for _, ch := range []Check{a, b} {
			last = rn.Run(context.Background(), ch)
			clk.add(time.Minute)
		}
	}
	if n := fc.count("alice"); n != 3 {
		t.Fatalf("the target saw %d failed logins for alice, want the budget's 3", n)
	}
	p := probeIn(last, ProbeWrong)
	want := `skipped: failed-login budget for user "alice" exhausted, 3/3 in the last hour, resets at 15:00:00 UTC`
	if p.Skipped != want || p.Status != 0 || !p.Passed() || !last.Passed() {
		t.Fatalf("wrong probe beyond the budget: skipped %q status %d passed %v; want %q", p.Skipped, p.Status, last.Passed(), want)
	}
	if v := probeIn(last, ProbeValid); v.Status != 200 || v.Skipped != "" {
		t.Errorf("the valid probe must still run: %+v", v)
	}
	clk.add(time.Hour) // every counted failure has left the window
	if r := rn.Run(context.Background(), a); probeIn(r, ProbeWrong).Skipped != "" || fc.count("alice") != 4 {
		t.Fatalf("after the window: skipped %q, %d failed logins", probeIn(r, ProbeWrong).Skipped, fc.count("alice"))
	}
}

// TestWrongProbeNamesTheCanary (item 10): with canary_user the wrong probe
// sends the canary's name, never the real user's, and spends the
// canary's budget.
func TestWrongProbeNamesTheCanary(t *testing.T) {
	srv, fc := basicTarget(t)
	budget := NewMemoryBudget(time.Now)
	rn := NewRunner(NewClient(1), budget, nil)
	r := rn.Run(context.Background(), budgetCheck("c", srv.URL, "authmon-canary-lock", LoginLimit{}))
	if fc.count("alice") != 0 || fc.count("authmon-canary-lock") != 1 {
		t.Fatalf("failed logins: %v, want one for the canary and none for alice", fc.failed)
	}
	if p := probeIn(r, ProbeWrong); p.Status != 401 || !p.Passed() {
		t.Fatalf("wrong probe: %+v", p)
	}
	st, _ := budget.State(context.Background(), "Authmon-Canary-Lock", LoginLimit{})
	if st.Used != 1 || st.Limit != DefaultLoginLimit {
		t.Errorf("canary budget = %+v, want 1 of the default", st)
	}
}

// TestLoginAndTokenProbesSpendTheBudget (item 10): a login check's
// login_wrong and enumeration probes, and a token check's password grant,
// spend from the account's budget; enumeration all its pairs or none.
func TestLoginAndTokenProbesSpendTheBudget(t *testing.T) {
	fc := &failCounter{failed: map[string]int{}}
	srv := loginAPI(false, func(w http.ResponseWriter, r *http.Request, user, pass string) bool {
		if r.FormValue("grant_type") == "password" {
			fc.fail(r.FormValue("username"))
			w.WriteHeader(400)
			w.Write([]byte(`{"error":"invalid_grant"}`))
			return true
		}
		if pass != passwordCanary {
			fc.fail(user)
		}
		return false
	})
	t.Cleanup(srv.Close)
	budget := NewMemoryBudget(time.Now)
	rn := NewRunner(NewClient(1), budget, nil)
	login := loginCheck(t, srv, LoginSpec{})
	login.FailedLogins = LoginLimit{Max: 5, Window: time.Hour}
	login.Enumeration = &EnumerationSpec{Samples: 4, UnknownUser: "nobody-here"}
	login.Probes = append(login.Probes, ProbeSpec{Kind: ProbeEnumeration})

	r := rn.Run(context.Background(), login) // login_wrong 1 + enumeration 4 = 5
	if fc.count("canary") != 5 || probeIn(r, ProbeEnumeration).Skipped != "" {
		t.Fatalf("first run: %d failed logins for canary, enumeration %q", fc.count("canary"), probeIn(r, ProbeEnumeration).Skipped)
	}
	tok := Check{Name: "tok", Kind: KindToken, URL: srv.URL + "/token", Timeout: 2 * time.Second,
		FailedLogins: LoginLimit{Max: 5, Window: time.Hour},
		Token:        &TokenSpec{ClientID: "c", ClientSecret: "s3cret-client", Username: "canary"}}
	r = rn.Run(context.Background(), tok)
	p := probeIn(r, ProbeTokenPassword)
	if fc.count("canary") != 5 || !strings.HasPrefix(p.Skipped, `skipped: failed-login budget for user "canary" exhausted, 5/5 in the last hour`) {
		t.Fatalf("token_password beyond the budget: %d failed logins, skipped %q", fc.count("canary"), p.Skipped)
	}
}

func TestTally(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
	lim := LoginLimit{Max: 3, Window: time.Hour}
	tests := []struct {
		name   string
		times  []time.Time
		n      int
		ok     bool
		used   int
		resets time.Time
	}{
		{"empty", nil, 1, true, 0, time.Time{}},
		{"old ones do not count", []time.Time{ago(120), ago(61), ago(10)}, 1, true, 1, time.Time{}},
		{"the last one fits", []time.Time{ago(30), ago(10)}, 1, true, 2, time.Time{}},
		{"full: the oldest frees a place", []time.Time{ago(50), ago(30), ago(10)}, 1, false, 3, ago(50).Add(time.Hour)},
		{"two needed: the second oldest", []time.Time{ago(30), ago(10)}, 2, false, 2, ago(30).Add(time.Hour)},
		{"more than the limit at once", nil, 4, false, 0, now.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ok := Tally("u", tt.times, tt.n, lim, now)
			if ok != tt.ok || st.Used != tt.used || !st.Resets.Equal(tt.resets) {
				t.Fatalf("Tally = %+v, %v; want ok=%v used=%d resets=%s", st, ok, tt.ok, tt.used, tt.resets)
			}
		})
	}
}

func TestBudgetAccounts(t *testing.T) {
	basic := budgetCheck("p", "http://127.0.0.1:9", "", LoginLimit{})
	canary := budgetCheck("p", "http://127.0.0.1:9", "canary", LoginLimit{})
	noWrong := basic
	noWrong.Probes = noWrong.Probes[:3]
	bearer := Check{Auth: Credential{Kind: AuthBearer, Token: "t"}, Probes: []ProbeSpec{{Kind: ProbeWrong}}}
	login := Check{Kind: KindLogin, Auth: Credential{Kind: AuthBasic, Username: "Canary"},
		Login: &LoginSpec{CanaryUser: "locked"}, Enumeration: &EnumerationSpec{}}
	token := Check{Kind: KindToken, Token: &TokenSpec{Username: "pw-user"}}
	tests := []struct {
		name string
		ch   Check
		want []string
	}{
		{"basic wrong: the real user", basic, []string{"alice"}},
		{"basic wrong: the canary", canary, []string{"canary"}},
		{"no wrong probe", noWrong, nil},
		{"bearer names no account", bearer, nil},
		{"login: its canary once", login, []string{"locked"}},
		{"token password grant", token, []string{"pw-user"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BudgetAccounts(tt.ch); !slices.Equal(got, tt.want) {
				t.Fatalf("BudgetAccounts = %q, want %q", got, tt.want)
			}
		})
	}
}
