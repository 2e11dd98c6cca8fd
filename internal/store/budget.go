package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// keepFailedLogins bounds how long failed logins are kept: longer than
// any window the config accepts.
const keepFailedLogins = 31 * 24 * time.Hour

// LoginBudget is the monitor's failed-login budget (checks.Budget), kept
// in the store. Build one at start and hand it to every run: it is shared
// by all checks naming an account. Spends are serialised by the write
// lock, so checks running at once never overspend together.
type LoginBudget struct {
	s   *Store
	now func() time.Time
}

var _ checks.Budget = (*LoginBudget)(nil)

// LoginBudget returns the store's failed-login budget, reading the time
// from now.
func (s *Store) LoginBudget(ctx context.Context, now func() time.Time) (*LoginBudget, error) {
	return &LoginBudget{s: s, now: now}, nil
}

// budgetLock is the first key of the per-account advisory lock a spend
// takes on PostgreSQL ("fl", failed logins); the second is the account's hash.
const budgetLock = 0x666c

// Spend implements checks.Budget: the failures are written before the
// probe is sent, so a crash right after sending still counts them.
func (b *LoginBudget) Spend(ctx context.Context, account string, n int, lim checks.LoginLimit, check string) (checks.BudgetState, bool, error) {
	lim, now, key := lim.OrDefault(), b.now(), checks.AccountKey(account)
	tx, err := b.s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one spend at a time
	if err != nil {
		return checks.BudgetState{}, false, fmt.Errorf("spend failed logins: %w", err)
	}
	defer tx.Rollback()
	if b.s.dial == Postgres {
		// BEGIN on PostgreSQL takes no lock: two spends (two connections
		// or two monitors) would both read the same tally and overspend.
		// A transaction-level lock per account serialises them and ends
		// with the transaction, so it holds behind PgBouncer too.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, int32(budgetLock), key); err != nil {
			return checks.BudgetState{}, false, fmt.Errorf("spend failed logins: lock: %w", err)
		}
	}
	times, err := spentSince(ctx, tx, key, now.Add(-lim.Window))
	if err != nil {
		return checks.BudgetState{}, false, err
	}
	st, ok := checks.Tally(account, times, n, lim, now)
	if !ok {
		return st, false, nil
	}
	for range max(n, 1) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO failed_logins (account, at_ms, check_name) VALUES (?, ?, ?)`,
			key, now.UnixMilli(), check); err != nil {
			return st, false, fmt.Errorf("spend failed logins: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM failed_logins WHERE account = ? AND at_ms < ?`,
		key, now.Add(-keepFailedLogins).UnixMilli()); err != nil {
		return st, false, fmt.Errorf("spend failed logins: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return st, false, fmt.Errorf("spend failed logins: %w", err)
	}
	return st, true, nil
}

// State implements checks.Budget.
func (b *LoginBudget) State(ctx context.Context, account string, lim checks.LoginLimit) (checks.BudgetState, error) {
	lim, now := lim.OrDefault(), b.now()
	tx, err := b.s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return checks.BudgetState{}, fmt.Errorf("read failed logins: %w", err)
	}
	defer tx.Rollback()
	times, err := spentSince(ctx, tx, checks.AccountKey(account), now.Add(-lim.Window))
	if err != nil {
		return checks.BudgetState{}, err
	}
	st, _ := checks.Tally(account, times, 1, lim, now)
	return st, nil
}

// spentSince lists an account's failed logins after from, oldest first.
func spentSince(ctx context.Context, tx *sql.Tx, key string, from time.Time) ([]time.Time, error) {
	rows, err := tx.QueryContext(ctx, `SELECT at_ms FROM failed_logins WHERE account = ? AND at_ms > ? ORDER BY at_ms`,
		key, from.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read failed logins: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return nil, fmt.Errorf("read failed logins: %w", err)
		}
		out = append(out, time.UnixMilli(ms).UTC())
	}
	return out, rows.Err()
}
