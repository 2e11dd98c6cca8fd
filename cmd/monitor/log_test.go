package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/redact"
)

// TestLoggerRedacts: the message, plain and error values, grouped and
// With values lose every secret of the redactor, in any encoding, also one
// added after the logger was made (a reload).
func TestLoggerRedacts(t *testing.T) {
	const secret, later = "CANARY log/+&-pw", "CANARY-added-on-reload"
	red := redact.New(secret, "u:"+secret)
	var buf bytes.Buffer
	log := newLogger(&buf, red)
	red.Add(later)
	pair := base64.StdEncoding.EncodeToString([]byte("u:" + secret))
	log.With("url", "https://h/x?k="+url.QueryEscape(secret)).Error("login failed for "+secret,
		"err", errors.New("Basic "+pair), "group", map[string]string{"k": later})
	out := buf.String()
	for _, f := range []string{secret, url.QueryEscape(secret), pair, later} {
		if strings.Contains(out, f) {
			t.Errorf("log holds %q:\n%s", f, out)
		}
	}
	if strings.Count(out, redact.Placeholder) < 4 {
		t.Errorf("expected four redactions:\n%s", out)
	}
}

// TestJSONLoggerRedacts: -log-format json goes through the same redactor.
// Every line is one JSON object, and no secret is in it, neither as written
// nor as JSON escapes it (the canary holds '&', which JSON may write as
// \u0026), nor once decoded.
func TestJSONLoggerRedacts(t *testing.T) {
	const secret, later = "CANARY json/+&<-pw", "CANARY-json-added-on-reload"
	red := redact.New(secret, "u:"+secret)
	var buf bytes.Buffer
	opts := logOptions{json: true, level: slog.LevelInfo}
	log := opts.logger(&buf, red)
	red.Add(later)
	pair := base64.StdEncoding.EncodeToString([]byte("u:" + secret))
	log.With("url", "https://h/x?k="+url.QueryEscape(secret)).WithGroup("req").Error("login failed for "+secret,
		"err", errors.New("Basic "+pair), "group", map[string]string{"k": later}, slog.Group("g", "v", secret))
	log.Debug("below the level " + secret)
	escaped, _ := json.Marshal(secret)
	forms := []string{secret, url.QueryEscape(secret), pair, later, strings.Trim(string(escaped), `"`)}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one line (debug is below info), got %d:\n%s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, lines[0])
	}
	decoded := fmt.Sprint(rec)
	for _, f := range forms {
		if strings.Contains(lines[0], f) || strings.Contains(decoded, f) {
			t.Errorf("JSON log holds %q:\n%s", f, lines[0])
		}
	}
	if rec["level"] != "ERROR" || !strings.Contains(rec["msg"].(string), redact.Placeholder) {
		t.Errorf("level or message wrong: %v", rec)
	}
	if n := strings.Count(decoded, redact.Placeholder); n < 5 {
		t.Errorf("expected five redactions, got %d:\n%s", n, lines[0])
	}
}

// TestLogFlags: the flags pick the format and level, the environment gives
// the defaults, and a bad value is refused with what to write instead.
func TestLogFlags(t *testing.T) {
	parse := func(args ...string) (*logFlagValues, int) {
		fs := newFlagSet("t", io.Discard)
		v := logFlags(fs)
		code, _ := parseFlags(fs, args)
		return v, code
	}
	t.Run("flags", func(t *testing.T) {
		v, code := parse("-log-format", "json", "-log-level", "warn")
		if code != exitOK || !v.opts.json || v.opts.level != slog.LevelWarn {
			t.Errorf("got %+v, exit %d", v.opts, code)
		}
	})
	t.Run("env", func(t *testing.T) {
		t.Setenv("AUTHMON_LOG_FORMAT", "JSON")
		t.Setenv("AUTHMON_LOG_LEVEL", "debug")
		v, _ := parse()
		if !v.opts.json || v.opts.level != slog.LevelDebug {
			t.Errorf("got %+v", v.opts)
		}
	})
	t.Run("bad flag", func(t *testing.T) {
		if _, code := parse("-log-format", "xml"); code != exitConfig {
			t.Errorf("exit %d", code)
		}
	})
	t.Run("bad env, flag overrides", func(t *testing.T) {
		t.Setenv("AUTHMON_LOG_LEVEL", "verbose")
		v, _ := parse()
		if _, err := v.logger(io.Discard, redact.New()); err == nil || !strings.Contains(err.Error(), "AUTHMON_LOG_LEVEL") ||
			!strings.Contains(err.Error(), "use debug, info, warn or error") {
			t.Errorf("bad env accepted: %v", err)
		}
		v, _ = parse("-log-level", "error")
		if _, err := v.logger(io.Discard, redact.New()); err != nil {
			t.Errorf("flag did not override the env: %v", err)
		}
	})
}

// TestServeLogsJSON: serve -log-format json writes every line as JSON, the
// listening line included.
func TestServeLogsJSON(t *testing.T) {
	dir := t.TempDir()
	cfg := writeDashConfig(t, dir, "checks.toml", "")
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-config", cfg, "-db", filepath.Join(dir, "m.db"), "-listen", "127.0.0.1:0",
			"-log-format", "json"}, io.Discard, logs)
	}()
	waitFor(t, "the dashboard to listen", func() bool { return strings.Contains(logs.String(), `"msg":"dashboard listening"`) })
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d\n%s", code, logs.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("not JSON: %s", line)
		}
	}
}
