package config

import (
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// buildCheck validates one [[check]] and converts it to a checks.Check.
func buildCheck(c *collector, key string, s *checkSection, d resolved, sets *credentialSets) checks.Check {
	ch := checks.Check{Name: s.Name, Group: s.Group, Schedule: s.Schedule, Timeout: s.Timeout.Duration,
		URL: s.URL, Headers: s.Headers, MaxBody: s.MaxBodyBytes, FollowRedirects: s.FollowRedirects}
	checkName(c, key+".name", s.Name)
	checkGroup(c, key+".group", s.Group)
	kind, known := checkKind(c, key+".kind", s.Kind)
	ch.Kind = kind
	if ch.Schedule == "" {
		ch.Schedule = d.schedule
	} else {
		checkSchedule(c, key+".schedule", ch.Schedule)
	}
	if !s.Timeout.set {
		ch.Timeout = d.timeout
	}
	checkTimeout(c, key+".timeout", ch.Timeout)
	if ch.MaxBody == 0 && !c.has(key+".max_body_bytes") {
		ch.MaxBody = d.maxBody
	} else {
		checkMaxBody(c, key+".max_body_bytes", ch.MaxBody)
	}
	checkHeaders(c, key+".headers", s.Headers)
	buildLocations(c, key, s, &ch)
	ch.TLSWarnDays = tlsWarnDays(c, key+".tls_warn_days", s.TLSWarnDays)
	ch.Ignore = ignoreList(c, key+".ignore", s.Ignore)
	cred := checkCredential(c, key, s, sets)
	ch.Auth = cred.Credential
	conn, proxySecrets := buildConn(c, key, s, sets.dir)
	ch.Conn = conn
	serverNameFits(c, key+".tls.server_name", ch)
	secrets := append(cred.secrets, proxySecrets...)
	if known {
		secrets = append(secrets, buildKind(c, key, s, &ch)...)
		ch.Probes = buildProbes(c, key, s, ch)
	}
	ch.Method = checkMethod(c, key+".method", s.Method, ch)
	if ch.URL == "" {
		c.add(key+".url", "required")
	} else {
		checkURL(c, key+".url", ch.URL)
	}
	ch.Secrets = checkSecrets(ch, secrets, envUnder(c, key))
	return ch
}

func checkName(c *collector, key, name string) {
	switch {
	case name == "":
		c.add(key, "required")
	case len(name) > 100:
		c.add(key, "longer than 100 characters")
	case strings.ContainsAny(name, "/\\?#%") || strings.IndexFunc(name, isControl) >= 0:
		c.add(key, "%q contains a character not allowed in a check name (/ \\ ? # %% or a control character)", name)
	case lookAlike(name) != "":
		c.add(key, "%+q %s", name, lookAlike(name))
	}
}

func checkGroup(c *collector, key, group string) {
	switch {
	case len(group) > 100 || strings.IndexFunc(group, isControl) >= 0:
		c.add(key, "a group name is at most 100 characters, without control characters")
	case lookAlike(group) != "":
		c.add(key, "%+q %s", group, lookAlike(group))
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// checkKinds lists the kinds in the order the documentation gives them.
var checkKinds = []checks.CheckKind{checks.KindProtected, checks.KindLogin, checks.KindToken, checks.KindDiscovery, checks.KindOIDCLogin}

// checkKind reads kind; known is false for an unknown kind, whose tables and
// probes are then not judged (every one would be a problem of its own).
func checkKind(c *collector, key, kind string) (k checks.CheckKind, known bool) {
	if kind == "" {
		return checks.KindProtected, true
	}
	k = checks.CheckKind(kind)
	if !slices.Contains(checkKinds, k) {
		c.add(key, "unknown kind %q (want protected, login, token, discovery or oidc_login)", kind)
		return k, false
	}
	return k, true
}

// checkMethod applies the kind's method: a token endpoint takes POST (RFC
// 6749 §3.2), a login usually does, a discovery document is a GET.
func checkMethod(c *collector, key, m string, ch checks.Check) string {
	fixed := map[checks.CheckKind]string{checks.KindToken: http.MethodPost, checks.KindDiscovery: http.MethodGet,
		checks.KindOIDCLogin: http.MethodGet}[ch.Kind]
	up := strings.ToUpper(m)
	switch {
	case ch.Login != nil && m == "":
		return ch.Login.Method
	case m == "" && fixed != "":
		return fixed
	case m == "":
		return http.MethodGet
	case !slices.Contains(methods, up):
		c.add(key, "unknown method %q (want one of %s)", m, strings.Join(methods, ", "))
	case fixed != "" && up != fixed:
		c.add(key, "a %s check always uses %s", ch.Kind, fixed)
	}
	return up
}

func checkHeaders(c *collector, key string, h map[string]string) {
	for name, v := range h {
		switch canon := textproto.CanonicalMIMEHeaderKey(name); {
		case !checks.IsToken(name):
			c.add(key+"."+name, "not a valid header name")
		case canon == "Authorization" || canon == "Cookie":
			c.add(key+"."+name, "put credentials in [check.auth], not in headers: the missing and wrong probes must be able to leave them out")
		case strings.ContainsAny(v, "\r\n\x00"):
			c.add(key+"."+name, "header value contains a line break or NUL")
		}
	}
}

// tlsWarnDays reads tls_warn_days, largest first; left out, it is
// checks.DefaultTLSWarnDays (30, 14, 7).
func tlsWarnDays(c *collector, key string, days *[]int64) []int {
	if days == nil {
		return slices.Clone(checks.DefaultTLSWarnDays)
	}
	if len(*days) == 0 {
		c.add(key, "lists no day: leave tls_warn_days out for the default %v", checks.DefaultTLSWarnDays)
	}
	out := []int{}
	for i, d := range *days {
		switch {
		case d < 1 || d > 365:
			c.add(key+"["+itoa(i)+"]", "must be between 1 and 365 days")
		case slices.Contains(out, int(d)):
			c.add(key+"["+itoa(i)+"]", "%d listed twice", d)
		default:
			out = append(out, int(d))
		}
	}
	slices.SortFunc(out, func(a, b int) int { return b - a })
	return out
}

// checkCredential resolves the check's credentials: a named set, an inline
// [check.auth], or none.
func checkCredential(c *collector, key string, s *checkSection, sets *credentialSets) credential {
	switch {
	case s.Credentials != "" && s.Auth != nil:
		c.add(key+".credentials", "use either credentials = \"NAME\" or [check.auth], not both")
	case s.Credentials != "":
		cred, _ := sets.lookup(c, key+".credentials", s.Credentials)
		return cred
	case s.Auth != nil:
		cred := buildCredential(c, key+".auth", s.Auth, sets.dir)
		cred.Source = newSource(cred.Credential) // inline: this check's own
		return cred
	}
	return credential{}
}

// checkSecrets lists the values a run must never record, a credential's
// user:password and client id:secret pairs included (their Base64 is what
// travels). The process redacts them from every check's evidence, so a
// value that is not secret ("application/json") must not be listed.
func checkSecrets(ch checks.Check, lists ...[]string) []string {
	out := checks.CredentialSecrets(ch.Auth)
	if ch.Token != nil {
		out = append(out, checks.PairSecrets(ch.Token.ClientID, ch.Token.ClientSecret)...)
	}
	for _, l := range lists {
		out = append(out, l...)
	}
	for name, v := range ch.Headers {
		// A header named like a credential is a secret; any other is evidence
		// (a value read from ${ENV} is a secret anyway, through lists).
		if checks.SecretHeader(name) {
			out = append(out, v)
		}
	}
	for _, p := range ch.Probes {
		out = append(out, p.Token)
	}
	out = nonEmpty(out)
	slices.Sort(out)
	return slices.Compact(out)
}

// ignoreList validates the assertion ids a check waives: each must be an
// id of the assertion catalogue (a typo would waive nothing, silently).
// Waiving B1 or B2, the auth bypass itself, is refused: a check that may
// not report a bypass has no reason to exist.
func ignoreList(c *collector, key string, ids []string) []string {
	for i, id := range ids {
		ikey := key + "[" + itoa(i) + "]"
		switch _, known := checks.Lookup(id); {
		case !known:
			c.add(ikey, "%s", unknownAssertion(id))
		case id == "B1" || id == "B2" || strings.HasPrefix(id, "B1.") || strings.HasPrefix(id, "B2."):
			c.add(ikey, "%s is the auth bypass assertion and cannot be ignored", id)
		}
	}
	return ids
}

// unknownAssertion says that id is not in the catalogue, and which id was
// probably meant.
func unknownAssertion(id string) string {
	msg := fmt.Sprintf("%q is not an assertion id", clipID(id))
	if s := checks.Suggest(id); s != "" {
		return msg + fmt.Sprintf(": did you mean %q? (ids are listed in the README's assertion catalogue)", s)
	}
	return msg + ` such as "C6.params" or "B6": use an id from the README's assertion catalogue`
}

// clipID keeps a pasted paragraph out of the message.
func clipID(id string) string {
	if r := []rune(id); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return id
}
