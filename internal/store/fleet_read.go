package store

import (
	"context"
	"fmt"
	"strings"
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

// RunLocations returns where each of the runs ids probed from, for those
// of a fleet (a single monitor's runs have no location): RunSummaries
// leaves Location empty.
func (s *Store) RunLocations(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, location FROM runs WHERE id IN (?`+
		strings.Repeat(",?", len(ids)-1)+`) AND location <> ''`, args...)
	if err != nil {
		return nil, fmt.Errorf("run locations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var loc string
		if err := rows.Scan(&id, &loc); err != nil {
			return nil, fmt.Errorf("run locations: %w", err)
		}
		out[id] = loc
	}
	return out, rows.Err()
}
