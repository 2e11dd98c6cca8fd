package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/demo"
	"github.com/authmon/monitor/internal/gcpace"
	"github.com/authmon/monitor/internal/metrics"
	"github.com/authmon/monitor/internal/pipeline"
	"github.com/authmon/monitor/internal/redact"
	"github.com/authmon/monitor/internal/scheduler"
	"github.com/authmon/monitor/internal/store"
	"github.com/authmon/monitor/web"
)

func serveCmd(ctx context.Context, args []string, stderr io.Writer) int {
	fs := newFlagSet("serve", stderr)
	path := configFlag(fs)
	dbFlagValue := dbFlag(fs)
	listen := fs.String("listen", "", "dashboard address (env AUTHMON_LISTEN, else [dashboard] listen, else "+defaultListen+")")
	location := fs.String("location", "", "where this instance probes from, in a fleet on PostgreSQL (env AUTHMON_LOCATION, else [monitor] location, else default)")
	logs := logFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return exitConfig
	}
	addr := listenAddr(*listen, cfg.Dashboard)
	if err := checkExposure(addr, cfg.Dashboard); err != nil {
		fmt.Fprintln(stderr, err)
		return exitConfig
	}
	dbPath := resolveDB(*dbFlagValue, cfg)
	cfg.Location = resolveLocation(*location, cfg)
	red := redact.New(append(cfg.Secrets, store.URLSecrets(dbPath)...)...)
	log, err := logs.logger(stderr, red)
	if err != nil {
		fmt.Fprintln(stderr, "monitor serve:", err)
		return exitConfig
	}
	warnInsecure(log, cfg)
	// Before start: from "dashboard listening" on, SIGHUP must never kill.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	a, err := start(ctx, cfg, red, dbPath, addr, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFailed
	}
	go gcpace.Run(ctx, log)
	a.serveReloads(ctx, hup)
	log.Info("shutting down")
	a.close()
	return exitOK
}

// app is a running monitor: store, scheduler, sender, dashboard and the
// optional sample API.
type app struct {
	log          *slog.Logger
	redact       *redact.Redactor // every secret of every config loaded: text leaves through it
	store        *store.Store
	sched        *scheduler.Scheduler
	pipe         *pipeline.Pipeline // run -> record and decide -> outbox -> wake; holds the policies
	wake         func()             // asks the sender to look at the outbox now
	stopSender   context.CancelFunc
	senderDone   chan struct{}
	stopMaintain func() // stops storage maintenance and waits for it
	servers      []*http.Server
	metrics      *metrics.Metrics
	budget       *store.LoginBudget // failed logins per account, shared by every check
	fleet        *fleetMember       // nil unless the database is shared (PostgreSQL)
	unwritable   atomic.Bool        // /readyz found the database not writable (logged once)
	dbLock       *dbLock            // held on a SQLite file while serving (nil on PostgreSQL)

	live     *live          // read by the dashboard and the metrics
	reloadMu sync.Mutex     // one reload at a time
	cfg      *config.Config // the config running now; guarded by reloadMu
}

// start runs cfg with the process's redactor red (nil: one of cfg's
// secrets), which the logger log should use too.
func start(ctx context.Context, cfg *config.Config, red *redact.Redactor, dbPath, listen string, log *slog.Logger) (*app, error) {
	if red == nil {
		red = redact.New(cfg.Secrets...)
	}
	var lock *dbLock
	if !store.IsPostgres(dbPath) {
		var err error
		if lock, err = lockDB(dbPath); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		lock.release()
		return nil, err
	}
	st.SetFolding(cfg.FoldRepeats)
	a := &app{log: log, redact: red, store: st, dbLock: lock, cfg: cfg, live: newLive(cfg, time.Now())}
	if a.budget, err = st.LoginBudget(ctx, time.Now); err != nil {
		st.Close()
		lock.release()
		return nil, err
	}
	a.metrics = metrics.New(metrics.Sources{Checks: a.checkStates, QueueDepth: st.PendingNotifications}, versionString(), log)
	a.startMaintain(cfg.Retention)
	var dm *demo.API
	if cfg.Demo != nil {
		if dm, err = a.startDemo(cfg.Demo); err != nil {
			a.close()
			return nil, err
		}
	}
	a.startSender(cfg)
	if st.Shared() {
		a.fleet = newFleetMember(a, resolveLocation("", cfg))
	}
	a.newScheduler(cfg)
	if err := a.loadOnCall(ctx); err != nil {
		a.close()
		return nil, err
	}
	h := web.New(web.Deps{Store: st, Checks: a.live.currentChecks, Reload: a.live.lastLoad, Demo: demoDeps(dm),
		Log: log, Version: versionString(), Now: time.Now, Auth: authConfig(cfg.Dashboard),
		Metrics: a.metrics.Handler(), Ready: a.ready, Budgets: a.budgets, Skipped: a.skipped, Redact: red,
		Policies:   a.pipe.Policies,
		StatusPage: statusPage(cfg.StatusPage, st), Fleet: a.fleet.dashboard(), OnCall: a,
		SlackSigningSecret: cfg.SlackSigningSecret})
	addr, err := a.listen(listen, h)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	log.Info("dashboard listening", "addr", "http://"+addr, "auth", authSummary(cfg.Dashboard), "checks", len(cfg.Checks),
		"db", store.Redact(dbPath))
	// Listening first: at 10,000 checks scheduling takes a while, and
	// /healthz answers meanwhile (/readyz says the scheduler is not running).
	if err := a.scheduleChecks(cfg); err != nil {
		a.close()
		return nil, err
	}
	if a.fleet != nil {
		a.fleet.start()
	}
	a.sched.Start()
	return a, nil
}

