// Package redact is the monitor's one redactor: it removes every configured
// secret, in every encoding a request or an echo can carry it, from any text
// before the text leaves the process (evidence, logs, alerts, errors, the
// dashboard), always writing Placeholder in its place.
//
// A process builds one Redactor from its configuration and passes it to
// everything that writes text out; a reload adds the new file's secrets.
// Values learned while running (a token a login returned) go into a Scope,
// which removes them as well as everything its parent removes, without
// making the parent remember them.
package redact

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// Placeholder is what every removed secret reads as, everywhere.
const Placeholder = "[REDACTED]"

// partialMin is the shortest start of a secret that Tail removes where a
// text was cut in the middle of one: fewer characters reveal nothing.
const partialMin = 4

// Redactor removes secrets from text. It is safe for concurrent use; its
// secrets are only ever added, never removed, so that text produced by a
// run of a check a reload removed is still cleaned.
type Redactor struct {
	parent *Redactor // a Scope's: removes its secrets too

	mu    sync.Mutex          // serialises Add and building t
	known map[string]struct{} // the secrets added, guarded by mu
	// stale says known holds secrets t lacks: the next use builds t anew,
	// so that adding secrets one at a time builds it once, not each time.
	stale atomic.Bool
	t     atomic.Pointer[table]
}

// New returns a Redactor for secrets; empty strings are ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Scope returns a Redactor that removes r's secrets and those added to the
// scope, which r itself never learns: a run's obtained tokens, say.
func (r *Redactor) Scope() *Redactor { return &Redactor{parent: r} }

// Add makes r remove secrets, in every encoding, from now on.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.known == nil {
		r.known = map[string]struct{}{}
	}
	added := false
	for _, s := range secrets {
		if s == "" || r.knows(s) {
			continue
		}
		r.known[s] = struct{}{}
		added = true
	}
	if added {
		r.stale.Store(true)
	}
}

// table is r's own table, built first if secrets were added since.
func (r *Redactor) table() *table {
	if r.stale.Load() {
		r.mu.Lock()
		if r.stale.Load() {
			r.t.Store(newTable(slices.Collect(maps.Keys(r.known))))
			r.stale.Store(false)
		}
		r.mu.Unlock()
	}
	return r.t.Load()
}

// knows reports whether s is one of r's or a parent's secrets. The caller
// holds r.mu; a parent's known set is read under its own lock.
func (r *Redactor) knows(s string) bool {
	if _, ok := r.known[s]; ok {
		return true
	}
	if r.parent == nil {
		return false
	}
	r.parent.mu.Lock()
	defer r.parent.mu.Unlock()
	return r.parent.knows(s)
}

// String returns s with every secret replaced by Placeholder. Text holding
// no secret, nearly all of it, comes back as it is, without a copy. A nil
// Redactor removes nothing.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	if t := r.table(); t != nil {
		s = t.replace(s)
	}
	return r.parent.String(s)
}

// Contains reports whether s holds a secret in any of its encodings.
func (r *Redactor) Contains(s string) bool {
	if r == nil {
		return false
	}
	if t := r.table(); t != nil && t.m.any(s) {
		return true
	}
	return r.parent.Contains(s)
}

// Tail removes the start of a secret that s ends with: a text cut to a
// length (a body excerpt) may end in the middle of an echoed secret, where
// String no longer recognises it.
func (r *Redactor) Tail(s string) string {
	if r == nil {
		return s
	}
	if t := r.table(); t != nil {
		s = t.tail(s)
	}
	return r.parent.Tail(s)
}

// Strings redacts every element of ss in place.
func (r *Redactor) Strings(ss []string) {
	for i := range ss {
		ss[i] = r.String(ss[i])
	}
}
