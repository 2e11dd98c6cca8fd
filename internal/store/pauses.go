package store

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// pausesFresh is how old a fleet's view of the shared pauses may get: a
// peer's 429 reaches this instance's next run within it.
const pausesFresh = time.Second

// SharedPauses keeps checks.Pauses in the database, for a fleet. Reads come
// from a snapshot of each book refreshed at most once per pausesFresh (one
// query per book, not one per run); a pause is written through at once, and
// taking an enumeration turn is one atomic statement, so that one instance
// of the fleet takes it. When the database cannot be reached the instance
// goes on with what it knows.
type SharedPauses struct {
	s   *Store
	log *slog.Logger

	mu    sync.Mutex
	books map[string]*pauseSnap
}

type pauseSnap struct {
	at    time.Time
	until map[string]time.Time
}

var _ checks.Pauses = (*SharedPauses)(nil)

// Pauses returns the store's shared pauses.
func (s *Store) Pauses(log *slog.Logger) *SharedPauses {
	if log == nil {
		log = slog.Default()
	}
	return &SharedPauses{s: s, log: log, books: map[string]*pauseSnap{}}
}

func (p *SharedPauses) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Second)
}

// snap returns book's snapshot, refreshed if stale; called with p.mu held.
func (p *SharedPauses) snap(book string) *pauseSnap {
	sn := p.books[book]
	if sn == nil {
		sn = &pauseSnap{until: map[string]time.Time{}}
		p.books[book] = sn
	}
	if time.Since(sn.at) < pausesFresh {
		return sn
	}
	ctx, cancel := p.ctx()
	defer cancel()
	rows, err := p.s.r.QueryContext(ctx, `SELECT check_name, until_ms FROM pauses WHERE book = ?`, book)
	if err != nil {
		sn.at = time.Now() // try again later; keep what we know
		return sn
	}
	defer rows.Close()
	fresh := map[string]time.Time{}
	for rows.Next() {
		var check string
		var until int64
		if rows.Scan(&check, &until) == nil {
			fresh[check] = time.UnixMilli(until)
		}
	}
	if rows.Err() == nil {
		sn.until = fresh
	}
	sn.at = time.Now()
	return sn
}

// Pause implements checks.Pauses.
func (p *SharedPauses) Pause(book, check string, until time.Time) {
	p.mu.Lock()
	sn := p.snap(book)
	if until.After(sn.until[check]) {
		sn.until[check] = until
	}
	p.mu.Unlock()
	ctx, cancel := p.ctx()
	defer cancel()
	_, err := p.s.w.ExecContext(ctx, `INSERT INTO pauses (book, check_name, until_ms) VALUES (?, ?, ?)
		ON CONFLICT (book, check_name) DO UPDATE SET until_ms = excluded.until_ms
		WHERE excluded.until_ms > pauses.until_ms`, book, check, until.UnixMilli())
	if err == nil {
		_, err = p.s.w.ExecContext(ctx, `DELETE FROM pauses WHERE until_ms < ?`, time.Now().Add(-24*time.Hour).UnixMilli())
	}
	if err != nil {
		p.log.Warn("fleet: cannot share a pause; this instance keeps it", "check", check, "book", book, "err", err)
	}
}

// Until implements checks.Pauses.
func (p *SharedPauses) Until(book, check string, now time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.snap(book).until[check]
	if ok && !now.IsZero() && !now.Before(u) {
		return u, false
	}
	return u, ok
}

// Take implements checks.Pauses: the turn goes to the instance whose
// statement moves the row on.
func (p *SharedPauses) Take(book, check string, now, next time.Time) bool {
	if _, paused := p.Until(book, check, now); paused {
		return false
	}
	ctx, cancel := p.ctx()
	defer cancel()
	r, err := p.s.w.ExecContext(ctx, `INSERT INTO pauses (book, check_name, until_ms) VALUES (?, ?, ?)
		ON CONFLICT (book, check_name) DO UPDATE SET until_ms = excluded.until_ms
		WHERE pauses.until_ms <= ?`, book, check, next.UnixMilli(), now.UnixMilli())
	if err != nil {
		p.log.Warn("fleet: cannot take a turn in the shared database; skipping it", "check", check, "book", book, "err", err)
		return false
	}
	n, err := r.RowsAffected()
	if err != nil || n != 1 {
		return false
	}
	p.mu.Lock()
	p.snap(book).until[check] = next
	p.mu.Unlock()
	return true
}

// Clear implements checks.Pauses.
func (p *SharedPauses) Clear(book, check string) {
	p.mu.Lock()
	delete(p.snap(book).until, check)
	p.mu.Unlock()
	ctx, cancel := p.ctx()
	defer cancel()
	if _, err := p.s.w.ExecContext(ctx, `DELETE FROM pauses WHERE book = ? AND check_name = ?`, book, check); err != nil {
		p.log.Warn("fleet: cannot clear a shared pause", "check", check, "book", book, "err", err)
	}
}
