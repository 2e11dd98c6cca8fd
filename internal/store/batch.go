package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
)

// batchWriter applies the runs of one transaction. What it learns (check
// ids, states, latest evidence) is staged and becomes the store's cache only
// once the transaction commits.
type batchWriter struct {
	s        *Store
	tx       *sql.Tx
	ids      map[string]int64
	states   map[string]alert.State
	evidence map[int64]evidenceRef
	roll     map[rollKey]*rollAgg // this batch's runs
	merged   map[rollKey]*rollAgg // the batch's rollups with its runs, when it writes them itself (not deferred)
	// bases are, when rollups are deferred, the rollups before this batch
	// (nil: none) that publish adds roll to, in place: until the batch
	// commits they stay as they were.
	bases  map[rollKey]*rollAgg
	recent map[int64]int64      // strip hours (recent.go) read or written
	latest map[int64]*latestRun // each check's newest run (latest.go)
	// deferRollups keeps the merged rollups pending in memory rather than
	// writing them (writeBatch on SQLite); wrote says this transaction
	// wrote every pending rollup; lastRun is the newest run id it wrote.
	deferRollups, wrote bool
	wroteLatest         bool // this transaction wrote every pending latest row and strip
	lastRun             int64
	queued              bool // notifications were queued (outboxChanged)
	// folds are the fold tails the batch changed (nil: the check's latest
	// row takes no more runs); folded counts the runs it folded (fold.go).
	folds  map[int64]*foldTail
	closed []*foldTail // tails the batch ended with counters still to write
	folded int64
	// open begins the transaction when the batch first needs one (tx nil
	// until then): a batch of folded runs writes nothing.
	open       func(context.Context) (*sql.Tx, error)
	txStmts    map[*sql.Stmt]*sql.Stmt // prepared statements bound to tx (txStmt)
	firstStmts map[string]*sql.Stmt    // queries prepared in tx only, new to the connection (txStmt)
	// slab holds the rollups of roll, which live as long as the batch
	// (publish adds them to the cached ones, or flushRollups merges copies
	// of them): newRollAgg.
	slab []rollAgg
}

type rollKey struct {
	check  int64
	period int // 0 hour, 1 day
	start  int64
}

// rollSlot is a check's hourly or daily series; the store caches the
// newest rollup of each.
type rollSlot struct {
	check  int64
	period int
}

type cachedRollup struct {
	start int64
	agg   *rollAgg
}

type rollAgg struct {
	runs, failures int64
	latMin, latMax int64
	latSum         int64
	// counts is the latency histogram (hist) held in place: a rollup is
	// one allocation, and a copy of it a copy of its counts.
	counts [histBuckets]uint64
}

// hist is the rollup's latency histogram, which a.counts holds.
func (a *rollAgg) hist() hist { return a.counts[:] }

func newBatchWriter(s *Store, tx *sql.Tx) *batchWriter {
	return &batchWriter{s: s, tx: tx, ids: map[string]int64{}, states: map[string]alert.State{},
		evidence: map[int64]evidenceRef{}, roll: map[rollKey]*rollAgg{}, recent: map[int64]int64{},
		latest: map[int64]*latestRun{}, folds: map[int64]*foldTail{}}
}

// batchWriter returns the writer goroutine's batchWriter for a batch in tx
// (nil: begun when needed). Its maps and slices are the last batch's,
// emptied: most batches then allocate none. Nothing of them outlives a
// batch: publish copies their entries into the store's maps. Only the
// writer goroutine calls it, and it uses one batch at a time.
func (s *Store) batchWriter(tx *sql.Tx) *batchWriter {
	w := s.scratch
	if w == nil {
		w = newBatchWriter(s, tx)
		w.merged, w.bases = map[rollKey]*rollAgg{}, map[rollKey]*rollAgg{}
		s.scratch = w
		return w
	}
	clear(w.ids)
	clear(w.states)
	clear(w.evidence)
	clear(w.roll)
	clear(w.merged)
	clear(w.bases)
	clear(w.recent)
	clear(w.latest)
	clear(w.folds)
	clear(w.txStmts)
	clear(w.firstStmts)
	clear(w.closed)
	*w = batchWriter{s: s, tx: tx, ids: w.ids, states: w.states, evidence: w.evidence, roll: w.roll,
		merged: w.merged, bases: w.bases, recent: w.recent, latest: w.latest, folds: w.folds, closed: w.closed[:0],
		txStmts: w.txStmts, firstStmts: w.firstStmts, slab: w.slab[:0]}
	return w
}

