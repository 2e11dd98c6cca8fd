package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// Evaluator folds a run, stored as runID, into a check's previous state
// (alert.Decide under the check's policy): the next state, the incident the
// run touched, and the notifications to queue.
type Evaluator func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event)

// maxBatch bounds how many runs one transaction commits.
const maxBatch = 512

type writeReq struct {
	ctx   context.Context
	res   checks.Result
	eval  Evaluator
	feval FleetEvaluator // instead of eval, for a run of a fleet
	done  chan writeResp
}

type writeResp struct {
	run Run
	evs []alert.Event
	err error
}

// RecordRun stores a run, folds it into the check's state with eval, saves
// the incident it touched, queues its notifications and updates the rollups:
// all in one transaction, so a crash can never keep a state change and lose
// its alert. Concurrent calls are committed together (group commit): one
// writer, one transaction per batch.
func (s *Store) RecordRun(ctx context.Context, res checks.Result, eval Evaluator) (Run, []alert.Event, error) {
	return s.record(ctx, writeReq{ctx: ctx, res: res, eval: eval, done: make(chan writeResp, 1)})
}

// RecordFleetRun is RecordRun for a run of a fleet (res.Location and
// res.Slot set): the slot is recorded once (a second result for it is
// ErrSlotTaken, and nothing of it is kept), the run becomes its location's
// latest verdict, and eval decides with every location's latest verdict of
// the check in hand, under a per-check lock so that the locations of a
// check decide one after the other.
func (s *Store) RecordFleetRun(ctx context.Context, res checks.Result, eval FleetEvaluator) (Run, []alert.Event, error) {
	return s.record(ctx, writeReq{ctx: ctx, res: res, feval: eval, done: make(chan writeResp, 1)})
}

func (s *Store) record(ctx context.Context, req writeReq) (Run, []alert.Event, error) {
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return Run{}, nil, fmt.Errorf("record run: %w", ctx.Err())
	case <-s.closing:
		return Run{}, nil, errors.New("record run: store closed")
	}
	r := <-req.done // once handed over, the write happens: wait for it
	return r.run, r.evs, r.err
}

// rollupEvery is how often the writer stores the rollups it merged in
// memory (SQLite): one upsert per check and period a second, instead of two
// per run. A variable for tests.
var rollupEvery = time.Second

// Writing the pending rollups holds the writer: at 10,000 checks a write
// takes a good part of a second, which the runs waiting behind it lose.
// So the gap after a write is at least flushShare times what it took (the
// write then costs at most a twentieth of the writer's time), and at most
// flushGapMax, which bounds what a crash can lose of folded runs (fold.go).
const (
	flushShare  = 20
	flushGapMax = 10 * time.Second
)

// latestEvery is how often the timed write also stores each check's latest
// run (check_latest) and strip (check_recent): most of the write's cost at
// scale, and only pages read them, which have them written first. A crash
// leaves them as of their last write; Open rebuilds those of the checks
// with runs since (rollup_mark.latest_run_id), and a folded run (fold.go),
// which adds no run id, is shown with the check's next run.
var latestEvery = 10 * time.Second // a variable for tests

// nextFlushGap is the gap before the next write of the pending rollups,
// after one that took took, when the shortest gap is base (rollupEvery).
func nextFlushGap(base, took time.Duration) time.Duration {
	return min(max(base, flushShare*took), max(base, flushGapMax))
}

// writer is the single goroutine that writes runs.
func (s *Store) writer() {
	defer close(s.writerDone)
	base, fullEvery := rollupEvery, latestEvery // read once: tests set them before Open
	every := base
	timer := time.NewTimer(every)
	timer.Stop()
	var due <-chan time.Time // armed while rollups are pending
	var lastFull time.Time   // when latest rows and strips were last written
	for {
		if (len(s.pending) > 0 || len(s.pendingLatest) > 0) && due == nil {
			timer.Reset(every)
			due = timer.C
		}
		var first writeReq
		select {
		case first = <-s.writes:
		case <-due:
			due = nil
			began := time.Now()
			full := began.Sub(lastFull) >= fullEvery
			// On error they stay pending: tried again after the gap.
			if err := s.writePending(full); err == nil && full {
				lastFull = began
			}
			every = nextFlushGap(base, time.Since(began))
			continue
		case reply := <-s.syncs:
			err := s.writePending(true)
			if err == nil {
				lastFull = time.Now()
			}
			reply <- err
			continue
		case <-s.closing:
			_ = s.writePending(true) // else the next Open folds their runs in again
			return
		}
		batch := []writeReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commitBatch(batch)
		s.prepareSeen(context.Background())
	}
}

