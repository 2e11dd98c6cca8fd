package alert

import (
	"context"
	"log/slog"
)

// LogNotifier is the Notifier used when no Slack is configured: it writes
// each alert as one log record, WARN for regressions and INFO otherwise.
type LogNotifier struct {
	Log *slog.Logger // nil means slog.Default()
}

// Notify logs ev with the keys check, kind, severity and alert. It never fails.
func (l LogNotifier) Notify(ctx context.Context, ev Event) error {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	level := slog.LevelInfo
	if ev.Kind == KindRegressed {
		level = slog.LevelWarn
	}
	log.LogAttrs(ctx, level, "alert",
		slog.String("check", ev.Check),
		slog.String("kind", string(ev.Kind)),
		slog.String("severity", ev.Severity.String()),
		slog.String("alert", RenderText(ev)))
	return nil
}
