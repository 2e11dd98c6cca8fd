package web

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// loadCheckLocations is each location's latest verdict of c, for its page
// and the API; none for a single monitor.
func (h *handler) loadCheckLocations(ctx context.Context, c checks.Check, now time.Time) ([]locationCell, error) {
	res, err := h.Store.LocationResults(ctx, c.Name)
	if err != nil {
		return nil, fmt.Errorf("load location results of %q: %w", c.Name, err)
	}
	return checkLocations(h.standing(), c, res, now), nil
}

// checkLocations is c's cells from its stored results: its locations and
// those that have results; none without results.
func checkLocations(self store.Standing, c checks.Check, res []store.LocationResult, now time.Time) []locationCell {
	if len(res) == 0 {
		return nil
	}
	locs := slices.Clone(c.Locations)
	for _, r := range res {
		if !slices.Contains(locs, r.Location) {
			locs = append(locs, r.Location)
		}
	}
	slices.Sort(locs)
	return locationCells(c, locs, res, staleAfter(self, c, now), now)
}

// loadRunLocations says where each run of a fleet probed from; a single
// monitor's runs have no location, and nothing is read.
func (h *handler) loadRunLocations(ctx context.Context, runs []store.Run) error {
	if h.Fleet == nil || len(runs) == 0 {
		return nil
	}
	ids := make([]int64, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
	}
	locs, err := h.Store.RunLocations(ctx, ids)
	if err != nil {
		return err
	}
	for i := range runs {
		if runs[i].Location == "" {
			runs[i].Location = locs[runs[i].ID]
		}
	}
	return nil
}