// newRollAgg returns a zero rollup for roll, from the slab.
func (w *batchWriter) newRollAgg() *rollAgg {
	if len(w.slab) == cap(w.slab) {
		// A new slab: the full one stays with the rollups it holds.
		w.slab = make([]rollAgg, 0, max(64, 2*cap(w.slab)))
	}
	w.slab = w.slab[:len(w.slab)+1]
	a := &w.slab[len(w.slab)-1]
	*a = rollAgg{}
	return a
}

// begin makes sure the batch has its transaction.
func (w *batchWriter) begin(ctx context.Context) error {
	if w.tx != nil {
		return nil
	}
	if w.open == nil {
		return errors.New("record run: no transaction")
	}
	tx, err := w.open(ctx)
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	w.tx = tx
	return nil
}

func (w *batchWriter) apply(ctx context.Context, res checks.Result, eval Evaluator, feval FleetEvaluator) (Run, []alert.Event, error) {
	sig := signature(res.Probes)
	if feval == nil {
		if run, evs, folded, err := w.tryFold(ctx, res, sig, eval); folded || err != nil {
			return run, evs, err
		}
	}
	if err := w.begin(ctx); err != nil {
		return Run{}, nil, err
	}
	if err := w.fenceSlot(ctx, res); err != nil {
		return Run{}, nil, err
	}
	checkID, err := w.checkID(ctx, res.Check)
	if err != nil {
		return Run{}, nil, err
	}
	evidenceID, reused, err := w.evidenceFor(ctx, checkID, res, sig)
	if err != nil {
		return Run{}, nil, err
	}
	runID, err := w.insertRun(ctx, checkID, res, evidenceID)
	if err != nil {
		return Run{}, nil, err
	}
	w.startTail(checkID, runID, evidenceID, res)
	if err := w.noteLatest(checkID, runID, res, evidenceID, reused); err != nil {
		return Run{}, nil, err
	}
	if feval != nil {
		locs, err := w.noteLocation(ctx, res, runID)
		if err != nil {
			return Run{}, nil, err
		}
		eval = func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
			return feval(prev, res, runID, locs)
		}
	}
	evs, err := w.decide(ctx, res, runID, eval, reused)
	if err != nil {
		return Run{}, nil, err
	}
	w.rollup(checkID, res)
	return Run{ID: runID, Result: res}, evs, nil
}

// insertRun writes the run's row and returns its id. On SQLite the writer
// is the only one to add runs and knows the newest id (lastRun; pruning
// never removes the newest run), so it gives the id itself: an insert
// without RETURNING, which costs less than reading a row back.
func (w *batchWriter) insertRun(ctx context.Context, checkID int64, res checks.Result, evidenceID int64) (int64, error) {
	var runID int64
	var err error
	if w.s.Shared() {
		err = w.QueryRowContext(ctx, `INSERT INTO runs (check_id, started_ms, duration_us, passed, evidence_id, location)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, checkID, ms(res.Started), res.Duration.Microseconds(), res.Passed(),
			evidenceID, res.Location).Scan(&runID)
	} else {
		runID = max(w.lastRun, w.s.lastRun) + 1
		_, err = w.ExecContext(ctx, `INSERT INTO runs (id, check_id, started_ms, duration_us, passed, evidence_id, location)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, runID, checkID, ms(res.Started), res.Duration.Microseconds(), res.Passed(),
			evidenceID, res.Location)
	}
	if err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	w.lastRun = max(w.lastRun, runID)
	return runID, nil
}

// checkID returns the id of a check name, creating it on first use.
func (w *batchWriter) checkID(ctx context.Context, name string) (int64, error) {
	if id, ok := w.knownCheckID(name); ok {
		return id, nil
	}
	var id int64
	err := w.QueryRowContext(ctx, `INSERT INTO check_names (name) VALUES (?)
		ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`, name).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("check id of %q: %w", name, err)
	}
	w.ids[name] = id
	return id, nil
}