// commitBatch writes a batch in one transaction; if that fails, each run is
// tried alone so that one bad run cannot take the others down with it.
func (s *Store) commitBatch(batch []writeReq) {
	resps, err := s.writeBatch(batch)
	if err != nil {
		// Decide may have changed cached states through shared pointers:
		// forget them all and read them again from the database.
		clear(s.states)
	}
	if err == nil || len(batch) == 1 {
		for i, r := range batch {
			if err != nil {
				resps = []writeResp{{err: err}}
				i = 0
			}
			r.done <- resps[i]
		}
		return
	}
	for _, r := range batch {
		s.commitBatch([]writeReq{r})
	}
}

func (s *Store) writeBatch(batch []writeReq) ([]writeResp, error) {
	ctx := context.Background()
	w := s.batchWriter(nil)
	// Not a run's context: the transaction outlives any one run of the batch.
	w.open = func(context.Context) (*sql.Tx, error) { return s.w.BeginTx(context.Background(), nil) }
	defer func() {
		if w.tx != nil {
			_ = w.tx.Rollback()
		}
	}()
	w.deferRollups = !s.Shared()
	if s.Shared() {
		if err := w.begin(ctx); err != nil {
			return nil, err
		}
		names := make([]string, len(batch))
		for i, r := range batch {
			names[i] = r.res.Check
		}
		if err := lockChecks(ctx, w.tx, names); err != nil {
			return nil, err
		}
	}
	resps := make([]writeResp, len(batch))
	for i, r := range batch {
		run, evs, err := w.apply(r.ctx, r.res, r.eval, r.feval)
		if errors.Is(err, ErrSlotTaken) {
			resps[i] = writeResp{err: fmt.Errorf("record run of %s at %s from %s: %w", r.res.Check,
				r.res.Slot.Format(time.RFC3339Nano), r.res.Location, err)}
			continue
		}
		if err != nil {
			return nil, err
		}
		resps[i] = writeResp{run: run, evs: evs}
		w.lastRun = max(w.lastRun, run.ID)
	}
	if err := w.flushRollups(); err != nil {
		return nil, err
	}
	if w.queued {
		defer s.outboxChanged() // after the commit, or a NextDue between might miss them
	}
	if w.tx != nil {
		if err := w.tx.Commit(); err != nil {
			return nil, fmt.Errorf("record run: commit: %w", err)
		}
	}
	w.publish()
	return resps, nil
}

// writePending stores the rollups merged in memory, with the mark saying
// that every run so far is counted in them (migration 14); full adds the
// strips rebuilt from them and each check's latest run (check_recent,
// check_latest), with their own mark (migration 16).
func (s *Store) writePending(full bool) error {
	if len(s.pending) == 0 && (!full || len(s.pendingLatest) == 0 && len(s.pendingSpans) == 0) {
		return nil
	}
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write rollups: %w", err)
	}
	defer tx.Rollback()
	w := s.batchWriter(tx)
	if err := w.writeAllRollups(ctx); err != nil {
		return err
	}
	if full {
		if err := w.writeLatestAll(ctx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write rollups: commit: %w", err)
	}
	w.publish()
	s.prepareSeen(ctx)
	return nil
}

// syncRollups has the writer store its pending rollups, for a reader of the
// rollups, check_latest or check_recent: what it reads then counts every
// run recorded before.
func (s *Store) syncRollups(ctx context.Context) error {
	if s.Shared() {
		return nil // written with their runs
	}
	reply := make(chan error, 1)
	select {
	case s.syncs <- reply:
	case <-ctx.Done():
		return fmt.Errorf("rollups: %w", ctx.Err())
	case <-s.writerDone:
		return nil // closed: Close wrote them
	}
	return <-reply
}

