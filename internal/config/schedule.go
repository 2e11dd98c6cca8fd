package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // CRON_TZ zones resolve in a static binary on an image without zoneinfo

	"github.com/robfig/cron/v3"

	"github.com/authmon/monitor/internal/checks"
)

const scheduleHint = `use 5-field cron such as "*/5 * * * *", "@every 30s", or a zone first: "CRON_TZ=Europe/Berlin 0 9 * * *"`

// checkSchedule validates a check's schedule: it must parse, and an
// interval must be at least a second (cron accepts "@every 0s" and runs it
// every second).
func checkSchedule(c *collector, key, spec string) {
	if _, err := parseSchedule(spec); err != nil {
		c.add(key, "invalid schedule %q: %v (%s)", spec, err, scheduleHint)
		return
	}
	_, rest := splitZone(spec)
	if every, ok := strings.CutPrefix(rest, "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(every)); err == nil && d < time.Second {
			c.add(key, "invalid schedule %q: the interval must be at least 1s", spec)
		}
	}
}

// parseSchedule parses spec as the scheduler will. robfig/cron panics on
// some input ("TZ=UTC", a zone prefix with nothing after it): its zone
// prefix is checked first, and any other panic is a refused schedule, never
// a crash of `validate` or of a running monitor's reload.
func parseSchedule(spec string) (sched cron.Schedule, err error) {
	zone, rest := splitZone(spec)
	if zone != nil {
		if *zone == "" || strings.TrimSpace(rest) == "" || !strings.Contains(spec, " ") {
			return nil, errors.New("a time zone prefix needs a zone and a schedule after it, separated by a space")
		}
		if _, err := time.LoadLocation(*zone); err != nil {
			return nil, fmt.Errorf("unknown time zone %q (use an IANA name such as Europe/Berlin or UTC)", *zone)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, errors.New("the cron parser cannot read it")
		}
	}()
	return checks.ParseSchedule(spec)
}

// splitZone splits a "CRON_TZ=Zone spec" or "TZ=Zone spec" prefix off, as
// robfig/cron reads it: the zone runs to the first space. zone is nil when
// there is no prefix.
func splitZone(spec string) (zone *string, rest string) {
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if after, ok := strings.CutPrefix(spec, p); ok {
			z, r, _ := strings.Cut(after, " ")
			return &z, strings.TrimSpace(r)
		}
	}
	return nil, spec
}