// evidenceFor writes the run's probe outcomes, unless the run passed and
// they equal the check's latest evidence: then the run shares that row.
func (w *batchWriter) evidenceFor(ctx context.Context, checkID int64, res checks.Result, sig outcomeSig) (id int64, reused bool, err error) {
	last, ok := w.latestEvidence(checkID)
	if ok && last.sig == sig && res.Passed() {
		return last.id, true, nil
	}
	full, err := json.Marshal(res.Probes)
	if err != nil {
		return 0, false, fmt.Errorf("record run: encode probes: %w", err)
	}
	verdict, err := json.Marshal(verdictOf(res.Probes))
	if err != nil {
		return 0, false, fmt.Errorf("record run: encode verdict: %w", err)
	}
	err = w.QueryRowContext(ctx, `INSERT INTO evidence (check_id, started_ms, probes_json, verdict)
		VALUES (?, ?, ?, ?) RETURNING id`, checkID, ms(res.Started), string(full), string(verdict)).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("record evidence: %w", err)
	}
	w.evidence[checkID] = evidenceRef{id: id, sig: sig}
	return id, false, nil
}

// knownCheckID is the id of a check name the batch or the store knows,
// without asking the database.
func (w *batchWriter) knownCheckID(name string) (int64, bool) {
	if id, ok := w.ids[name]; ok {
		return id, true
	}
	id, ok := w.s.checkIDs[name]
	return id, ok
}

// latestEvidence is the check's latest evidence as the batch sees it.
func (w *batchWriter) latestEvidence(check int64) (evidenceRef, bool) {
	if e, ok := w.evidence[check]; ok {
		return e, true
	}
	e, ok := w.s.lastEvidence[check]
	return e, ok
}

// cachedState is the check's state as the batch, or on a store of its own
// (SQLite) the store, holds it; false: read it from the database.
func (w *batchWriter) cachedState(check string) (alert.State, bool) {
	if st, ok := w.states[check]; ok {
		return st, true
	}
	if st, ok := w.s.states[check]; ok && !w.s.Shared() {
		return st, true
	}
	return alert.State{}, false
}

// decide folds the run into the check's state and persists what changed.
func (w *batchWriter) decide(ctx context.Context, res checks.Result, runID int64, eval Evaluator, sameEvidence bool) ([]alert.Event, error) {
	prev, err := w.state(ctx, res.Check)
	if err != nil {
		return nil, err
	}
	return w.decided(ctx, res, runID, prev, eval, sameEvidence)
}

// decided is decide from the check's previous state: what the run changed
// is written in the batch's transaction, begun if it was not yet.
func (w *batchWriter) decided(ctx context.Context, res checks.Result, runID int64, prev alert.State, eval Evaluator, sameEvidence bool) ([]alert.Event, error) {
	next, inc, evs := eval(prev, res, runID)
	if inc != nil || len(evs) > 0 || !routine(prev, next, sameEvidence) {
		if err := w.begin(ctx); err != nil {
			return nil, err
		}
	}
	if inc != nil {
		if err := saveIncident(ctx, w, inc); err != nil {
			return nil, err
		}
	}
	if !routine(prev, next, sameEvidence) {
		if err := saveState(ctx, w, next, runID); err != nil {
			return nil, err
		}
	}
	w.states[res.Check] = next
	for i := range evs {
		if evs[i].IncidentID == 0 && inc != nil {
			evs[i].IncidentID = inc.ID
		}
		if _, err := enqueue(ctx, w, evs[i], w.s.now()); err != nil {
			return nil, err
		}
		w.queued = true
	}
	return evs, nil
}

func (w *batchWriter) state(ctx context.Context, check string) (alert.State, error) {
	if st, ok := w.cachedState(check); ok {
		return st, nil
	}
	st, err := stateTx(ctx, w, check)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return alert.State{}, err
	}
	return st, nil
}

