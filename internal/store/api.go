package store

import (
	"context"
	"errors"
	"fmt"
)

// Writable takes the database's write lock and lets it go (BEGIN IMMEDIATE,
// ROLLBACK), for the readiness probe: it fails when the store is closed or
// another process holds the lock past the busy timeout, and writes nothing.
//
// On PostgreSQL it asks the server whether this session could write (a
// standby or a read-only database says no), inside a transaction that
// writes nothing; the error says what is wrong, without the password.
func (s *Store) Writable(ctx context.Context) error {
	if s.dial == Postgres {
		return s.writablePG(ctx)
	}
	tx, err := s.w.BeginTx(ctx, nil) // _txlock=immediate: BEGIN IMMEDIATE
	if err != nil {
		return fmt.Errorf("database not writable: %w", err)
	}
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("database not writable: %w", err)
	}
	return nil
}

func (s *Store) writablePG(ctx context.Context) error {
	var ro string
	err := s.w.QueryRowContext(ctx, `SELECT current_setting('transaction_read_only')`).Scan(&ro)
	if err != nil {
		return fmt.Errorf("database not writable: %w: %w", ErrUnreachable, redactErr(err, s.dsn))
	}
	if ro == "on" {
		return fmt.Errorf("database not writable: %w: %s (a standby?)", ErrReadOnly, s.path)
	}
	return nil
}

// Why a PostgreSQL store is not writable, for /readyz.
var (
	ErrUnreachable = errors.New("PostgreSQL unreachable")
	ErrReadOnly    = errors.New("PostgreSQL read-only")
)

// PendingNotifications counts the notifications not yet delivered nor given
// up on: the alert queue's depth. It reads the outbox's partial index only.
func (s *Store) PendingNotifications(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_ms IS NULL AND failed = 0`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("pending notifications: %w", err)
	}
	return n, nil
}
