package web

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/store"
)

// silenceView is one active silence: until when, why, and the checks it
// holds quiet. Silences of one [[silence]] entry are told apart by their
// reason and end.
type silenceView struct {
	Reason string
	Until  time.Time
	Checks []string
}

// Text is the silence in one line, e.g. "until 04:00 UTC (2h): weekly deploy".
func (s silenceView) Text(now time.Time) string {
	line := fmt.Sprintf("until %s (%s)", fmtTime(s.Until), alert.Humanize(s.Until.Sub(now)))
	if s.Reason != "" {
		line += ": " + s.Reason
	}
	return line
}

// ChecksText names the checks a silence covers, or "every check".
func (s silenceView) ChecksText(total int) string {
	if len(s.Checks) == total && total > 1 {
		return "every check"
	}
	return strings.Join(s.Checks, ", ")
}

// activeSilences lists the silences covering now, for check or (check "")
// for every check, soonest end first.
func (h *handler) activeSilences(check string, now time.Time) []silenceView {
	if h.Policies == nil {
		return nil
	}
	pols := h.Policies()
	byKey := map[string]*silenceView{}
	for _, name := range slices.Sorted(maps.Keys(pols)) {
		if check != "" && name != check {
			continue
		}
		for _, s := range pols[name].ActiveSilences(now) {
			v := silenceView{Reason: s.Reason, Until: s.Until(now)}
			key := v.Reason + "\x00" + v.Until.String()
			if byKey[key] == nil {
				byKey[key] = &v
			}
			byKey[key].Checks = append(byKey[key].Checks, name)
		}
	}
	out := make([]silenceView, 0, len(byKey))
	for _, v := range byKey {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b silenceView) int {
		return a.Until.Compare(b.Until)*2 + strings.Compare(a.Reason, b.Reason)
	})
	return out
}

// deliveryLine is "Slack failing since 16:40 UTC (5m), 12 waiting" (or
// "Channel pager failing …", for a named channel) while
// notifications fail to go out; "" otherwise.
func deliveryLine(d store.DeliveryStatus, now time.Time) string {
	if !d.Failing() {
		return ""
	}
	who := "Slack"
	if d.Channel != "" {
		who = "Channel " + d.Channel
	}
	line := fmt.Sprintf("%s failing since %s (%s), %d waiting", who, fmtTime(d.FailingSince),
		alert.Humanize(now.Sub(d.FailingSince)), d.Waiting)
	if d.LastError != "" {
		line += ". Last error: " + d.LastError
	}
	return line
}
