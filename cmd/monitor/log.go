package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/authmon/monitor/internal/redact"
)

// logOptions are how a command logs: -log-format and -log-level.
type logOptions struct {
	// json selects one JSON object per line instead of logfmt-like text.
	json  bool
	level slog.Level
}

// logLevels are the -log-level values, by name.
var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

// setFormat reads a -log-format value.
func (o *logOptions) setFormat(s string) error {
	switch strings.ToLower(s) {
	case "text":
		o.json = false
	case "json":
		o.json = true
	default:
		return fmt.Errorf("%q is not a log format: use text or json", s)
	}
	return nil
}

// setLevel reads a -log-level value.
func (o *logOptions) setLevel(s string) error {
	l, ok := logLevels[strings.ToLower(s)]
	if !ok {
		return fmt.Errorf("%q is not a log level: use debug, info, warn or error", s)
	}
	o.level = l
	return nil
}

// newLogger returns the default logger: text, from level info.
func newLogger(w io.Writer, red *redact.Redactor) *slog.Logger {
	return logOptions{level: slog.LevelInfo}.logger(w, red)
}

// logger returns a logger in o's format and level that removes every secret
// red knows from messages and values, as a last line of defence: the code
// never logs a secret on purpose, but an error from a library might quote
// one. Redaction happens before encoding, so it holds for both formats.
func (o logOptions) logger(w io.Writer, red *redact.Redactor) *slog.Logger {
	opts := &slog.HandlerOptions{Level: o.level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if o.json {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(redactHandler{Handler: h, r: red})
}

type redactHandler struct {
	slog.Handler
	r *redact.Redactor
}

func (h redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = h.attr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		// As text, whatever the format: the JSON handler would marshal a
		// struct field by field, past the redactor.
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.r.String(err.Error()))
		}
		return slog.String(a.Key, h.r.String(v.String()))
	}
	return a
}

func (h redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return redactHandler{Handler: h.Handler.WithAttrs(red), r: h.r}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{Handler: h.Handler.WithGroup(name), r: h.r}
}