// rollup adds the run to its hour and day.
func (w *batchWriter) rollup(checkID int64, res checks.Result) {
	us := res.Duration.Microseconds()
	for period, size := range []time.Duration{time.Hour, 24 * time.Hour} {
		k := rollKey{check: checkID, period: period, start: ms(res.Started.Truncate(size))}
		a := w.roll[k]
		if a == nil {
			a = w.newRollAgg()
			a.latMin, a.latMax = us, us
			w.roll[k] = a
		}
		a.runs++
		if !res.Passed() {
			a.failures++
		}
		a.latMin, a.latMax, a.latSum = min(a.latMin, us), max(a.latMax, us), a.latSum+us
		a.hist().add(us)
	}
}

// flushRollups merges the batch's aggregates into the rollups. On a store
// of its own (SQLite) the sums are kept in memory, pending, and written
// about once a second (writePending) with what derives from them and from
// the newest runs (check_latest, check_recent); on a shared store
// (PostgreSQL) they are all written now. The current hour and day of each check are cached, so most merges
// read nothing.
func (w *batchWriter) flushRollups() error {
	ctx := context.Background()
	var q querier = w.tx
	if w.s != nil {
		q = w
	}
	if w.merged == nil {
		w.merged = map[rollKey]*rollAgg{}
	}
	clear(w.merged)
	for k, a := range w.roll {
		base, err := w.baseRollup(ctx, q, k)
		if err != nil {
			return err
		}
		if w.deferRollups {
			if w.bases == nil {
				w.bases = map[rollKey]*rollAgg{}
			}
			w.bases[k] = base // merged by publish: a copy per rollup per batch was a third of the writer's garbage
			continue
		}
		w.merged[k] = addRollup(base, a)
	}
	switch {
	case w.deferRollups:
	case w.s != nil && !w.s.Shared():
		if err := w.writeAllRollups(ctx); err != nil { // SeedHistory
			return err
		}
	default: // PostgreSQL, or a migration's backfill
		for k, a := range w.merged {
			if err := writeRollup(ctx, q, k, a); err != nil {
				return err
			}
		}
		w.wrote = true
	}
	if w.s != nil && !w.deferRollups { // else writePending writes them
		spans := map[int64]*recentSpan{}
		addSpans(spans, w.roll)
		if err := w.refreshRecent(ctx, spans); err != nil {
			return err
		}
		w.wroteLatest = true
		return w.writeLatest(ctx, w.latest, w.merged)
	}
	return nil
}

// baseRollup is the rollup k before this batch: pending in memory, cached,
// or read (nil when there is none).
func (w *batchWriter) baseRollup(ctx context.Context, q querier, k rollKey) (*rollAgg, error) {
	if w.s != nil && !w.s.Shared() {
		if p, ok := w.s.pending[k]; ok {
			return p, nil
		}
		if c, ok := w.s.rollups[rollSlot{k.check, k.period}]; ok && c.start == k.start {
			return c.agg, nil
		}
	}
	if w.s != nil {
		if err := w.begin(ctx); err != nil {
			return nil, err
		}
	}
	var old rollAgg
	var blob []byte
	err := q.QueryRowContext(ctx, `SELECT runs, failures, lat_min, lat_max, lat_sum, hist FROM rollups
		WHERE check_id = ? AND period = ? AND start_ms = ?`, k.check, k.period, k.start).
		Scan(&old.runs, &old.failures, &old.latMin, &old.latMax, &old.latSum, &blob)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("rollup: %w", err)
	}
	if err := decodeHistInto(blob, old.hist()); err != nil {
		return nil, err
	}
	return &old, nil
}

// addRollup returns base (nil: none) plus a, leaving both as they are.
func addRollup(base, a *rollAgg) *rollAgg {
	sum := *a
	if base != nil {
		sum.add(base)
	}
	return &sum
}

// add adds rollup o to a.
func (a *rollAgg) add(o *rollAgg) {
	a.hist().merge(o.hist())
	a.runs, a.failures, a.latSum = a.runs+o.runs, a.failures+o.failures, a.latSum+o.latSum
	a.latMin, a.latMax = min(a.latMin, o.latMin), max(a.latMax, o.latMax)
}

