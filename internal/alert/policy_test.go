package alert

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func TestSilenceUntil(t *testing.T) {
	daily, _ := cron.ParseStandard("0 12 * * *")
	rec := Silence{Schedule: daily, Duration: 3 * time.Hour}
	fixed := Silence{Start: t0, End: t0.Add(time.Hour)}
	for _, c := range []struct {
		s        Silence
		at, want time.Time
	}{
		{rec, t0.Add(time.Hour), t0.Add(3 * time.Hour)},
		{rec, t0.Add(4 * time.Hour), t0.Add(4 * time.Hour)}, // not active: itself
		{fixed, t0.Add(time.Minute), t0.Add(time.Hour)},
	} {
		if got := c.s.Until(c.at); !got.Equal(c.want) {
			t.Errorf("Until(%s) = %s, want %s", c.at, got, c.want)
		}
	}
}
