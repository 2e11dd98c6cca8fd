package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

var _ alert.Outbox = (*Store)(nil)

// enqueue queues ev once for each channel it goes to (one row for the
// default channel when it names none) and returns the first row's id.
func enqueue(ctx context.Context, tx querier, ev alert.Event, now time.Time) (int64, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	channels := ev.Channels
	if len(channels) == 0 {
		channels = []string{alert.DefaultChannel}
	}
	var first int64
	for i, ch := range channels {
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO outbox (check_name, incident_id, event_json, created_ms, next_try_ms, channel)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, ev.Check, ev.IncidentID, string(body), now.UnixMilli(), now.UnixMilli(), ch).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("enqueue: %w", err)
		}
		if i == 0 {
			first = id
		}
	}
	return first, nil
}

// Enqueue queues an event that no run caused, such as a test message.
func (s *Store) Enqueue(ctx context.Context, ev alert.Event) (int64, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	defer tx.Rollback()
	id, err := enqueue(ctx, tx, ev, s.now())
	if err != nil {
		return 0, err
	}
	defer s.outboxChanged()
	return id, tx.Commit()
}

// NextDue implements alert.Outbox. A check's notifications go out in the
// order they were queued: a newer one waits while an older one is retried.
// On a shared database (a fleet) the delivery is also claimed for
// outboxClaim, in the same short transaction and with FOR UPDATE SKIP
// LOCKED, so that exactly one instance delivers it; a claim left by an
// instance that died ends by itself, and the next claimer looks the message
// up before re-posting it (it is in flight).
func (s *Store) NextDue(ctx context.Context, now time.Time) (alert.Delivery, error) {
	if !s.Shared() {
		return s.nextDueLocal(ctx, now)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return alert.Delivery{}, fmt.Errorf("next due: %w", err)
	}
	defer tx.Rollback()
	if err := s.guardTx(ctx, tx); err != nil {
		return alert.Delivery{}, fmt.Errorf("next due: %w", err)
	}
	// A claim of this instance's own (it restarted under the same
	// AUTHMON_INSTANCE) does not hold it back.
	d, err := nextDue(ctx, tx, s.dial, now, ` AND (o.claim_until_ms < `+dbNowSQL[s.dial]+` OR o.claimed_by = ?)`, s.instance.get())
	if err != nil {
		return alert.Delivery{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_by = ?, claim_until_ms = `+dbNowSQL[s.dial]+` + ?
		WHERE id = ?`, s.instance.get(), outboxClaim.Milliseconds(), d.ID); err != nil {
		return alert.Delivery{}, fmt.Errorf("next due: claim %d: %w", d.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return alert.Delivery{}, fmt.Errorf("next due: claim %d: %w", d.ID, err)
	}
	return d, nil
}

// outboxClaim is how long an instance of a fleet holds a delivery it took:
// longer than an attempt (the sender's 15 s) and the writes around it.
const outboxClaim = 45 * time.Second

func nextDue(ctx context.Context, q querier, d Dialect, now time.Time, claimable string, args ...any) (alert.Delivery, error) {
	return scanDue(q.QueryRowContext(ctx, dueSQL(d, claimable), append([]any{now.UnixMilli()}, args...)...))
}

// dueSQL selects the next due delivery; its first argument is now (ms).
func dueSQL(d Dialect, claimable string) string {
	return `SELECT o.id, o.attempts, o.event_json, o.inflight_ms != 0, o.channel,
		COALESCE(t.thread_channel, i.thread_channel, ''), COALESCE(t.thread_ts, i.thread_ts, '')
		FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id AND o.channel = ''
		LEFT JOIN incident_threads t ON t.incident_id = o.incident_id AND t.channel = o.channel
		WHERE o.sent_ms IS NULL AND o.failed = 0 AND o.next_try_ms <= ?` + claimable + `
		AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.check_name = o.check_name AND p.channel = o.channel
			AND p.id < o.id AND p.sent_ms IS NULL AND p.failed = 0)
		ORDER BY o.id LIMIT 1` + lockOutboxRow[d]
}

func scanDue(row *sql.Row) (alert.Delivery, error) {
	var dl alert.Delivery
	var body string
	if err := row.Scan(&dl.ID, &dl.Attempts, &body, &dl.InFlight, &dl.Channel, &dl.Thread.Channel, &dl.Thread.TS); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return alert.Delivery{}, alert.ErrNothingDue
		}
		return alert.Delivery{}, fmt.Errorf("next due: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &dl.Event); err != nil {
		return alert.Delivery{}, fmt.Errorf("next due: decode %d: %w", dl.ID, err)
	}
	return dl, nil
}

// lockOutboxRow locks the delivery taken, skipping those a peer is taking.
var lockOutboxRow = map[Dialect]string{SQLite: ``, Postgres: ` FOR UPDATE OF o SKIP LOCKED`}

// outboxIdle is what the last NextDue that found nothing learnt, on SQLite:
// no pending notification is due before until. It holds while no outbox
// write of this process has committed since (gen), and for outboxRecheck at
// most, for a notification queued by another process (the command line).
// The sender asks every second: an idle monitor then runs no query at all.
type outboxIdle struct {
	mu    sync.Mutex
	valid bool
	gen   uint64
	until int64 // ms
	at    time.Time
	stmt  *sql.Stmt // dueSQL, prepared once
}

const outboxRecheck = 10 * time.Second

// outboxChanged says that an outbox write committed (or failed: it costs
// only one query more): NextDue asks the database again.
func (s *Store) outboxChanged() { s.outboxGen.Add(1) }

func (s *Store) nextDueLocal(ctx context.Context, now time.Time) (alert.Delivery, error) {
	gen := s.outboxGen.Load()
	idle := &s.idle
	idle.mu.Lock()
	defer idle.mu.Unlock()
	if idle.valid && idle.gen == gen && now.UnixMilli() < idle.until && time.Since(idle.at) < outboxRecheck {
		return alert.Delivery{}, alert.ErrNothingDue
	}
	idle.valid = false
	if idle.stmt == nil {
		st, err := s.w.PrepareContext(ctx, dueSQL(s.dial, ""))
		if err != nil {
			return alert.Delivery{}, fmt.Errorf("next due: %w", err)
		}
		idle.stmt = st
	}
	d, err := scanDue(idle.stmt.QueryRowContext(ctx, now.UnixMilli()))
	if !errors.Is(err, alert.ErrNothingDue) {
		return d, err
	}
	// Nothing is due before the earliest retry after now: one due already
	// waits behind an older one of its check and channel that is not.
	var next sql.NullInt64
	if qerr := s.w.QueryRowContext(ctx, `SELECT MIN(next_try_ms) FROM outbox
		WHERE sent_ms IS NULL AND failed = 0 AND next_try_ms > ?`, now.UnixMilli()).Scan(&next); qerr != nil {
		return alert.Delivery{}, err
	}
	idle.valid, idle.gen, idle.at, idle.until = true, gen, time.Now(), math.MaxInt64
	if next.Valid {
		idle.until = next.Int64
	}
	return d, err
}

// MarkInFlight implements alert.Outbox.
func (s *Store) MarkInFlight(ctx context.Context, id int64, at time.Time) error {
	defer s.outboxChanged()
	return updateOutbox(ctx, s.w, `UPDATE outbox SET inflight_ms = ? WHERE id = ?`, at.UnixMilli(), id)
}

// MarkSent implements alert.Outbox. The first root message posted for an
// incident becomes its thread; a later one never replaces it. A delivery
// that reached its channel also makes the channel's waiting notifications
// due now: the receiver takes messages again, and those queued during an
// outage should not each sit out the rest of their backoff.
func (s *Store) MarkSent(ctx context.Context, id int64, at time.Time, root alert.Thread) error {
	defer s.outboxChanged()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer tx.Rollback()
	if err := updateOutbox(ctx, tx, `UPDATE outbox SET sent_ms = ?, inflight_ms = 0 WHERE id = ?`, at.UnixMilli(), id); err != nil {
		return err
	}
	if err := releaseChannel(ctx, tx, s.dial, id, at); err != nil {
		return err
	}
	if err := saveThread(ctx, tx, id, root); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// saveThread records root as the thread of the incident of delivery id in
// the delivery's channel, unless it has one: the default channel's lives on
// the incident, a named channel's in incident_threads.
func saveThread(ctx context.Context, tx execer, id int64, root alert.Thread) error {
	if root.TS == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET thread_channel = ?, thread_ts = ?
		WHERE id = (SELECT incident_id FROM outbox WHERE id = ? AND channel = '') AND thread_ts = ''`, root.Channel, root.TS, id); err != nil {
		return fmt.Errorf("outbox: thread: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO incident_threads (incident_id, channel, thread_channel, thread_ts)
		SELECT incident_id, channel, ?, ? FROM outbox WHERE id = ? AND channel != '' AND incident_id != 0
		ON CONFLICT (incident_id, channel) DO NOTHING`, root.Channel, root.TS, id); err != nil {
		return fmt.Errorf("outbox: thread: %w", err)
	}
	return nil
}

// releaseChannel makes the pending notifications bound for the channel of
// delivery id due at once, unless id was only logged (a folded incident).
func releaseChannel(ctx context.Context, tx execer, d Dialect, id int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, releaseChannelSQL[d], at.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("outbox: release channel: %w", err)
	}
	return nil
}

// MarkRetry implements alert.Outbox.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error {
	defer s.outboxChanged()
	return updateOutbox(ctx, s.w, `UPDATE outbox SET attempts = attempts + 1, next_try_ms = ?, last_error = ?,
		inflight_ms = 0, claim_until_ms = 0, first_error_ms = IIF(first_error_ms = 0, ?, first_error_ms) WHERE id = ?`,
		next.UnixMilli(), errText, s.now().UnixMilli(), id)
}

// MarkRetryUnsure implements alert.Outbox: inflight_ms is kept.
func (s *Store) MarkRetryUnsure(ctx context.Context, id int64, next time.Time, errText string) error {
	defer s.outboxChanged()
	return updateOutbox(ctx, s.w, `UPDATE outbox SET attempts = attempts + 1, next_try_ms = ?, last_error = ?,
		claim_until_ms = 0, first_error_ms = IIF(first_error_ms = 0, ?, first_error_ms) WHERE id = ?`,
		next.UnixMilli(), errText, s.now().UnixMilli(), id)
}

// MarkFailed implements alert.Outbox.
func (s *Store) MarkFailed(ctx context.Context, id int64, errText string) error {
	defer s.outboxChanged()
	return updateOutbox(ctx, s.w, `UPDATE outbox SET attempts = attempts + 1, failed = 1, last_error = ?,
		inflight_ms = 0, claim_until_ms = 0 WHERE id = ?`, errText, id)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func updateOutbox(ctx context.Context, db execer, query string, args ...any) error {
	r, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("outbox: %w", ErrNotFound)
	}
	return nil
}

// Notifications lists the latest queued notifications, newest first.
func (s *Store) Notifications(ctx context.Context, limit int) ([]Notification, error) {
	return s.notifications(ctx, `ORDER BY id DESC LIMIT ?`, limit)
}

func (s *Store) notifications(ctx context.Context, where string, args ...any) ([]Notification, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, event_json, created_ms, attempts, next_try_ms,
		COALESCE(sent_ms, 0), failed, last_error, channel FROM outbox `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var body string
		var created, next, sent int64
		if err := rows.Scan(&n.ID, &body, &created, &n.Attempts, &next, &sent, &n.Failed, &n.LastError, &n.Channel); err != nil {
			return nil, fmt.Errorf("notifications: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &n.Event); err != nil {
			return nil, fmt.Errorf("notifications: decode %d: %w", n.ID, err)
		}
		n.Created, n.NextTry, n.Sent = fromMs(created), fromMs(next), fromMs(sent)
		out = append(out, n)
	}
	return out, rows.Err()
}

// releaseChannelSQL is releaseChannel's query per dialect: JSON fields are
// read with json_extract on SQLite, with ->> on PostgreSQL.
var releaseChannelSQL = map[Dialect]string{
	SQLite: `UPDATE outbox SET next_try_ms = ?1
		WHERE sent_ms IS NULL AND failed = 0 AND next_try_ms > ?1
		AND channel = (SELECT channel FROM outbox WHERE id = ?2)
		AND COALESCE(json_extract(event_json, '$.channel'), '') = (SELECT COALESCE(json_extract(event_json, '$.channel'), '')
			FROM outbox WHERE id = ?2 AND json_extract(event_json, '$.kind') != 'folded')`,
	Postgres: `UPDATE outbox SET next_try_ms = ?1
		WHERE sent_ms IS NULL AND failed = 0 AND next_try_ms > ?1
		AND channel = (SELECT channel FROM outbox WHERE id = ?2)
		AND COALESCE(event_json::json ->> 'channel', '') = (SELECT COALESCE(event_json::json ->> 'channel', '')
			FROM outbox WHERE id = ?2 AND event_json::json ->> 'kind' != 'folded')`,
}
