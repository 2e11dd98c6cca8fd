package store

import (
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// Standing is how one instance of a fleet stands, as its latest heartbeat
// found it: what the dashboard says about the instance serving it.
type Standing struct {
	Instance, Location string
	At                 time.Time // the latest heartbeat; zero before the first
	// Err: that heartbeat failed, the database is unreachable: the
	// instance claims no slot and records nothing until it answers.
	Err       error
	ConfigSHA string // this instance's config
	FleetSHA  string // the fleet's: that of most live instances ("" before the first heartbeat)
	Claiming  bool
	Locations []string // the locations of the live instances
	// StaleAfter is how old a location's latest result of a check may be
	// before it is stale: it then no longer votes. Nil: twice the
	// check's interval.
	StaleAfter func(ch checks.Check) time.Duration
}

// ConfigDiffers reports whether this instance runs another config than the
// fleet's: it then claims nothing until they match.
func (s Standing) ConfigDiffers() bool { return s.FleetSHA != "" && s.FleetSHA != s.ConfigSHA }
