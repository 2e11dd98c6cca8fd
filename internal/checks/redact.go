package checks

import (
	"encoding/base64"
	"slices"
	"strings"
)

// redacted replaces a secret wherever it would otherwise be recorded.
const redacted = "[REDACTED]"

// redactor removes a check's secrets, in plain and in the encodings they
// travel in, from everything a run records.
type redactor struct{ r *strings.Replacer }

func newRedactor(ch Check) *redactor {
	secrets := slices.Clone(ch.Secrets)
	if ch.Auth.Kind == AuthBasic {
		secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(ch.Auth.Username+":"+ch.Auth.Password)))
	}
	return &redactor{r: SecretReplacer(secrets)}
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

// String returns s without secrets.
func (r *redactor) String(s string) string { return r.r.Replace(s) }

// probe redacts every string a probe result holds.
func (r *redactor) probe(p *ProbeResult) {
	p.URL, p.Error, p.StatusText = r.String(p.URL), r.String(p.Error), r.String(p.StatusText)
	for i := range p.ChallengeRaw {
		p.ChallengeRaw[i] = r.String(p.ChallengeRaw[i])
	}
	for i := range p.ChallengeProblems {
		p.ChallengeProblems[i] = r.String(p.ChallengeProblems[i])
	}
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
	for i := range p.Assertions {
		a := &p.Assertions[i]
		a.Expected, a.Got, a.Reason = r.String(a.Expected), r.String(a.Got), r.String(a.Reason)
		a.Deviation = r.String(a.Deviation)
	}
}
