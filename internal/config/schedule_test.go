package config

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestScheduleTimeZones: a CRON_TZ= or TZ= prefix runs the schedule in that
// zone (the README documents it); without one, schedules are UTC.
func TestScheduleTimeZones(t *testing.T) {
	after := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // winter: Berlin is UTC+1, New York UTC-5
	cases := []struct {
		spec string
		want time.Time
	}{
		{"0 9 * * *", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{"CRON_TZ=Europe/Berlin 0 9 * * *", time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)},
		{"TZ=America/New_York 0 9 * * *", time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)},
		{"CRON_TZ=UTC @every 1h", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		sched, err := parseSchedule(tc.spec)
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		if got := sched.Next(after); !got.Equal(tc.want) {
			t.Errorf("%q: next run %s, want %s", tc.spec, got.UTC(), tc.want)
		}
	}
}

// TestSchedulesNeverPanic: every schedule the cron parser used to panic on
// is a refused schedule.
func TestSchedulesNeverPanic(t *testing.T) {
	for _, spec := range []string{"TZ=UTC", "CRON_TZ=", "TZ=", "CRON_TZ=UTC", "TZ=UTC\t0 * * * *", "TZ=Europe/Berlin"} {
		if _, err := parseSchedule(spec); err == nil {
			t.Errorf("%q was accepted", spec)
		}
	}
}

// TestZoneDataIsEmbedded: the monitor binary carries the zone database, so
// CRON_TZ schedules work in a static binary on an image without zoneinfo.
func TestZoneDataIsEmbedded(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/authmon/monitor/cmd/monitor").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Fields(string(out)), "time/tzdata") {
		t.Error("cmd/monitor does not import time/tzdata")
	}
}

// TestSilenceInAZone: a recurring silence takes a zone prefix too.
func TestSilenceInAZone(t *testing.T) {
	doc := oneCheck + "[[silence]]\nschedule = \"CRON_TZ=America/New_York 0 2 * * *\"\nduration = \"1h\"\n"
	cfg, err := Parse("c.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	sil := cfg.Policies["one"].Silences
	after := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if len(sil) != 1 || !sil[0].Schedule.Next(after).Equal(time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("silences %+v", sil)
	}
}
