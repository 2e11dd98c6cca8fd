package main

import (
	"context"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/store"
)

// Acknowledge records that by is on the open incident id (web.OnCall):
// the store keeps it with its notice to the incident's channels, and the
// pipeline stops the incident's reminders and escalation.
func (a *app) Acknowledge(ctx context.Context, id int64, by string) (store.Ack, error) {
	rec, err := a.store.Incident(ctx, id)
	if err != nil {
		return store.Ack{}, err
	}
	pol, ok := a.pipe.Policies()[rec.Check]
	if !ok {
		pol = alert.DefaultPolicy()
	}
	pol.AckedBy = by
	now := time.Now().UTC()
	ack, err := a.store.Acknowledge(ctx, id, by, now, alert.IncidentEvent(alert.KindAcked, rec.Incident, now, pol))
	if err != nil {
		return store.Ack{}, err
	}
	a.pipe.Acknowledged(ack)
	a.wake()
	return ack, nil
}

// Snooze silences check for d (web.OnCall): kept in the store, applied by
// the pipeline as a silence.
func (a *app) Snooze(ctx context.Context, check string, d time.Duration, by string) (store.Snooze, error) {
	if _, ok := a.pipe.Policies()[check]; !ok {
		return store.Snooze{}, fmt.Errorf("snooze: no check named %q", check)
	}
	now := time.Now().UTC()
	sn := store.Snooze{Check: check, Until: now.Add(d), By: by}
	if err := a.store.SetSnooze(ctx, sn, now); err != nil {
		return store.Snooze{}, err
	}
	a.pipe.Snoozed(sn)
	return sn, nil
}

// loadOnCall gives the pipeline the acknowledgements and snoozes the store
// kept across a restart, and, in a fleet, at every heartbeat what peers recorded.
func (a *app) loadOnCall(ctx context.Context) error {
	acks, err := a.store.OpenAcks(ctx)
	if err != nil {
		return err
	}
	for _, ack := range acks {
		a.pipe.Acknowledged(ack)
	}
	sns, err := a.store.Snoozes(ctx, time.Now())
	if err != nil {
		return err
	}
	for _, sn := range sns {
		a.pipe.Snoozed(sn)
	}
	return nil
}
