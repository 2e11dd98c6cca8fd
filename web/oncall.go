package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/authmon/monitor/internal/store"
)

// OnCall records what people do about incidents: *app in cmd/monitor,
// which writes to the store and tells the pipeline.
type OnCall interface {
	// Acknowledge records that by is on the open incident id: its
	// reminders and escalation stop. The first acknowledgement stays.
	Acknowledge(ctx context.Context, id int64, by string) (store.Ack, error)
	// Snooze silences check for d.
	Snooze(ctx context.Context, check string, d time.Duration, by string) (store.Snooze, error)
}

// snoozeChoices are the durations the dashboard offers.
var snoozeChoices = []time.Duration{30 * time.Minute, time.Hour, 4 * time.Hour, 24 * time.Hour}

// maxSnooze bounds a snooze: a longer silence belongs in [[silence]].
const maxSnooze = 7 * 24 * time.Hour

// postAck acknowledges an incident from its page (the CSRF guard checked
// the form) and goes back to it.
func (h *handler) postAck(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"))
	if !ok || h.OnCall == nil {
		h.notFound(w, r)
		return
	}
	a, err := h.OnCall.Acknowledge(r.Context(), id, h.author(r))
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.notFound(w, r)
		return
	case errors.Is(err, store.ErrResolved):
		http.Error(w, "the incident has resolved: there is nothing to acknowledge", http.StatusConflict)
		return
	case err != nil:
		h.serverError(w, r, fmt.Errorf("acknowledge incident %d: %w", id, err))
		return
	}
	h.Log.InfoContext(r.Context(), "incident acknowledged", "check", a.Check, "incident", id, "by", a.By)
	http.Redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// postSnooze silences a check for the posted duration and goes back to
// its page.
func (h *handler) postSnooze(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, known := h.findCheck(name); !known || h.OnCall == nil {
		h.notFound(w, r)
		return
	}
	d, err := time.ParseDuration(r.PostFormValue("for"))
	if err != nil || d <= 0 || d > maxSnooze {
		http.Error(w, "snooze for a duration between 1m and 168h, e.g. 1h", http.StatusBadRequest)
		return
	}
	sn, err := h.OnCall.Snooze(r.Context(), name, d, h.author(r))
	if err != nil {
		h.serverError(w, r, fmt.Errorf("snooze %s: %w", name, err))
		return
	}
	h.Log.InfoContext(r.Context(), "check snoozed", "check", name, "until", sn.Until, "by", sn.By)
	http.Redirect(w, r, checkHref(name), http.StatusSeeOther)
}

// snoozeValue is a duration as the form posts it.
func snoozeValue(d time.Duration) string { return d.String() }

// snoozeLabel is a duration as the button says it.
func snoozeLabel(d time.Duration) string {
	if d >= time.Hour {
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int(d/time.Minute)) + " min"
}
