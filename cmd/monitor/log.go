package main

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/authmon/monitor/internal/checks"
)

// newLogger returns a text logger that removes every configured secret from
// messages and string values, as a last line of defence: the code never logs
// a secret on purpose, but an error from a library might quote one.
func newLogger(w io.Writer, secrets []string) *slog.Logger {
	log, _ := newRedactingLogger(w, secrets)
	return log
}

// newRedactingLogger is newLogger that also returns its redactor, so that a
// config reload can add the secrets of the new file.
func newRedactingLogger(w io.Writer, secrets []string) (*slog.Logger, *redactor) {
	r := &redactor{}
	r.add(secrets)
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})
	return slog.New(redactHandler{Handler: h, r: r}), r
}

// redactor replaces every secret it was given with [REDACTED]. Secrets are
// only ever added: a run of a check removed by a reload may still log.
type redactor struct {
	mu      sync.Mutex
	secrets []string
	r       atomic.Pointer[strings.Replacer]
}

func (r *redactor) add(secrets []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := slices.Compact(slices.Sorted(slices.Values(append(r.secrets, secrets...))))
	all = slices.DeleteFunc(all, func(s string) bool { return s == "" })
	r.secrets = all
	r.r.Store(checks.SecretReplacer(all))
}

// Replace redacts s.
func (r *redactor) Replace(s string) string { return r.r.Load().Replace(s) }

type redactHandler struct {
	slog.Handler
	r *redactor
}

func (h redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Replace(rec.Message), rec.PC)
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
		return slog.String(a.Key, h.r.Replace(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = h.attr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.r.Replace(err.Error()))
		}
		return slog.String(a.Key, h.r.Replace(v.String()))
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
