package checks

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// runToken probes an OAuth2 token endpoint (KindToken; Check.URL is the
// endpoint): the client credentials grant issues a well-formed token, a
// wrong client secret is refused as RFC 6749 §5.2 says, and optionally a
// wrong user password on the password grant is too. The requests are made
// by hand rather than with the oauth2 library, which hides the headers
// and status the assertions are about.
func runToken(ctx context.Context, hc *http.Client, ch Check, red *redact.Redactor, rl *rateLimits, g gate, keys KeyHistory) []ProbeResult {
	hc = redirectPolicy(hc, ch.FollowRedirects, Credential{})
	var spec TokenSpec
	if ch.Token != nil {
		spec = *ch.Token
	}
	secrets := append([]string{spec.ClientSecret, spec.Password}, PairSecrets(spec.ClientID, spec.ClientSecret)...)
	var out []ProbeResult
	var issued []string // for the token-life probes
	for _, k := range kindsOf(ch, KindToken) {
		if k == ProbeTokenPassword && spec.Username == "" {
			continue // the password grant is only probed when configured
		}
		if k != ProbeToken && k != ProbeTokenSecret && k != ProbeTokenPassword {
			continue
		}
		if until, paused := rl.paused(ch.Name); paused && k != ProbeToken {
			out = append(out, skippedProbe(k, http.MethodPost, ch.URL, until))
			continue
		}
		if k == ProbeTokenPassword { // a user's name with a wrong password
			if skip, ok := g.spend(ctx, spec.Username, 1, k, http.MethodPost, ch.URL); !ok {
				out = append(out, skip)
				continue
			}
		}
		p, x := sendProbe(ctx, hc, ch, k, tokenRequest(ch, spec, k))
		if x.err != nil {
			out = append(out, p)
			continue
		}
		if doc, ok := jsonObject(x.body); ok {
			for _, name := range []string{"access_token", "refresh_token", "id_token"} {
				if v, ok := jsonPath(doc, name); ok {
					secrets = append(secrets, v)
					issued = append(issued, v)
				}
			}
		}
		if !rl.throttled(ch.Name, &p, x.header) {
			p.Assertions = judgeTokenProbe(ch, spec, &p, x, time.Now())
		}
		out = append(out, p)
	}
	learn(red, secrets...)
	out = append(out, runLife(ctx, hc, ch, spec, red, keys, issued)...)
	judgeTLS(out, nil, ch.TLSWarnDays, time.Now())
	return out
}

// tokenRequest builds the request of one token probe: the client
// credentials grant with the right or a wrong secret, or the password
// grant with a wrong password.
func tokenRequest(ch Check, spec TokenSpec, k ProbeKind) outgoing {
	form := url.Values{"grant_type": {"client_credentials"}}
	secret := spec.ClientSecret
	switch k {
	case ProbeTokenSecret:
		secret = wrongSecret()
	case ProbeTokenPassword:
		form = url.Values{"grant_type": {"password"}, "username": {spec.Username}, "password": {wrongSecret()}}
	}
	if len(spec.Scopes) > 0 {
		form.Set("scope", strings.Join(spec.Scopes, " "))
	}
	basic := !postAuth(spec)
	if !basic {
		form.Set("client_id", spec.ClientID)
		form.Set("client_secret", secret)
	}
	return outgoing{method: http.MethodPost, url: ch.URL, body: form.Encode(),
		contentType: "application/x-www-form-urlencoded",
		prepare: func(req *http.Request) {
			req.Header.Set("Accept", "application/json")
			if basic { // RFC 6749 §2.3.1: form-encode both before Basic
				req.SetBasicAuth(url.QueryEscape(spec.ClientID), url.QueryEscape(secret))
			}
		}}
}

// postAuth reports client_secret_post; client_secret_basic is the default.
func postAuth(spec TokenSpec) bool { return strings.EqualFold(spec.AuthStyle, "post") }

func judgeTokenProbe(ch Check, spec TokenSpec, p *ProbeResult, x exchange, now time.Time) []Assertion {
	switch p.Kind {
	case ProbeToken:
		return judgeTokenIssued(ch, probeSpec(ch, ProbeToken), p, x, now)
	case ProbeTokenSecret:
		return judgeWrongSecret(spec, p, x)
	default:
		return judgeWrongPassword(spec, p, x)
	}
}