// newScheduler makes the scheduler, under the configured limits, and the
// pipeline its runs go through (run, record and decide, queue, wake the
// sender); the probes share one HTTP client that keeps as many idle
// connections per host as checks may run against it. scheduleChecks gives
// it the checks.
func (a *app) newScheduler(cfg *config.Config) {
	// One Runner for the life of the scheduler: it remembers the pauses
	// targets asked for and how long they have rate limited good
	// credentials, spends the failed-login budget kept in the store, and
	// records no secret the process knows. The signing keys' history is
	// kept in the store, so that a restart forgets no key.
	runner := checks.NewRunner(checks.NewClient(cfg.MaxPerHost), a.budget, a.redact).WithKeyHistory(a.store.KeyHistory())
	if a.store.Shared() { // a fleet: pauses and enumeration turns are the fleet's
		runner.WithPauses(a.store.Pauses(a.log))
	}
	a.pipe = pipeline.New(pipeline.Deps{Runner: runner, Store: a.store, Policies: cfg.Policies, Wake: a.wake,
		Observer: a.metrics, Log: a.log})
	opts := []scheduler.Option{scheduler.WithLimits(cfg.MaxConcurrency, cfg.MaxPerHost), scheduler.WithObserver(a.metrics)}
	if m := a.fleet; m != nil {
		opts = append(opts, scheduler.WithFleet(claimer{st: a.store, id: m.id, location: m.location}, m.location))
	}
	a.sched = scheduler.New(a.pipe, a.pipe.Run, a.log, opts...)
}

// scheduleChecks schedules every check of cfg, each at its jittered slot.
func (a *app) scheduleChecks(cfg *config.Config) error {
	for i := range cfg.Checks {
		ch := &cfg.Checks[i] // the scheduler reads the config's: a config is never changed
		if err := a.sched.AddRef(ch); err != nil {
			return err
		}
		if o, over := scheduler.CheckOverrun(*ch); over {
			a.log.Warn("check can outlast its interval", "check", ch.Name, "why", o.String())
		}
	}
	return nil
}

// budgets reads the failed-login budget of each account ch's probes name,
// for the check page.
func (a *app) budgets(ctx context.Context, ch checks.Check) ([]checks.BudgetState, error) {
	var out []checks.BudgetState
	for _, user := range checks.BudgetAccounts(ch) {
		st, err := a.budget.State(ctx, user, ch.FailedLogins)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// skipped reports a check's lost slots, for the check page.
func (a *app) skipped(check string) web.SkippedRuns {
	s := a.sched.Skipped(check)
	return web.SkippedRuns{Count: s.Count, Last: s.Last, Reason: s.Reason, Since: s.Since}
}

// startMaintain (re)starts storage maintenance under retention r.
func (a *app) startMaintain(r store.Retention) {
	if a.stopMaintain != nil {
		a.stopMaintain()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.store.Maintain(ctx, r, a.log)
	}()
	a.stopMaintain = func() {
		cancel()
		<-done
	}
}

// demoDeps keeps a nil *demo.API from becoming a non-nil interface.
func demoDeps(d *demo.API) web.Demo {
	if d == nil {
		return nil
	}
	return d
}

func (a *app) startDemo(d *config.Demo) (*demo.API, error) {
	dm, err := demo.New(demo.Credentials{Username: d.Username, Password: d.Password, Token: d.Token, APIKey: d.APIKey,
		ClientID: d.ClientID, ClientSecret: d.ClientSecret}, d.Mode)
	if err != nil {
		return nil, err
	}
	addr, err := a.listen(d.Listen, dm.Handler())
	if err != nil {
		return nil, fmt.Errorf("sample API: %w", err)
	}
	a.log.Info("sample API listening", "addr", "http://"+addr, "mode", dm.Mode())
	return dm, nil
}

func (a *app) startSender(cfg *config.Config) {
	n, err := buildChannels(cfg, a.redact, a.log)
	if err != nil { // config validated the templates: not expected
		a.log.Error("alert channels", "err", err)
	}
	sender := alert.NewSender(a.store, n, a.log, time.Now)
	sender.OnOutcome = a.metrics.ObserveDelivery
	if cfg.DeliveryTimeout > 0 {
		sender.AttemptTimeout = cfg.DeliveryTimeout
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.stopSender, a.senderDone = cancel, make(chan struct{})
	a.wake = sender.Wake
	go func() {
		defer close(a.senderDone)
		sender.Run(ctx)
	}()
}

// listen serves h on addr and returns the address actually bound (":0"
// picks a free port).
func (a *app) listen(addr string, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	a.servers = append(a.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("server stopped", "addr", addr, "err", err)
		}
	}()
	return ln.Addr().String(), nil
}

// close stops in dependency order: no new runs, running checks finish (or
// are cancelled after a grace period), servers drain, the sender stops, and
// the database is checkpointed and closed.
func (a *app) close() {
	if a.sched != nil {
		a.sched.Stop(10 * time.Second)
	}
	if a.fleet != nil {
		a.fleet.leave()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range a.servers {
		_ = srv.Shutdown(ctx)
	}
	if a.stopSender != nil {
		a.stopSender()
		<-a.senderDone
	}
	if a.stopMaintain != nil {
		a.stopMaintain()
	}
	if err := a.store.Close(); err != nil {
		a.log.Error("close database", "err", err)
	}
	a.dbLock.release()
}
