package store

import (
	"context"
	"fmt"
)

// Writable takes the database's write lock and lets it go (BEGIN IMMEDIATE,
// ROLLBACK), for the readiness probe: it fails when the store is closed or
// another process holds the lock past the busy timeout, and writes nothing.
func (s *Store) Writable(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil) // _txlock=immediate: BEGIN IMMEDIATE
	if err != nil {
		return fmt.Errorf("database not writable: %w", err)
	}
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("database not writable: %w", err)
	}
	return nil
}

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
