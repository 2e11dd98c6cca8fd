package checks

import (
	"net/url"

	"github.com/authmon/monitor/internal/redact"
)

// redacted replaces a secret wherever it would otherwise be recorded: the
// one placeholder of the whole monitor.
const redacted = redact.Placeholder

// runRedactor is the redactor of ch's definition: a scope of the process's
// redactor (every configured secret of every check) that knows ch's own
// secrets, to which a scope of each run adds what it obtains (see
// memo.redactor). Without a process redactor (a check run on its own) it
// knows the check's own secrets.
func runRedactor(process *redact.Redactor, ch Check) *redact.Redactor {
	if process == nil {
		return redact.New(append(CredentialSecrets(ch.Auth), ch.Secrets...)...).Scope()
	}
	red := process.Scope()
	red.Add(CredentialSecrets(ch.Auth)...) // known to process when they came from the config
	return red
}

// CredentialSecrets lists the values of c that must never be recorded. The
// redactor derives their encodings; a user:password pair is listed as such,
// plain and form-encoded, so that its Base64 is removed whole.
func CredentialSecrets(c Credential) []string {
	switch c.Kind {
	case AuthBasic:
		return append([]string{c.Password}, PairSecrets(c.Username, c.Password)...)
	case AuthDigest:
		return []string{c.Password} // HA1 and the header are added per run: digestAuthorize
	case AuthBearer:
		return []string{c.Token}
	case AuthAPIKey:
		return []string{c.Key}
	case AuthCookie:
		return []string{c.Value}
	case AuthLogin:
		return append([]string{c.Password}, PairSecrets(c.Username, c.Password)...)
	case AuthOAuth2:
		if c.OAuth2 != nil {
			return append([]string{c.OAuth2.ClientSecret}, PairSecrets(c.OAuth2.ClientID, c.OAuth2.ClientSecret)...)
		}
	}
	return nil
}

// PairSecrets are a Basic or client_secret_basic pair as sent: "id:secret",
// and with both form-encoded first as RFC 6749 §2.3.1 does. Nothing for an
// empty secret.
func PairSecrets(id, secret string) []string {
	if secret == "" {
		return nil
	}
	return []string{id + ":" + secret, url.QueryEscape(id) + ":" + url.QueryEscape(secret)}
}

// redactProbe redacts every string a probe result holds.
func redactProbe(r *redact.Redactor, p *ProbeResult) {
	p.URL, p.Error, p.StatusText = r.String(p.URL), r.String(p.Error), r.String(p.StatusText)
	p.RedirectedTo = r.String(p.RedirectedTo)
	r.Strings(p.ChallengeRaw)
	r.Strings(p.ChallengeProblems)
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
		p.Body = r.Tail(p.Body)
	}
	if p.TLS != nil {
		p.TLS.Subject, p.TLS.Issuer = r.String(p.TLS.Subject), r.String(p.TLS.Issuer)
		p.TLS.Unverified = r.String(p.TLS.Unverified)
	}
	for i := range p.Assertions {
		a := &p.Assertions[i]
		a.Expected, a.Got, a.Reason = r.String(a.Expected), r.String(a.Got), r.String(a.Reason)
		a.Deviation = r.String(a.Deviation)
	}
}
