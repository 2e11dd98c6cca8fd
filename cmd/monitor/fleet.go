package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/scheduler"
	"github.com/authmon/monitor/internal/store"
)

// A monitor on PostgreSQL is an instance of a fleet: it registers, beats
// every heartbeatEvery, claims its location's slots while its config is the
// fleet's, and stops claiming (and says so) while it is not. See
// internal/store/fleet.go for the tables and the claim.

const heartbeatEvery = 2 * time.Second

// noteConfigDiffers is why an instance whose config is not the fleet's
// claims nothing, as the instances table and /fleet show it.
const noteConfigDiffers = "config differs from the fleet's"

// fleetMember is this instance's part of the fleet.
type fleetMember struct {
	id, location string
	a            *app

	mu      sync.Mutex
	synced  string // the config hash whose checks the schedule holds for our location
	state   atomic.Pointer[fleetState]
	kick    chan struct{} // beat now (a reload)
	looping bool          // start ran: done closes when the loop ends
	ctx     context.Context
	stop    context.CancelFunc
	done    chan struct{}
}

// fleetState is what the latest heartbeat found, for /readyz and the
// dashboard.
type fleetState struct {
	at        time.Time
	err       error  // the heartbeat failed: the database is unreachable
	mine      string // this instance's config hash
	fleet     string // the fleet's
	claiming  bool
	note      string   // why it does not claim; "" when it does
	locations []string // the locations of live instances
}

// resolveLocation is -location, else AUTHMON_LOCATION, else [monitor]
// location, else "default".
func resolveLocation(flagValue string, cfg *config.Config) string {
	for _, v := range []string{flagValue, os.Getenv("AUTHMON_LOCATION"), cfg.Location} {
		if v != "" {
			return v
		}
	}
	return config.DefaultLocation
}

// instanceID is AUTHMON_INSTANCE, else the host name and a random suffix:
// a restarted process is a new instance (the old one shows as gone).
func instanceID() string {
	if v := os.Getenv("AUTHMON_INSTANCE"); v != "" {
		return v
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "monitor"
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

// claimer adapts the store to the scheduler's Claimer.
type claimer struct {
	st           *store.Store
	id, location string
}

func (c claimer) Claim(ctx context.Context, max int, ahead time.Duration, plan scheduler.Plan) ([]scheduler.Claim, error) {
	got, err := c.st.ClaimSlots(ctx, c.id, c.location, max, ahead, store.Plan(plan))
	out := make([]scheduler.Claim, len(got))
	for i, g := range got {
		out[i] = scheduler.Claim(g)
	}
	return out, err
}

// newFleetMember makes a the instance of a fleet at location; start
// starts its heartbeat once the scheduler exists.
func newFleetMember(a *app, location string) *fleetMember {
	ctx, cancel := context.WithCancel(context.Background())
	m := &fleetMember{id: instanceID(), location: location, a: a, kick: make(chan struct{}, 1), stop: cancel,
		done: make(chan struct{}), ctx: ctx}
	a.store.SetInstance(m.id)
	a.log.Info("fleet: this instance", "instance", m.id, "location", location)
	return m
}

// start beats once (so that the scheduler claims from its first poll) and
// then every heartbeatEvery.
func (m *fleetMember) start() {
	m.beat(m.ctx)
	m.looping = true
	go m.loop(m.ctx)
}

func (m *fleetMember) loop(ctx context.Context) {
	defer close(m.done)
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.kick:
		}
		m.beat(ctx)
	}
}

// Kick makes the next heartbeat happen now (after a reload).
func (m *fleetMember) Kick() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// beat reports this instance, learns the fleet's config, turns claiming on
// or off, syncs the location's schedule when the config is the fleet's, and
// refreshes how each check's locations vote.
func (m *fleetMember) beat(ctx context.Context) {
	a := m.a
	a.reloadMu.Lock()
	cfg := a.cfg
	a.reloadMu.Unlock()
	prev := m.state.Load()
	st := &fleetState{at: time.Now(), mine: cfg.Hash}
	defer func() { m.state.Store(st) }()
	run, missed, claimErr := int64(0), int64(0), error(nil)
	var p50, p99 time.Duration
	if a.sched != nil {
		run, missed, claimErr = a.sched.FleetStats()
		p50, p99, _ = a.sched.Lateness()
	}
	claiming, note := false, ""
	if prev != nil {
		claiming, note = prev.claiming, prev.note
	}
	if claimErr != nil {
		note = "cannot claim: database unreachable"
	}
	bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := a.store.Beat(bctx, store.Heartbeat{ID: m.id, Location: m.location, Version: versionString(),
		ConfigSHA: cfg.Hash, SlotsRun: run, SlotsSkipped: missed, LateP50: p50, LateP99: p99, Claiming: claiming, Note: note})
	if err != nil {
		st.err = err
		if prev == nil || prev.err == nil {
			a.log.Error("fleet: heartbeat failed: the database is unreachable; monitoring from this instance is degraded", "err", err)
		}
		if prev != nil {
			st.fleet, st.claiming, st.note, st.locations = prev.fleet, prev.claiming, prev.note, prev.locations
		}
		return
	}
	if prev != nil && prev.err != nil {
		a.log.Info("fleet: database reachable again")
	}
	st.fleet, st.locations = v.ConfigSHA, v.Locations()
	st.claiming = v.ConfigSHA == cfg.Hash
	if !st.claiming {
		st.note = noteConfigDiffers
	} else if m.synced != cfg.Hash {
		if err := m.sync(bctx, cfg); err != nil {
			a.log.Error("fleet: cannot write the schedule", "err", err)
			st.claiming, st.note = false, "cannot write the schedule"
		} else {
			m.synced = cfg.Hash
		}
	}
	if prev == nil || prev.claiming != st.claiming {
		switch {
		case st.claiming:
			a.log.Info("fleet: claiming slots", "location", m.location, "config", short(cfg.Hash), "live_instances", len(v.Live))
		case st.note == noteConfigDiffers:
			a.log.Warn("fleet: this instance's config differs from the fleet's: it claims nothing until they match",
				"mine", short(cfg.Hash), "fleet", short(v.ConfigSHA))
		}
	}
	if st.claiming != claiming {
		if err := a.store.SetClaiming(bctx, m.id, st.claiming, st.note); err != nil {
			a.log.Warn("fleet: cannot record whether this instance claims", "err", err)
		}
	}
	if a.sched != nil {
		a.sched.SetClaiming(st.claiming)
	}
	m.setRules(v, cfg)
	// Acknowledgements and snoozes made on a peer's dashboard or from
	// Slack reach this instance's decisions within a heartbeat.
	if err := a.loadOnCall(bctx); err != nil {
		a.log.Warn("fleet: cannot read acknowledgements and snoozes", "err", err)
	}
}

