package checks

import (
	"slices"
	"strings"
)

// redacted replaces a secret wherever it would otherwise be recorded.
const redacted = "[REDACTED]"

// partialMin is the shortest start of a secret that is removed where a body
// excerpt was cut in the middle of it: fewer characters reveal nothing.
const partialMin = 4

// redactor removes a check's secrets, in plain and in the encodings they
// travel in, from everything a run records. Credentials obtained during the
// run (a login token) are added as they arrive.
type redactor struct {
	r       *strings.Replacer
	secrets []string
}

func newRedactor(ch Check) *redactor {
	secrets := make([]string, 0, len(ch.Secrets)+2) // never nil: String relies on it
	for _, s := range ch.Secrets {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	for _, s := range credentialSecrets(ch.Auth) {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	return &redactor{r: SecretReplacer(secrets), secrets: secrets}
}

// add makes the redactor remove more secrets from now on.
func (r *redactor) add(secrets ...string) {
	n := len(r.secrets)
	for _, s := range secrets {
		if s != "" && !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	if len(r.secrets) > n {
		r.r = SecretReplacer(r.secrets)
	}
}

// SecretReplacer replaces each non-empty secret with "[REDACTED]". A
// replacer takes the first listed match, so secrets go longest first: one
// that contains another is removed whole. The log redactor uses it too.
func SecretReplacer(secrets []string) *strings.Replacer {
	sorted := slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return s == "" })
	slices.SortStableFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(sorted))
	for _, s := range sorted {
		pairs = append(pairs, s, redacted)
	}
	return strings.NewReplacer(pairs...)
}

// String returns s without secrets. Most recorded strings hold none, and
// a strings.Replacer copies whatever it is given, so the secrets are looked
// for first; a redactor built with only a replacer always replaces.
func (r *redactor) String(s string) string {
	if s == "" {
		return s
	}
	if r.secrets != nil && !containsAny(s, r.secrets) {
		return s
	}
	return r.r.Replace(s)
}

func containsAny(s string, secrets []string) bool {
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// probe redacts every string a probe result holds.
func (r *redactor) probe(p *ProbeResult) {
	p.URL, p.Error, p.StatusText = r.String(p.URL), r.String(p.Error), r.String(p.StatusText)
	p.RedirectedTo = r.String(p.RedirectedTo)
	r.strings(p.ChallengeRaw)
	r.strings(p.ChallengeProblems)
	for i := range p.Challenges {
		c := &p.Challenges[i]
		c.Scheme, c.Token68 = r.String(c.Scheme), r.String(c.Token68)
		for j := range c.Params {
			c.Params[j].Name, c.Params[j].Value = r.String(c.Params[j].Name), r.String(c.Params[j].Value)
		}
	}
	for _, hs := range [][]Header{p.RequestHeaders, p.Headers} {
		for i := range hs {
			hs[i].Value = r.String(hs[i].Value)
		}
	}
	p.Body = r.String(p.Body)
	if p.BodyTruncated {
		p.Body = r.cutSecret(p.Body)
	}
	if p.TLS != nil {
		p.TLS.Subject, p.TLS.Issuer = r.String(p.TLS.Subject), r.String(p.TLS.Issuer)
	}
	for i := range p.Assertions {
		a := &p.Assertions[i]
		a.Expected, a.Got, a.Reason = r.String(a.Expected), r.String(a.Got), r.String(a.Reason)
		a.Deviation = r.String(a.Deviation)
	}
}

func (r *redactor) strings(ss []string) {
	for i := range ss {
		ss[i] = r.String(ss[i])
	}
}

// cutSecret removes the start of a secret that a truncated excerpt ends
// with: the cut may fall in the middle of an echoed credential, where the
// replacer no longer recognises it.
func (r *redactor) cutSecret(s string) string {
	for _, sec := range r.secrets {
		for n := len(sec) - 1; n >= partialMin; n-- {
			if strings.HasSuffix(s, sec[:n]) {
				return s[:len(s)-n] + redacted
			}
		}
	}
	return s
}