// writeRollup stores rollup k as a.
func writeRollup(ctx context.Context, q querier, k rollKey, a *rollAgg) error {
	_, err := q.ExecContext(ctx, `INSERT INTO rollups (check_id, period, start_ms, runs, failures,
		lat_min, lat_max, lat_sum, hist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (check_id, period, start_ms) DO UPDATE SET runs = excluded.runs, failures = excluded.failures,
		lat_min = excluded.lat_min, lat_max = excluded.lat_max, lat_sum = excluded.lat_sum, hist = excluded.hist`,
		k.check, k.period, k.start, a.runs, a.failures, a.latMin, a.latMax, a.latSum, a.hist().encode())
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	return nil
}

// writeAllRollups stores, in the batch's transaction, the pending rollups
// and the batch's own: after it every run so far is counted in the stored
// rollups. refreshRecent needs that before it reads them. The rows go in
// multi-row upserts (rollupUpserts): one statement per row was 2,000 Execs a
// second at 1,000 checks, most of this write's cost.
func (w *batchWriter) writeAllRollups(ctx context.Context) error {
	if w.wrote {
		return nil
	}
	// Most histograms encode in a byte a bucket, a few more for the busy ones.
	u := rollupUpserter{w: w, blobs: make([]byte, 0, (len(w.s.pending)+len(w.merged))*(histBuckets+8))}
	for k, a := range w.s.pending {
		if _, mine := w.merged[k]; !mine {
			if err := u.add(ctx, k, a); err != nil {
				return err
			}
		}
	}
	for k, a := range w.merged {
		if err := u.add(ctx, k, a); err != nil {
			return err
		}
	}
	if err := u.flush(ctx); err != nil {
		return err
	}
	if err := w.writeFolds(ctx); err != nil {
		return err
	}
	if err := w.writeMark(ctx); err != nil {
		return err
	}
	w.wrote = true
	return nil
}

// rollupChunks are the row counts of the upserts writeAllRollups runs,
// largest first: any number of rows is written with three distinct
// statements, each prepared once. A statement of several rows keeps a
// statement journal, a copy of each page it changes (a rollup row is one
// page of the table, in a store with history); SQLite holds 64 KiB of it in
// memory and moves the rest to a temporary file, which cost more than the
// statements saved at 64 rows. Twelve pages stay in memory, with room for a
// page split. Parameters are far below SQLite's bound (32,766).
var rollupChunks = [...]int{12, 4, 1}

// rollupUpserts[i] upserts rollupChunks[i] rows, nine parameters each in
// the order of writeRollup's.
var rollupUpserts = func() (qs [len(rollupChunks)]string) {
	for i, n := range rollupChunks {
		var b strings.Builder
		b.WriteString(`INSERT INTO rollups (check_id, period, start_ms, runs, failures, lat_min, lat_max, lat_sum, hist) VALUES `)
		for j := range n {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
		}
		b.WriteString(` ON CONFLICT (check_id, period, start_ms) DO UPDATE SET runs = excluded.runs,
		failures = excluded.failures, lat_min = excluded.lat_min, lat_max = excluded.lat_max,
		lat_sum = excluded.lat_sum, hist = excluded.hist`)
		qs[i] = b.String()
	}
	return qs
}()

const rollupCols = 9

// rollupUpserter collects rollup rows and writes them rollupChunks[0] at a
// time; flush writes the rest in smaller chunks.
type rollupUpserter struct {
	w    *batchWriter
	args []any
	// blobs holds the encoded histograms of the rows: the arguments are
	// slices of it, never overwritten (a grown buffer leaves the old one
	// to the slices that point into it).
	blobs []byte
}

func (u *rollupUpserter) add(ctx context.Context, k rollKey, a *rollAgg) error {
	if u.args == nil {
		u.args = make([]any, 0, rollupChunks[0]*rollupCols)
	}
	from := len(u.blobs)
	u.blobs = a.hist().appendTo(u.blobs)
	u.args = append(u.args, k.check, k.period, k.start, a.runs, a.failures, a.latMin, a.latMax, a.latSum,
		u.blobs[from:len(u.blobs):len(u.blobs)])
	if len(u.args) == cap(u.args) {
		return u.exec(ctx, 0, len(u.args))
	}
	return nil
}

