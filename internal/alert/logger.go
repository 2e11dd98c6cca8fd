package alert

import (
	"context"
	"log/slog"
)

// LogNotifier is the Notifier used when no Slack is configured: it writes
// each notification as one log record, WARN for those announcing a problem
// (opened, updated, reminder) and INFO otherwise.
type LogNotifier struct {
	Log *slog.Logger // nil means slog.Default()
}

// Notify logs d with the keys check, kind, incident, severity, delivery and
// alert. It never fails, and a log has no thread to return.
func (l LogNotifier) Notify(ctx context.Context, d Delivery) (Thread, error) {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	ev := d.Event
	level := slog.LevelInfo
	switch ev.Kind {
	case KindOpened, KindUpdated, KindReminder:
		level = slog.LevelWarn
	}
	log.LogAttrs(ctx, level, "alert",
		slog.String("check", ev.Check),
		slog.String("kind", string(ev.Kind)),
		slog.Int64("incident", ev.IncidentID),
		slog.String("severity", ev.Severity.String()),
		slog.Int64("delivery", d.ID),
		slog.String("alert", RenderText(ev)))
	return Thread{}, nil
}