// sync writes this location's schedule rows: the checks of cfg that run
// here.
func (m *fleetMember) sync(ctx context.Context, cfg *config.Config) error {
	var entries []store.ScheduleEntry
	for _, ch := range cfg.Checks {
		if runsAt(ch, m.location) {
			entries = append(entries, store.ScheduleEntry{Check: ch.Name, Spec: ch.Schedule})
		}
	}
	return m.a.store.SyncSchedule(ctx, m.location, entries, m.a.sched.FirstSlot)
}

// runsAt reports whether a check runs from location: its locations, or
// every location when it names none.
func runsAt(ch checks.Check, location string) bool {
	if len(ch.Locations) == 0 {
		return true
	}
	for _, l := range ch.Locations {
		if l == location {
			return true
		}
	}
	return false
}

// setRules tells the pipeline how each check's locations vote: its own
// locations, or every location the heartbeat v knows (instances seen within the
// last day, so that a location that went dark is reported stale rather
// than forgotten); a location is stale once its latest run is older than
// two intervals plus the run's worst case.
func (m *fleetMember) setRules(v store.FleetView, cfg *config.Config) {
	known := map[string]bool{m.location: true}
	for _, in := range v.Known {
		known[in.Location] = true
	}
	var all []string
	for l := range known {
		all = append(all, l)
	}
	rules := make(map[string]alert.FleetRule, len(cfg.Checks))
	for _, ch := range cfg.Checks {
		r := alert.FleetRule{Locations: ch.Locations, Quorum: ch.Quorum}
		if len(r.Locations) == 0 {
			r.Locations = all
		}
		r.StaleAfter = staleAfter(ch)
		rules[ch.Name] = r
	}
	m.a.pipe.SetFleet(rules)
}

// staleAfter is how old a location's latest run of ch may be and still
// vote: two intervals, plus the run's worst case and a heartbeat.
func staleAfter(ch checks.Check) time.Duration {
	o, _ := scheduler.CheckOverrun(ch)
	return 2*o.Interval + o.Worst + heartbeatEvery
}

// leave stops the heartbeat and removes the instance: its leases end now.
func (m *fleetMember) leave() {
	m.stop()
	if m.looping {
		<-m.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := m.a.store.Leave(ctx, m.id); err != nil {
		m.a.log.Warn("fleet: could not leave cleanly; peers take over when the leases end", "err", err)
	}
}

// problem says, for /readyz, why this instance does not monitor fully;
// "" when it does.
func (m *fleetMember) problem() string {
	st := m.state.Load()
	switch {
	case st == nil:
		return ""
	case st.err != nil:
		return "fleet degraded: database unreachable, no slots claimed"
	case !st.claiming && st.note == noteConfigDiffers:
		return noteConfigDiffers + ": claiming nothing"
	}
	return ""
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// dashboard is web.Deps.Fleet: how this instance stands, as its latest
// heartbeat found it; nil without a fleet (SQLite). A location's result
// is stale for the dashboard when it is for the vote (setRules).
func (m *fleetMember) dashboard() func() store.Standing {
	if m == nil {
		return nil
	}
	return func() store.Standing {
		s := store.Standing{Instance: m.id, Location: m.location, StaleAfter: staleAfter}
		if st := m.state.Load(); st != nil {
			s.At, s.Err, s.ConfigSHA, s.FleetSHA = st.at, st.err, st.mine, st.fleet
			s.Claiming, s.Locations = st.claiming, st.locations
		}
		return s
	}
}
