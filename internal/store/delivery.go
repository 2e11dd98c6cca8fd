package store

import (
	"context"
	"fmt"
	"time"
)

// DeliveryStatus is how alert delivery stands, for the overview.
type DeliveryStatus struct {
	Waiting int // notifications not delivered yet (neither sent nor failed for good)
	// FailingSince is the first failed attempt of the oldest notification
	// still waiting after a failure (its creation for rows older than that
	// record); zero when deliveries are not failing.
	FailingSince time.Time
	LastError    string // of the most recent failed attempt still waiting
	Channel      string // that attempt's channel; "" the default ([slack])
}

// Failing reports whether waiting notifications have failed to go out.
func (d DeliveryStatus) Failing() bool { return !d.FailingSince.IsZero() }

// DeliveryStatus says how many notifications wait and since when their
// delivery has been failing.
func (s *Store) DeliveryStatus(ctx context.Context) (DeliveryStatus, error) {
	var d DeliveryStatus
	var since int64
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(CASE WHEN attempts > 0 THEN IIF(first_error_ms = 0, created_ms, first_error_ms) END), 0),
		COALESCE((SELECT last_error FROM outbox WHERE sent_ms IS NULL AND failed = 0 AND attempts > 0
			ORDER BY id DESC LIMIT 1), ''),
		COALESCE((SELECT channel FROM outbox WHERE sent_ms IS NULL AND failed = 0 AND attempts > 0
			ORDER BY id DESC LIMIT 1), '')
		FROM outbox WHERE sent_ms IS NULL AND failed = 0`).Scan(&d.Waiting, &since, &d.LastError, &d.Channel)
	if err != nil {
		return DeliveryStatus{}, fmt.Errorf("delivery status: %w", err)
	}
	d.FailingSince = fromMs(since)
	return d, nil
}
