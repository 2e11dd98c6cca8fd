package config

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// DefaultLoginTTL bounds how long a login token is cached when neither
// expires_in nor a JWT exp says how long it lives.
const DefaultLoginTTL = 5 * time.Minute

// buildLoginSet validates a login credential set: where to log in, what to
// post, where the token comes back and how to present it afterwards.
func buildLoginSet(c *collector, key string, s *credentialSection) checks.LoginSpec {
	spec := buildLoginFields(c, key, s.loginFields)
	spec.URL = s.URL
	if s.URL != "" {
		checkURL(c, key+".url", s.URL)
	}
	spec.Method = loginMethod(c, key+".method", s.Method)
	spec.Use = loginUse(c, key+".use", s.Use, spec)
	spec.TTL = DefaultLoginTTL
	if s.TTL.set {
		spec.TTL = s.TTL.Duration
	}
	if spec.CanaryUser == "" {
		spec.CanaryUser = s.Username
	}
	return spec
}

// buildLoginFields validates the keys a login set shares with [check.login].
func buildLoginFields(c *collector, key string, f loginFields) checks.LoginSpec {
	spec := checks.LoginSpec{Format: f.Format, UsernameField: f.UsernameField, PasswordField: f.PasswordField,
		Extra: f.Extra, TokenJSON: f.TokenJSON, TokenHeader: f.TokenHeader, TokenCookie: f.TokenCookie,
		SessionURL: f.SessionURL, Status: f.Status, WrongStatus: f.WrongStatus, CanaryUser: f.CanaryUser}
	switch spec.Format {
	case "":
		spec.Format = "json"
	case "json", "form":
	default:
		c.add(key+".format", "unknown format %q (want \"json\" or \"form\")", f.Format)
	}
	spec.UsernameField = orDefault(spec.UsernameField, "username")
	spec.PasswordField = orDefault(spec.PasswordField, "password")
	if spec.UsernameField == spec.PasswordField {
		c.add(key+".password_field", "must differ from username_field (%q)", spec.UsernameField)
	}
	for name := range f.Extra {
		if name == spec.UsernameField || name == spec.PasswordField {
			c.add(key+".extra."+name, "%q is already the user name or password field", name)
		}
	}
	tokenSource(c, key, f)
	if f.SessionURL != "" {
		checkURL(c, key+".session_url", f.SessionURL)
	}
	return spec
}

// tokenSource requires exactly one place the token comes back from.
func tokenSource(c *collector, key string, f loginFields) {
	n := 0
	for _, v := range []string{f.TokenJSON, f.TokenHeader, f.TokenCookie} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		c.add(key, "say where the token comes back: token_json (a JSON field such as \"access_token\"), token_header or token_cookie")
	case n > 1:
		c.add(key, "set only one of token_json, token_header and token_cookie")
	}
	if f.TokenJSON != "" && slices.Contains(strings.Split(f.TokenJSON, "."), "") {
		c.add(key+".token_json", "not a JSON path: use field names joined by dots, e.g. \"data.access_token\"")
	}
	if f.TokenHeader != "" && !checks.IsToken(f.TokenHeader) {
		c.add(key+".token_header", "not a valid header name")
	}
	if f.TokenCookie != "" && !checks.IsToken(f.TokenCookie) {
		c.add(key+".token_cookie", "not a valid cookie name")
	}
}

func loginMethod(c *collector, key, m string) string {
	up := strings.ToUpper(m)
	switch {
	case m == "":
		return "POST"
	case !slices.Contains(methods, up):
		c.add(key, "unknown method %q (want one of %s)", m, strings.Join(methods, ", "))
	}
	return up
}

// loginUse validates how a login token is presented: as a Bearer token (the
// default for JSON and header tokens), as the login cookie (the default for
// cookie tokens), or in a header of its own.
func loginUse(c *collector, key, use string, spec checks.LoginSpec) string {
	if use == "" {
		if spec.TokenCookie != "" {
			return "cookie"
		}
		return "bearer"
	}
	name, isHeader := strings.CutPrefix(use, "header:")
	switch {
	case isHeader && !checks.IsToken(name):
		c.add(key, "%q: the part after \"header:\" must be a header name, e.g. \"header:X-Session\"", use)
	case isHeader:
	case use == "cookie" && spec.TokenCookie == "":
		c.add(key, "\"cookie\" sends the login cookie back: it needs token_cookie")
	case use != "bearer" && use != "cookie":
		c.add(key, "unknown use %q (want \"bearer\", \"cookie\" or \"header:Name\")", use)
	}
	return use
}

// loadClientCert loads an mTLS certificate and key; relative paths start
// at the config file's directory, so a config moves with its files.
func loadClientCert(c *collector, key string, s *credentialSection, dir string) *tls.Certificate {
	if s.CertFile == "" || s.KeyFile == "" {
		return nil
	}
	certPEM, certErr := os.ReadFile(relativeTo(dir, s.CertFile))
	if certErr != nil {
		c.add(key+".cert_file", "cannot read the client certificate: %v", certErr)
	}
	keyPEM, keyErr := os.ReadFile(relativeTo(dir, s.KeyFile))
	if keyErr != nil {
		c.add(key+".key_file", "cannot read the private key: %v", keyErr)
	}
	if certErr != nil || keyErr != nil {
		return nil
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		c.add(key+".cert_file", "cannot load the client certificate with key_file: %v", err)
		return nil
	}
	return &cert
}

func relativeTo(dir, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// orDefault returns v, or def when v is empty.
func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
