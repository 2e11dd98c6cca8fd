package checks

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
)

// offer is what one probe of the protected matrix presents: a credential,
// or (malformed) garbage in that credential's place.
type offer struct {
	cred      Credential
	malformed bool
}

// malformedValue does not parse as token68, Base64 or any key or session
// format, and is recognisable in the target's logs.
const malformedValue = "!authmon-malformed!"

// present puts credentials on a request. An mTLS certificate is not a
// header: it is presented by the client the probe uses (clientFor).
func present(req *http.Request, c Credential) {
	switch c.Kind {
	case AuthBasic:
		req.SetBasicAuth(c.Username, c.Password)
	case AuthBearer:
		req.Header.Set("Authorization", "Bearer "+c.Token)
	case AuthAPIKey:
		if c.Query != "" {
			addQuery(req.URL, c.Query, c.Key)
		} else {
			req.Header.Set(c.Header, c.Key)
		}
	case AuthCookie:
		addCookie(req, c.Cookie, c.Value)
	}
	// Digest is answered only after the target's challenge: digestAuthorize.
}

// presentMalformed puts credentials that do not parse where c's would go:
// "Basic !…!" is not Base64, "Bearer !…!" is not token68.
func presentMalformed(req *http.Request, c Credential) {
	switch c.Kind {
	case AuthBasic:
		req.Header.Set("Authorization", "Basic "+malformedValue)
	case AuthDigest:
		req.Header.Set("Authorization", "Digest "+malformedValue)
	default:
		present(req, withSecret(c, malformedValue))
	}
}

// addQuery appends name=value to a URL's query, keeping the parameters
// already there in their order so the request is otherwise unchanged.
func addQuery(u *url.URL, name, value string) {
	pair := url.QueryEscape(name) + "=" + url.QueryEscape(value)
	if u.RawQuery == "" {
		u.RawQuery = pair
		return
	}
	u.RawQuery += "&" + pair
}

// addCookie sends the cookie's value exactly as configured: net/http's
// AddCookie would silently rewrite a value it considers invalid.
func addCookie(req *http.Request, name, value string) {
	pair := name + "=" + value
	if prev := req.Header.Get("Cookie"); prev != "" {
		pair = prev + "; " + pair
	}
	req.Header.Set("Cookie", pair)
}

// secretOf is the value that makes a token-like credential valid: the
// bearer token, the API key or the session cookie.
func secretOf(c Credential) string {
	switch c.Kind {
	case AuthBearer:
		return c.Token
	case AuthAPIKey:
		return c.Key
	case AuthCookie:
		return c.Value
	}
	return ""
}

// withSecret presents v the way c presents its secret; credentials that
// carry no token (Basic, mTLS, none) present it as a Bearer token.
func withSecret(c Credential, v string) Credential {
	switch c.Kind {
	case AuthAPIKey:
		c.Key = v
	case AuthCookie:
		c.Value = v
	case AuthBearer:
		c.Token = v
	default:
		c = Credential{Kind: AuthBearer, Token: v}
	}
	return c
}

// wrongCredential derives well-formed credentials that no server can accept:
// the canary user (else the same user) with a random password, a random
// token, key or session, or a self-signed client certificate.
func wrongCredential(c Credential) Credential {
	junk := "authmon-invalid-" + randomHex(12)
	switch c.Kind {
	case AuthBasic:
		if c.CanaryUser != "" {
			c.Username = c.CanaryUser
		}
		c.Password = junk
	case AuthDigest:
		if c.CanaryUser != "" {
			c.Username = c.CanaryUser
		}
		c.Password = junk
	case AuthBearer:
		c.Token = base64.RawURLEncoding.EncodeToString([]byte(junk))
	case AuthAPIKey:
		c.Key = junk
	case AuthCookie:
		c.Value = randomHex(16)
	case AuthMTLS:
		c.Cert, _ = strangerCert() // nil on failure: certClient then reports it
	}
	return c
}

// offerFor derives what probe k presents from the valid credential c. It
// reports false when the probe does not apply: no token for expired or
// scope, a credential that is not a JWT for forged, and the token probes
// and malformed for an mTLS certificate, which has no such forms.
func offerFor(k ProbeKind, c Credential, spec ProbeSpec) (offer, bool) {
	switch k {
	case ProbeValid:
		return offer{cred: c}, c.Kind != AuthNone
	case ProbeMissing:
		return offer{}, true
	case ProbeWrong:
		return offer{cred: wrongCredential(c)}, c.Kind != AuthNone
	}
	if c.Kind == AuthMTLS || c.Kind == AuthNone {
		return offer{}, false
	}
	switch k {
	case ProbeMalformed:
		return offer{cred: c, malformed: true}, true
	case ProbeExpired, ProbeScope:
		return offer{cred: withSecret(c, spec.Token)}, spec.Token != ""
	case ProbeForged:
		forged, ok := ForgeNone(secretOf(c))
		return offer{cred: withSecret(c, forged)}, ok
	}
	return offer{}, false
}

// failedLoginOf reports whether sending o as probe k is a failed login for
// an account, and whose: a user name with a bad password. A bad token, key,
// session or certificate names no account, and malformed Basic credentials
// carry no user name.
func failedLoginOf(k ProbeKind, o offer) (string, bool) {
	if k == ProbeValid || o.malformed || o.cred.Kind != AuthBasic && o.cred.Kind != AuthDigest {
		return "", false
	}
	return o.cred.Username, true
}

// apply puts the offer on a request.
func (o offer) apply(req *http.Request) {
	switch {
	case o.malformed:
		presentMalformed(req, o.cred)
	default:
		present(req, o.cred)
	}
}

// presentedAs is the credential kind a dynamic credential will most likely
// be presented as, for deriving negative probes when obtaining it failed.
func presentedAs(c Credential) Credential {
	switch c.Kind {
	case AuthOAuth2:
		return Credential{Kind: AuthBearer}
	case AuthLogin:
		if c.Login == nil {
			return Credential{Kind: AuthBearer}
		}
		switch use := c.Login.Use; {
		case use == "cookie" || use == "" && c.Login.TokenCookie != "":
			return Credential{Kind: AuthCookie, Cookie: c.Login.TokenCookie}
		case len(use) > len("header:") && use[:len("header:")] == "header:":
			return Credential{Kind: AuthAPIKey, Header: use[len("header:"):]}
		}
		return Credential{Kind: AuthBearer}
	}
	return c
}

// schemeFor is the challenge scheme a refusal should carry for credentials
// presented like c; empty when any scheme will do.
func schemeFor(c Credential) string {
	switch c.Kind {
	case AuthBasic:
		return "Basic"
	case AuthBearer:
		return "Bearer"
	case AuthDigest:
		return "Digest"
	}
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}
