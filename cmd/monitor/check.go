package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/internal/demo"
	"github.com/authmon/monitor/internal/redact"
)

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", stderr)
	path := configFlag(fs)
	asJSON := fs.Bool("json", false, "print results as JSON")
	logs := logFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return exitConfig
	}
	selected, err := selectChecks(cfg.Checks, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "monitor check:", err)
		return exitConfig
	}
	red := redact.New(cfg.Secrets...)
	log, err := logs.logger(stderr, red)
	if err != nil {
		fmt.Fprintln(stderr, "monitor check:", err)
		return exitConfig
	}
	if cfg.Demo != nil {
		stop := serveDemoIfFree(cfg.Demo, log)
		defer stop()
	}
	results := runChecks(ctx, selected, cfg.MaxPerHost, red)
	if *asJSON {
		err = printJSON(stdout, results)
	} else {
		err = printTable(stdout, results)
	}
	if err != nil {
		fmt.Fprintln(stderr, "monitor check:", err)
		return exitFailed
	}
	for _, r := range results {
		if !r.Passed() {
			return exitFailed
		}
	}
	return exitOK
}

func selectChecks(all []checks.Check, names []string) ([]checks.Check, error) {
	if len(names) == 0 {
		return all, nil
	}
	byName := map[string]checks.Check{}
	for _, c := range all {
		byName[c.Name] = c
	}
	var out []checks.Check
	for _, n := range names {
		c, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("no check named %q in the config", n)
		}
		out = append(out, c)
	}
	return out, nil
}

// serveDemoIfFree serves the sample API for the duration of the command,
// unless its port is taken (normally by a running `monitor serve`, whose
// sample API, broken or not, is then the one checked).
func serveDemoIfFree(d *config.Demo, log *slog.Logger) (stop func()) {
	ln, err := net.Listen("tcp", d.Listen)
	if errors.Is(err, syscall.EADDRINUSE) {
		log.Info("sample API address in use: checking the one already running", "addr", d.Listen)
		return func() {}
	}
	if err != nil {
		log.Warn("sample API not started", "err", err)
		return func() {}
	}
	api, err := demo.New(demo.Credentials{Username: d.Username, Password: d.Password, Token: d.Token, APIKey: d.APIKey,
		ClientID: d.ClientID, ClientSecret: d.ClientSecret}, d.Mode)
	if err != nil {
		ln.Close()
		log.Warn("sample API not started", "err", err)
		return func() {}
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return func() { srv.Close() }
}

// runChecks runs the checks concurrently and returns results in input order;
// perHost is the number of idle connections kept per target host, red
// removes every secret of the config from what they record.
func runChecks(ctx context.Context, list []checks.Check, perHost int, red *redact.Redactor) []checks.Result {
	// One budget for this command's runs: checks naming one account spend
	// from it together (serve keeps the budget in its store).
	rn := checks.NewRunner(checks.NewClient(perHost), checks.NewMemoryBudget(time.Now), red)
	out := make([]checks.Result, len(list))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, ch := range list {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = rn.Run(ctx, ch)
		})
	}
	wg.Wait()
	return out
}

func printTable(w io.Writer, results []checks.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tPROBE\tRESULT\tSTATUS\tLATENCY\tREASON")
	failed := 0
	for _, r := range results {
		for i, p := range r.Probes {
			name := r.Check
			if i > 0 {
				name = ""
			}
			verdict, reason := "pass", ""
			switch {
			case p.Skipped != "":
				verdict, reason = "skip", p.Skipped
			case !p.Passed():
				verdict, reason = "FAIL", probeReasons(p)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, p.Kind, verdict, statusCell(p),
				fmt.Sprintf("%.1fms", float64(p.Latency.Microseconds())/1000), reason)
		}
		if !r.Passed() {
			failed++
		}
	}
	fmt.Fprintf(tw, "\n%d checks: %d passed, %d failed\n", len(results), len(results)-failed, failed)
	return tw.Flush()
}

func statusCell(p checks.ProbeResult) string {
	if p.Status == 0 {
		return "no answer"
	}
	return fmt.Sprintf("%d %s", p.Status, p.StatusText)
}

func probeReasons(p checks.ProbeResult) string {
	var rs []string
	for _, a := range p.Assertions {
		if !a.Pass {
			rs = append(rs, fmt.Sprintf("[%s %s] %s", a.ID, a.Severity, a.Reason))
		}
	}
	return strings.Join(rs, "; ")
}

// jsonResult adds the verdict to a result for machine readers.
type jsonResult struct {
	checks.Result
	Passed   bool   `json:"passed"`
	Severity string `json:"severity"`
}

func printJSON(w io.Writer, results []checks.Result) error {
	out := make([]jsonResult, len(results))
	for i, r := range results {
		out[i] = jsonResult{Result: r, Passed: r.Passed(), Severity: r.Severity().String()}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