// recoverRollups counts in the rollups the runs past the mark: those whose
// rollups were still in memory when the process stopped without Close.
// The mark moves in the same transaction, so each run is counted once.
func (s *Store) recoverRollups(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("recover rollups: %w", err)
	}
	defer tx.Rollback()
	var mark, latestMark, last int64
	if err := tx.QueryRowContext(ctx, `SELECT run_id, latest_run_id FROM rollup_mark WHERE id = 1`).Scan(&mark, &latestMark); err != nil {
		return fmt.Errorf("recover rollups: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM runs`).Scan(&last); err != nil {
		return fmt.Errorf("recover rollups: %w", err)
	}
	s.lastRun = max(mark, last)
	if last <= mark && last <= latestMark {
		return nil
	}
	if last > mark {
		if err := foldRuns(ctx, tx, `id > ?`, mark); err != nil {
			return fmt.Errorf("recover rollups: %w", err)
		}
	}
	if last > latestMark {
		if err := s.recoverLatest(ctx, tx, latestMark); err != nil {
			return fmt.Errorf("recover rollups: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE rollup_mark SET run_id = ?, latest_run_id = ? WHERE id = 1`,
		max(mark, last), max(latestMark, last)); err != nil {
		return fmt.Errorf("recover rollups: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("recover rollups: %w", err)
	}
	return nil
}

// recoverLatest rewrites check_latest and check_recent for the checks with
// runs past the mark, from their runs, evidence and (recovered) rollups.
func (s *Store) recoverLatest(ctx context.Context, tx *sql.Tx, mark int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT check_id FROM runs WHERE id > ?`, mark)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w := newBatchWriter(s, tx)
	w.wrote = true // the rollups are stored
	hours := map[rollKey]*rollAgg{}
	spans := map[int64]*recentSpan{}
	for _, check := range ids {
		l := &latestRun{hasVerdict: true}
		var full, verdict string
		err := tx.QueryRowContext(ctx, `SELECT r.id, MAX(r.started_ms, r.last_ms), r.duration_us, r.passed, r.evidence_id,
			COALESCE(e.probes_json, '[]'), COALESCE(e.verdict, '') FROM runs r LEFT JOIN evidence e ON e.id = r.evidence_id
			WHERE r.check_id = ? ORDER BY r.started_ms DESC, r.id DESC LIMIT 1`, check).
			Scan(&l.run, &l.started, &l.durationUS, &l.passed, &l.evidence, &full, &verdict)
		if err != nil {
			return err
		}
		if verdict == "" {
			verdict = full
		}
		var probes []checks.ProbeResult
		if err := json.Unmarshal([]byte(verdict), &probes); err != nil {
			return fmt.Errorf("evidence %d: %w", l.evidence, err)
		}
		kinds := make([]string, len(probes))
		for i, p := range probes {
			kinds[i] = string(p.Kind)
		}
		l.kinds = strings.Join(kinds, ",")
		if !l.passed {
			v, err := json.Marshal(verdictOf(probes))
			if err != nil {
				return err
			}
			l.verdict = string(v)
		}
		w.latest[check] = l
		var hour sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(start_ms) FROM rollups WHERE check_id = ? AND period = 0`,
			check).Scan(&hour); err != nil || !hour.Valid {
			return fmt.Errorf("newest hour of check %d: %v", check, err)
		}
		k := rollKey{check: check, period: 0, start: hour.Int64}
		if hours[k], err = w.baseRollup(ctx, w, k); err != nil {
			return err
		}
		// Rebuilt whatever the strip's hour: runs may have reached any hour.
		spans[check] = &recentSpan{newest: hour.Int64, oldestHour: math.MinInt64, oldestDay: math.MinInt64}
	}
	if err := w.refreshRecent(ctx, spans); err != nil {
		return err
	}
	if err := w.writeLatest(ctx, w.latest, hours); err != nil {
		return err
	}
	w.publish()
	return nil
}

// evidenceRef is the latest evidence row of a check and what it says.
type evidenceRef struct {
	id  int64
	sig outcomeSig
}

// outcomeSig identifies a run's outcomes, latencies aside: two runs with the
// same signature would show the same evidence. A seeded 64-bit maphash: 8
// bytes per check in memory (a copy of the outcomes would be kilobytes, tens
// of MB at 10,000 checks), and hashing costs a third of what SHA-256 did,
// which was a tenth of the write path's CPU. Two different outcomes collide
// with odds of 2^-64 per run: at 100,000 runs a second for ten years, about
// one in a million of ever showing a passing run the previous passing
// evidence.
type outcomeSig uint64

var sigSeed = maphash.MakeSeed()

func signature(probes []checks.ProbeResult) outcomeSig {
	var h maphash.Hash
	h.SetSeed(sigSeed)
	field := func(v string) {
		h.WriteString(v)
		h.WriteByte(0)
	}
	num := func(v int64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	for _, p := range probes {
		field(string(p.Kind))
		field(p.Method)
		field(p.URL)
		num(int64(p.Status))
		field(p.StatusText)
		field(p.Error)
		num(int64(len(p.ChallengeRaw)))
		for _, c := range p.ChallengeRaw {
			field(c)
		}
		num(int64(len(p.ChallengeProblems)))
		for _, c := range p.ChallengeProblems {
			field(c)
		}
		num(int64(len(p.Assertions)))
		for _, a := range p.Assertions {
			field(a.ID)
			field(a.Ref)
			num(int64(a.Severity))
			if a.Pass {
				num(1)
			} else {
				num(0)
			}
			field(a.Expected)
			field(a.Got)
			field(a.Reason)
			field(a.Deviation)
		}
		h.WriteByte(1)
	}
	return outcomeSig(h.Sum64())
}
