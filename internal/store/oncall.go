package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// ErrResolved is returned when acknowledging an incident that resolved.
var ErrResolved = errors.New("incident already resolved")

// Ack is an acknowledged open incident.
type Ack struct {
	Check    string
	Incident int64
	By       string
	At       time.Time
}

// Acknowledge records that by acknowledged the open incident id at at, and
// queues ev (its "acknowledged" notification) in the same transaction. The
// first acknowledgement stays: acknowledging again changes nothing and
// queues nothing, and returns the first.
func (s *Store) Acknowledge(ctx context.Context, id int64, by string, at time.Time, ev alert.Event) (Ack, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Ack{}, fmt.Errorf("acknowledge: %w", err)
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `UPDATE incidents SET acked_by = ?, acked_ms = ?
		WHERE id = ? AND resolved_ms = 0 AND acked_ms = 0`, by, at.UnixMilli(), id)
	if err != nil {
		return Ack{}, fmt.Errorf("acknowledge: %w", err)
	}
	var a Ack
	var resolved, ms int64
	err = tx.QueryRowContext(ctx, `SELECT check_name, acked_by, acked_ms, resolved_ms FROM incidents WHERE id = ?`, id).
		Scan(&a.Check, &a.By, &ms, &resolved)
	if err != nil {
		return Ack{}, fmt.Errorf("acknowledge %d: %w", id, notFound(err))
	}
	a.Incident, a.At = id, fromMs(ms)
	if n, _ := r.RowsAffected(); n == 0 {
		if resolved != 0 && ms == 0 {
			return Ack{}, fmt.Errorf("acknowledge %d: %w", id, ErrResolved)
		}
		return a, nil
	}
	if _, err := enqueue(ctx, tx, ev, at); err != nil {
		return Ack{}, err
	}
	defer s.outboxChanged()
	return a, tx.Commit()
}

// OpenAcks lists the acknowledged incidents still open.
func (s *Store) OpenAcks(ctx context.Context) ([]Ack, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT check_name, id, acked_by, acked_ms FROM incidents
		WHERE resolved_ms = 0 AND acked_ms != 0`)
	if err != nil {
		return nil, fmt.Errorf("open acks: %w", err)
	}
	defer rows.Close()
	var out []Ack
	for rows.Next() {
		var a Ack
		var ms int64
		if err := rows.Scan(&a.Check, &a.Incident, &a.By, &ms); err != nil {
			return nil, fmt.Errorf("open acks: %w", err)
		}
		a.At = fromMs(ms)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Snooze is a one-off silence of a check.
type Snooze struct {
	Check string
	Until time.Time
	By    string
}

// SetSnooze silences check until until (replacing an earlier snooze).
func (s *Store) SetSnooze(ctx context.Context, sn Snooze, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO snoozes (check_name, until_ms, by_whom, created_ms) VALUES (?, ?, ?, ?)
		ON CONFLICT (check_name) DO UPDATE SET until_ms = excluded.until_ms, by_whom = excluded.by_whom, created_ms = excluded.created_ms`,
		sn.Check, sn.Until.UnixMilli(), sn.By, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("snooze: %w", err)
	}
	return nil
}

// Snoozes lists the snoozes that end after now.
func (s *Store) Snoozes(ctx context.Context, now time.Time) ([]Snooze, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT check_name, until_ms, by_whom FROM snoozes WHERE until_ms > ?`, now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("snoozes: %w", err)
	}
	defer rows.Close()
	var out []Snooze
	for rows.Next() {
		var sn Snooze
		var ms int64
		if err := rows.Scan(&sn.Check, &ms, &sn.By); err != nil {
			return nil, fmt.Errorf("snoozes: %w", err)
		}
		sn.Until = fromMs(ms)
		out = append(out, sn)
	}
	return out, rows.Err()
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
