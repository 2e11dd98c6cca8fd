package pipeline

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/store"
)

// onCall holds what people said about incidents and checks, as the store
// recorded it: the acknowledged open incidents and the snoozed checks.
// decide applies them to the check's policy.
type onCall struct {
	mu      sync.Mutex
	acks    map[string]store.Ack    // by check
	snoozes map[string]store.Snooze // by check
}

// Acknowledged tells decide that a's incident was acknowledged: no more
// reminders or escalation for it.
func (p *Pipeline) Acknowledged(a store.Ack) {
	p.oc.mu.Lock()
	defer p.oc.mu.Unlock()
	if p.oc.acks == nil {
		p.oc.acks = map[string]store.Ack{}
	}
	p.oc.acks[a.Check] = a
}

// Snoozed tells decide that sn's check is silenced until sn.Until.
func (p *Pipeline) Snoozed(sn store.Snooze) {
	p.oc.mu.Lock()
	defer p.oc.mu.Unlock()
	if p.oc.snoozes == nil {
		p.oc.snoozes = map[string]store.Snooze{}
	}
	p.oc.snoozes[sn.Check] = sn
}

// applyOnCall returns pol with the check's acknowledgement (if it is for
// the open incident) and snooze (as a silence).
func (p *Pipeline) applyOnCall(check string, open *alert.Incident, pol alert.Policy) alert.Policy {
	p.oc.mu.Lock()
	defer p.oc.mu.Unlock()
	if a, ok := p.oc.acks[check]; ok && open != nil && open.ID == a.Incident && open.Open() {
		pol.AckedBy = a.By
	}
	if sn, ok := p.oc.snoozes[check]; ok {
		pol.Silences = append(slices.Clip(pol.Silences), snoozeSilence(sn))
	}
	return pol
}

func snoozeSilence(sn store.Snooze) alert.Silence {
	return alert.Silence{End: sn.Until, Reason: "snoozed by " + sn.By}
}

// withSnoozes returns the policies with each snooze as a silence, for the
// dashboard, which shows them where it shows silences.
func (p *Pipeline) withSnoozes(m map[string]alert.Policy, now time.Time) map[string]alert.Policy {
	p.oc.mu.Lock()
	defer p.oc.mu.Unlock()
	if len(p.oc.snoozes) == 0 {
		return m
	}
	out := maps.Clone(m)
	for check, sn := range p.oc.snoozes {
		if pol, ok := out[check]; ok && now.Before(sn.Until) {
			pol.Silences = append(slices.Clip(pol.Silences), snoozeSilence(sn))
			out[check] = pol
		}
	}
	return out
}
