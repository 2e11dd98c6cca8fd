package config

import (
	"fmt"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// expiry reads expires_at: an RFC 3339 date-time (with an offset), or a
// date, which means the start of that day in UTC (the earliest reading,
// so the warning never comes late). TOML's own dates and date-times are
// taken too; a date-time without an offset is read as UTC.
type expiry struct{ time.Time }

func (e *expiry) setTOML(v any) error {
	const want = "an RFC 3339 date or date-time such as 2027-03-31 or 2027-03-31T12:00:00Z"
	switch x := v.(type) {
	case time.Time:
		e.Time = x.UTC()
	case toml.LocalDate:
		e.Time = x.AsTime(time.UTC)
	case toml.LocalDateTime:
		e.Time = x.AsTime(time.UTC)
	case string:
		t, err := time.Parse(time.RFC3339, x)
		if err != nil {
			t, err = time.Parse(time.DateOnly, x)
		}
		if err != nil {
			return fmt.Errorf("%q is not %s", clipID(x), want)
		}
		e.Time = t.UTC()
	default:
		return fmt.Errorf("expected %s, got %s", want, kindOf(v))
	}
	return nil
}

// expiryWarn reads expiry_warn_days: how long before the monitor's own
// certificate or secret expires A7 warns; left out, the default.
func expiryWarn(c *collector, key string, days *int64) time.Duration {
	if days == nil {
		return 0 // checks.DefaultExpiryWarnDays
	}
	if *days < 1 || *days > 365 {
		c.add(key, "must be between 1 and 365 days")
		return 0
	}
	return time.Duration(*days) * 24 * time.Hour
}
