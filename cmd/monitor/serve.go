package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/demo"
	"github.com/authmon/monitor/internal/scheduler"
	"github.com/authmon/monitor/internal/store"
	"github.com/authmon/monitor/web"
)

func serveCmd(ctx context.Context, args []string, stderr io.Writer) int {
	fs := newFlagSet("serve", stderr)
	path := configFlag(fs)
	dbPath := fs.String("db", envOr("AUTHMON_DB", "monitor.db"), "SQLite file (env AUTHMON_DB)")
	listen := fs.String("listen", envOr("AUTHMON_LISTEN", "127.0.0.1:8080"), "dashboard address (env AUTHMON_LISTEN)")
	if fs.Parse(args) != nil {
		return exitConfig
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return exitConfig
	}
	log := newLogger(stderr, cfg.Secrets)
	a, err := start(ctx, cfg, *dbPath, *listen, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFailed
	}
	<-ctx.Done()
	log.Info("shutting down")
	a.close()
	return exitOK
}

// app is a running monitor: store, scheduler, sender, dashboard and the
// optional sample API.
type app struct {
	log        *slog.Logger
	store      *store.Store
	sched      *scheduler.Scheduler
	wake       func() // asks the sender to look at the outbox now
	stopSender context.CancelFunc
	senderDone chan struct{}
	servers    []*http.Server
}

func start(ctx context.Context, cfg *config.Config, dbPath, listen string, log *slog.Logger) (*app, error) {
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	a := &app{log: log, store: st}
	var dm *demo.API
	if cfg.Demo != nil {
		if dm, err = a.startDemo(cfg.Demo); err != nil {
			a.close()
			return nil, err
		}
	}
	a.startSender(cfg)
	hc := checks.NewClient()
	run := func(ctx context.Context, ch checks.Check) checks.Result { return checks.Run(ctx, hc, ch) }
	a.sched = scheduler.New(st, run, evaluator(cfg.Policies), a.wake, log)
	for _, ch := range cfg.Checks {
		if err := a.sched.Add(ch); err != nil {
			a.close()
			return nil, err
		}
	}
	h := web.New(web.Deps{Store: st, Checks: cfg.Checks, Demo: demoDeps(dm), Log: log, Version: versionString(), Now: time.Now})
	addr, err := a.listen(listen, h)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	a.sched.Start()
	log.Info("dashboard listening", "addr", "http://"+addr, "checks", len(cfg.Checks), "db", dbPath)
	return a, nil
}

// demoDeps keeps a nil *demo.API from becoming a non-nil interface.
func demoDeps(d *demo.API) web.Demo {
	if d == nil {
		return nil
	}
	return d
}

// evaluator decides incidents under each check's policy.
func evaluator(policies map[string]alert.Policy) store.Evaluator {
	return func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, policies[res.Check])
	}
}

func (a *app) startDemo(d *config.Demo) (*demo.API, error) {
	dm, err := demo.New(demo.Credentials{Username: d.Username, Password: d.Password, Token: d.Token, APIKey: d.APIKey}, d.Mode)
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
	var n alert.Notifier = alert.LogNotifier{Log: a.log}
	if cfg.Slack != nil {
		sl := alert.NewSlack(*cfg.Slack, &http.Client{Timeout: 20 * time.Second})
		sl.Log = a.log
		n = sl
	}
	sender := alert.NewSender(a.store, n, a.log, time.Now)
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range a.servers {
		_ = srv.Shutdown(ctx)
	}
	if a.stopSender != nil {
		a.stopSender()
		<-a.senderDone
	}
	if err := a.store.Close(); err != nil {
		a.log.Error("close database", "err", err)
	}
}
