package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/authmon/monitor/internal/checks"
)

// KeyHistory is the signing keys' history (checks.KeyHistory) kept in the
// store, so that a key removed while the monitor was restarting is still
// compared with what it published before. Build one at start and hand it
// to the Runner.
type KeyHistory struct{ s *Store }

var _ checks.KeyHistory = (*KeyHistory)(nil)

// KeyHistory returns the store's signing-key history.
func (s *Store) KeyHistory() *KeyHistory { return &KeyHistory{s: s} }

// LoadKeys implements checks.KeyHistory.
func (h *KeyHistory) LoadKeys(ctx context.Context, jwksURL string) ([]checks.KeyRecord, error) {
	rows, err := h.s.r.QueryContext(ctx, `SELECT kid, kty, alg, first_seen_ms, last_seen_ms, removed_ms,
		first_token_ms, token_exp_ms FROM jwks_keys WHERE jwks_url = ? ORDER BY pos`, jwksURL)
	if err != nil {
		return nil, fmt.Errorf("read key history: %w", err)
	}
	defer rows.Close()
	var out []checks.KeyRecord
	for rows.Next() {
		var k checks.KeyRecord
		var first, last, removed, firstTok, exp int64
		if err := rows.Scan(&k.Kid, &k.Kty, &k.Alg, &first, &last, &removed, &firstTok, &exp); err != nil {
			return nil, fmt.Errorf("read key history: %w", err)
		}
		k.FirstSeen, k.LastSeen, k.Removed = fromMs(first), fromMs(last), fromMs(removed)
		k.FirstToken, k.TokenExp = fromMs(firstTok), fromMs(exp)
		out = append(out, k)
	}
	return out, rows.Err()
}

// SaveKeys implements checks.KeyHistory: the records of jwksURL are
// replaced in one transaction.
func (h *KeyHistory) SaveKeys(ctx context.Context, jwksURL string, keys []checks.KeyRecord) error {
	tx, err := h.s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save key history: %w", err)
	}
	defer tx.Rollback()
	if err := saveKeys(ctx, tx, jwksURL, keys); err != nil {
		return fmt.Errorf("save key history: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save key history: %w", err)
	}
	return nil
}

func saveKeys(ctx context.Context, tx *sql.Tx, jwksURL string, keys []checks.KeyRecord) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM jwks_keys WHERE jwks_url = ?`, jwksURL); err != nil {
		return err
	}
	for i, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO jwks_keys (jwks_url, kid, pos, kty, alg, first_seen_ms,
			last_seen_ms, removed_ms, first_token_ms, token_exp_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			jwksURL, k.Kid, i, k.Kty, k.Alg, ms(k.FirstSeen), ms(k.LastSeen), ms(k.Removed),
			ms(k.FirstToken), ms(k.TokenExp)); err != nil {
			return err
		}
	}
	return nil
}
