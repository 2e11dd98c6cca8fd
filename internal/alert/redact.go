package alert

import "github.com/authmon/monitor/internal/redact"

// redactEvent returns ev with every text a message shows run through red,
// right before it is sent: evidence was redacted when recorded, but a
// secret added since (a reload) or text from elsewhere must not go out.
func redactEvent(red *redact.Redactor, ev Event) Event {
	ev.Check = red.String(ev.Check)
	ev.DashboardURL = red.URL(ev.DashboardURL)
	ev.Added = redactAll(red, ev.Added)
	regs := make([]Regression, len(ev.Regressions))
	for i, r := range ev.Regressions {
		r.Key, r.Before = red.String(r.Key), red.String(r.Before)
		f := &r.Failure
		f.URL, f.Method = red.URL(f.URL), red.String(f.Method)
		a := &f.Assertion
		a.Expected, a.Got, a.Reason, a.Deviation = red.String(a.Expected), red.String(a.Got), red.String(a.Reason), red.String(a.Deviation)
		regs[i] = r
	}
	if ev.Regressions != nil {
		ev.Regressions = regs
	}
	return ev
}

func redactAll(red *redact.Redactor, ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = red.String(s)
	}
	return out
}
