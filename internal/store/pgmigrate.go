package store

import (
	"context"
	"fmt"
)

// migrateLock is the key of the transaction-level advisory lock that
// serializes migrations among monitors starting together on one database.
// A transaction lock, not a session one: it is released with the
// transaction, so it works behind PgBouncer in transaction mode.
const migrateLock = 0x61757468_6d6f6e // "authmon"

// migratePG applies the missing migrations in one transaction that first
// takes migrateLock: the first monitor migrates, the others wait for it and
// then find nothing to do. A newer schema is refused, as on SQLite.
func (s *Store) migratePG(ctx context.Context) error {
	files, err := migrations(Postgres)
	if err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(migrateLock)); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version bigint PRIMARY KEY, applied_ms bigint NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if err := checkVersion(current, len(files)); err != nil {
		return err
	}
	for v := current + 1; v <= len(files); v++ {
		body, err := migrationFiles.ReadFile(files[v-1])
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		// No arguments: pgx sends it as one simple query, several statements.
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migrate %s: %w", files[v-1], err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)`,
			v, s.now().UnixMilli()); err != nil {
			return fmt.Errorf("migrate %s: %w", files[v-1], err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
