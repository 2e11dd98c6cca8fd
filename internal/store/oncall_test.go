package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestAcknowledgeOnce: the first acknowledgement of an open incident is
// recorded with its notice; a second changes nothing; a resolved incident
// cannot be acknowledged; snoozes end.
func TestAcknowledgeOnce(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		s, _ := openTemp(t)
		now := time.Now().Truncate(time.Millisecond)
		var id int64
		if err := s.w.QueryRowContext(ctx, `INSERT INTO incidents (check_name, severity, opened_ms, incident_json)
			VALUES ('c', 'critical-security', 1, '{}') RETURNING id`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ev := alert.Event{Kind: alert.KindAcked, Check: "c", IncidentID: id, AckedBy: "alice", Channels: []string{"chat", "hook"}}
		a, err := s.Acknowledge(ctx, id, "alice", now, ev)
		if err != nil || a.By != "alice" || !a.At.Equal(now) {
			t.Fatalf("ack %+v, %v", a, err)
		}
		if a, err = s.Acknowledge(ctx, id, "bob", now.Add(time.Minute), ev); err != nil || a.By != "alice" {
			t.Fatalf("second ack %+v, %v; want alice's kept", a, err)
		}
		if ns, _ := s.Notifications(ctx, 10); len(ns) != 2 {
			t.Errorf("%d notifications, want the one notice to 2 channels", len(ns))
		}
		if acks, err := s.OpenAcks(ctx); err != nil || len(acks) != 1 || acks[0].Incident != id {
			t.Errorf("open acks %+v, %v", acks, err)
		}
		rec, err := s.Incident(ctx, id)
		if err != nil || rec.AckedBy != "alice" {
			t.Errorf("record %+v, %v", rec, err)
		}
		s.w.ExecContext(ctx, `UPDATE incidents SET resolved_ms = 5, acked_ms = 0 WHERE id = ?`, id)
		if _, err := s.Acknowledge(ctx, id, "bob", now, ev); !errors.Is(err, ErrResolved) {
			t.Errorf("ack of a resolved incident: %v", err)
		}
		if _, err := s.Acknowledge(ctx, id+100, "bob", now, ev); !errors.Is(err, ErrNotFound) {
			t.Errorf("ack of no incident: %v", err)
		}
		if err := s.SetSnooze(ctx, Snooze{Check: "c", Until: now.Add(time.Hour), By: "alice"}, now); err != nil {
			t.Fatal(err)
		}
		if sn, err := s.Snoozes(ctx, now); err != nil || len(sn) != 1 || sn[0].By != "alice" {
			t.Errorf("snoozes %+v, %v", sn, err)
		}
		if sn, _ := s.Snoozes(ctx, now.Add(2*time.Hour)); len(sn) != 0 {
			t.Errorf("snooze outlived its end: %+v", sn)
		}
	})
}
