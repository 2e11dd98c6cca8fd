package config

import (
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// buildCheck validates one [[check]] and converts it to a checks.Check.
func buildCheck(c *collector, key string, s *checkSection, d resolved) checks.Check {
	ch := checks.Check{Name: s.Name, Schedule: s.Schedule, Timeout: s.Timeout.Duration,
		Method: strings.ToUpper(s.Method), URL: s.URL, Headers: s.Headers, MaxBody: s.MaxBodyBytes}
	checkName(c, key+".name", s.Name)
	if ch.Schedule == "" {
		ch.Schedule = d.schedule
	} else {
		checkSchedule(c, key+".schedule", ch.Schedule)
	}
	if !s.Timeout.set {
		ch.Timeout = d.timeout
	}
	checkTimeout(c, key+".timeout", ch.Timeout)
	if ch.Method == "" {
		ch.Method = http.MethodGet
	} else if !slices.Contains(methods, ch.Method) {
		c.add(key+".method", "unknown method %q (want one of %s)", s.Method, strings.Join(methods, ", "))
	}
	if s.URL == "" {
		c.add(key+".url", "required")
	} else {
		checkURL(c, key+".url", s.URL)
	}
	if ch.MaxBody == 0 {
		ch.MaxBody = d.maxBody
	} else {
		checkMaxBody(c, key+".max_body_bytes", ch.MaxBody)
	}
	checkHeaders(c, key+".headers", s.Headers)
	ch.Auth = buildAuth(c, key+".auth", s.Auth)
	ch.Probes = buildProbes(c, key, s, ch.Auth.Kind)
	ch.Secrets = checkSecrets(ch)
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
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

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

func buildAuth(c *collector, key string, a *authSection) checks.Credential {
	if a == nil {
		return checks.Credential{}
	}
	cred := checks.Credential{Kind: checks.AuthKind(a.Type), Username: a.Username, Password: a.Password,
		Token: a.Token, Header: a.Header, Key: a.Key}
	fields := map[string]string{"username": a.Username, "password": a.Password, "token": a.Token, "header": a.Header, "key": a.Key}
	var need []string
	switch cred.Kind {
	case checks.AuthBasic:
		need = []string{"username", "password"}
		if strings.Contains(a.Username, ":") {
			c.add(key+".username", "a Basic user-id cannot contain ':' (RFC 7617 §2)")
		}
	case checks.AuthBearer:
		need = []string{"token"}
	case checks.AuthAPIKey:
		need = []string{"header", "key"}
		if a.Header != "" && !checks.IsToken(a.Header) {
			c.add(key+".header", "not a valid header name")
		}
	default:
		c.add(key+".type", "unknown credential type %q (want basic, bearer or api_key)", a.Type)
		return cred
	}
	for _, f := range []string{"username", "password", "token", "header", "key"} {
		used := slices.Contains(need, f)
		if used && fields[f] == "" {
			c.add(key+"."+f, "required for type %q", a.Type)
		} else if !used && fields[f] != "" {
			c.add(key+"."+f, "not used by type %q", a.Type)
		}
	}
	return cred
}

// checkSecrets lists the values a run must never record.
func checkSecrets(ch checks.Check) []string {
	out := []string{ch.Auth.Password, ch.Auth.Token, ch.Auth.Key}
	for _, v := range ch.Headers {
		out = append(out, v)
	}
	return nonEmpty(out)
}