func (u *rollupUpserter) flush(ctx context.Context) error {
	for len(u.args) > 0 {
		for i, n := range rollupChunks {
			if len(u.args) >= n*rollupCols {
				if err := u.exec(ctx, i, n*rollupCols); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

// exec writes the first n arguments' rows with upsert i and drops them.
func (u *rollupUpserter) exec(ctx context.Context, i, n int) error {
	if _, err := u.w.ExecContext(ctx, rollupUpserts[i], u.args[:n]...); err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	rest := copy(u.args, u.args[n:])
	clear(u.args[rest:])
	u.args = u.args[:rest]
	return nil
}

// writeMark records that the stored rollups count every run up to the
// newest one written so far (see migration 14). Only SQLite keeps the mark:
// PostgreSQL never defers.
func (w *batchWriter) writeMark(ctx context.Context) error {
	last := max(w.lastRun, w.s.lastRun)
	if _, err := w.ExecContext(ctx, `UPDATE rollup_mark SET run_id = ? WHERE id = 1`, last); err != nil {
		return fmt.Errorf("rollup mark: %w", err)
	}
	return nil
}

// publish makes the committed batch's knowledge the store's cache.
func (w *batchWriter) publish() {
	if w.deferRollups {
		// The batch's runs join the rollups they were merged into
		// (flushRollups): in place, as only the writer reads them.
		for k, a := range w.roll {
			sum := w.bases[k]
			if sum == nil {
				sum = new(rollAgg)
				*sum = *a // a is the slab's, reused by the next batch
			} else {
				sum.add(a)
			}
			w.merged[k] = sum
		}
	}
	for k, v := range w.ids {
		w.s.checkIDs[k] = v
	}
	for k, v := range w.states {
		w.s.states[k] = v
	}
	for k, v := range w.evidence {
		w.s.lastEvidence[k] = v
	}
	for k, v := range w.recent {
		w.s.recentAt[k] = v
	}
	if w.wrote {
		// Only when not empty: SeedHistory publishes from outside the
		// writer, which reads len(pending) meanwhile; clearing an empty
		// map would still be a write.
		if len(w.s.pending) > 0 {
			clear(w.s.pending)
		}
	}
	if w.wroteLatest {
		if len(w.s.pendingLatest) > 0 {
			clear(w.s.pendingLatest)
		}
		if len(w.s.pendingSpans) > 0 {
			clear(w.s.pendingSpans)
		}
	}
	if !w.wrote {
		for k, v := range w.merged {
			w.s.pending[k] = v
		}
		for k, v := range w.latest {
			w.s.pendingLatest[k] = v
		}
		addSpans(w.s.pendingSpans, w.roll)
	}
	w.s.lastRun = max(w.s.lastRun, w.lastRun)
	w.publishFolds(w.wrote)
	for k, v := range w.merged {
		slot := rollSlot{k.check, k.period}
		if cur, ok := w.s.rollups[slot]; !ok || cur.start <= k.start { // keep the newest period
			w.s.rollups[slot] = cachedRollup{start: k.start, agg: v}
		}
	}
}

// routine reports whether a run only extended a quiet passing streak with
// the same evidence: then the stored state is not rewritten (it was half the
// cost of a steady run). After a restart such a state has an older pass
// streak and "last pass" run, which matter only once something fails, and
// then the state is written again.
func routine(prev, next alert.State, sameEvidence bool) bool {
	return sameEvidence && prev.Status == alert.StatusPassing && next.Status == alert.StatusPassing &&
		prev.Incident == nil && next.Incident == nil && !prev.Flapping && !next.Flapping &&
		len(prev.Changes) == len(next.Changes) && prev.PassStreak >= 1
}

// verdictOf keeps of each probe its kind, target and failed assertions:
// enough for the overview's matrix and reasons.
func verdictOf(probes []checks.ProbeResult) []checks.ProbeResult {
	out := make([]checks.ProbeResult, len(probes))
	for i, p := range probes {
		out[i] = checks.ProbeResult{Kind: p.Kind, Method: p.Method, URL: p.URL}
		for _, a := range p.Assertions {
			if !a.Pass {
				out[i].Assertions = append(out[i].Assertions, a)
			}
		}
	}
	return out
}
