package web

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/redact"
)

// maskedText stands for a secret that is configured.
const maskedText = "•••• (set)"

// masker decides what of a check may be shown. Fields that are secrets by
// nature (passwords, tokens, keys, client secrets, cookie values) are always
// masked; any other value is masked when it holds a secret, any check's,
// in any encoding (a value that came from ${ENV}, say).
type masker struct{ red *redact.Redactor }

// show returns v, or maskedText when it holds a secret.
func (m masker) show(v string) string {
	if m.red.Contains(v) {
		return maskedText
	}
	return v
}

// secret masks a secret field, or says it is not set.
func secret(v string) string {
	if v == "" {
		return "(not set)"
	}
	return maskedText
}

// sensitiveName reports a header or form field whose value is a credential
// whatever it holds.
func sensitiveName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"auth", "cookie", "token", "key", "secret", "password", "session"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// items builds a list of settings, leaving out the empty ones.
type items []configItem

func (it *items) add(label, value string) {
	if value != "" {
		*it = append(*it, configItem{label, value})
	}
}

func configOfCheck(c checks.Check, red *redact.Redactor) checkConfig {
	m := masker{red}
	cc := checkConfig{Name: c.Name}
	s := (*items)(&cc.Settings)
	s.add("Kind", string(cmp.Or(c.Kind, checks.KindProtected)))
	s.add("Method", c.Method)
	s.add("URL", red.URL(c.URL))
	s.add("Schedule", c.Schedule)
	s.add("Timeout", durationText(c.Timeout, "default"))
	if c.MaxBody > 0 {
		s.add("Max body", strconv.FormatInt(c.MaxBody, 10)+" bytes")
	}
	s.add("Redirects", map[bool]string{true: "followed", false: "not followed"}[c.FollowRedirects])
	s.add("TLS warnings", intList(c.TLSWarnDays, " days before expiry"))
	*s = append(*s, connItems(c.Conn, red)...)
	cc.Auth = credentialItems(c.Auth, m)
	cc.Headers = mapItems(c.Headers, m)
	for _, p := range c.Probes {
		cc.Probes = append(cc.Probes, probeConfig{Kind: string(p.Kind), Expect: probeItems(p, m)})
	}
	cc.Kind = kindItems(c, m)
	return cc
}

func credentialItems(cr checks.Credential, m masker) []configItem {
	var it items
	it.add("Type", cmp.Or(string(cr.Kind), "none"))
	it.add("Credential set", cr.Set)
	it.add("Username", m.show(cr.Username))
	if cr.Kind == checks.AuthBasic || cr.Kind == checks.AuthDigest || cr.Kind == checks.AuthLogin || cr.Password != "" {
		it.add("Password", secret(cr.Password))
	}
	it.add("Digest algorithm", cr.Algorithm)
	if cr.Kind == checks.AuthBearer || cr.Token != "" {
		it.add("Token", secret(cr.Token))
	}
	it.add("Header", cr.Header)
	it.add("Query parameter", cr.Query)
	if cr.Kind == checks.AuthAPIKey || cr.Key != "" {
		it.add("Key", secret(cr.Key))
	}
	it.add("Cookie", cr.Cookie)
	if cr.Kind == checks.AuthCookie || cr.Value != "" {
		it.add("Cookie value", secret(cr.Value))
	}
	if cr.Cert != nil {
		it.add("Client certificate", maskedText)
		if cr.Cert.Leaf != nil {
			it.add("Certificate expires", cr.Cert.Leaf.NotAfter.UTC().Format(time.DateOnly))
		}
	}
	if !cr.SecretExpires.IsZero() {
		it.add("Client secret expires", cr.SecretExpires.UTC().Format(time.RFC3339))
	}
	if cr.ExpiryWarn > 0 {
		it.add("Expiry warning (A7)", strconv.Itoa(int(cr.ExpiryWarn/(24*time.Hour)))+" days ahead")
	}
	if o := cr.OAuth2; o != nil {
		it.add("Token URL", m.show(o.TokenURL))
		it.add("Client id", m.show(o.ClientID))
		it.add("Client secret", secret(o.ClientSecret))
		it.add("Scopes", strings.Join(o.Scopes, " "))
		it.add("Client auth", o.AuthStyle)
	}
	if cr.Login != nil {
		it = append(it, loginItems(*cr.Login, m)...)
	}
	return it
}

func probeItems(p checks.ProbeSpec, m masker) []configItem {
	var it items
	status := intList(p.Status, "")
	if status == "" {
		status = "401"
		if p.Kind == checks.ProbeValid {
			status = "any 2xx"
		}
	}
	it.add("Status", status)
	it.add("Scheme", p.Scheme)
	it.add("Realm", m.show(p.Realm))
	it.add("Body contains", m.show(p.BodyContains))
	for _, k := range slices.Sorted(maps.Keys(p.JSON)) {
		it.add("JSON "+k, m.show(p.JSON[k]))
	}
	it.add("Location", m.show(p.Location))
	if p.Token != "" {
		it.add("Token", maskedText)
	}
	it.add("Bearer error", p.Error)
	return it
}

// mapItems lists headers or form fields by name; values that are
// credentials by name or hold a secret are masked.
func mapItems(kv map[string]string, m masker) []configItem {
	var it items
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		v := m.show(kv[k])
		if sensitiveName(k) {
			v = secret(kv[k])
		}
		it.add(k, v)
	}
	return it
}

func durationText(d time.Duration, zero string) string {
	if d <= 0 {
		return zero
	}
	return d.String()
}

func intList(ns []int, suffix string) string {
	if len(ns) == 0 {
		return ""
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ") + suffix
}

// insecureText is how the dashboard names insecure_skip_verify.
const insecureText = "NOT VERIFIED: insecure_skip_verify = true"

// connItems are the check's own TLS and proxy settings; the proxy URL
// without its password.
func connItems(c checks.Conn, red *redact.Redactor) []configItem {
	var it items
	it.add("TLS CA file", c.CAFile)
	it.add("TLS server name", c.ServerName)
	if c.InsecureSkipVerify {
		it.add("TLS certificate", insecureText)
	}
	if c.Proxy != "" {
		it.add("Proxy", red.URL(c.Proxy))
	}
	return it
}
