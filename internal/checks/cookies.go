package checks

import (
	"fmt"
	"net/http"
	"strings"
)

// Session cookies set at login are judged by the OWASP Session Management
// Cheat Sheet and RFC 6265: Secure and HttpOnly keep the session id away
// from the network and from scripts, SameSite from cross-site requests,
// and the __Host- prefix pins the cookie to the exact origin.

// sessionCookies are the cookies of an answer that carry a session: the
// configured token cookie, or else those whose name says so.
func sessionCookies(spec LoginSpec, h http.Header) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range liveCookies(h) {
		if spec.TokenCookie != "" && c.Name == spec.TokenCookie || spec.TokenCookie == "" && sessionLike(c.Name) {
			out = append(out, c)
		}
	}
	return out
}

// sessionLike guesses from a cookie's name that it holds a session:
// "sid", "JSESSIONID", "connect.sid", "__Host-session", "auth_token".
func sessionLike(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"sess", "sid", "auth", "token", "jwt"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// judgeCookie applies B6 to one session cookie. https says whether the
// target is https: on plain http a Secure cookie cannot be required, and
// that is itself worth a warning.
func judgeCookie(k ProbeKind, c *http.Cookie, https bool) []Assertion {
	name := fmt.Sprintf("session cookie %q", c.Name)
	secure := check("B6.secure", c.Secure, name+" with Secure", name+" "+flagWords(c.Secure, "with", "without")+" Secure", k)
	if !https && !c.Secure {
		secure.Severity = SevWarn
		secure.Reason = fmt.Sprintf("%s: %s travels over plain http without Secure: serve the login over https and set Secure", k.Phrase(), name)
	}
	out := []Assertion{secure,
		check("B6.httponly", c.HttpOnly, name+" with HttpOnly", name+" "+flagWords(c.HttpOnly, "with", "without")+" HttpOnly", k),
		sameSite(k, c, name)}
	return append(out, hostPrefix(k, c, name))
}

// sameSite wants Strict or Lax. None without Secure is refused by browsers
// and was never safe; None with Secure sends the session cross-site.
func sameSite(k ProbeKind, c *http.Cookie, name string) Assertion {
	got, sev, ok := "", SevWarn, false
	switch c.SameSite {
	case http.SameSiteStrictMode:
		got, ok = "SameSite=Strict", true
	case http.SameSiteLaxMode:
		got, ok = "SameSite=Lax", true
	case http.SameSiteNoneMode:
		got = "SameSite=None"
		if !c.Secure {
			got, sev = "SameSite=None without Secure", SevHighSec
		}
	default:
		got = "no SameSite attribute (browsers differ in what they assume)"
	}
	a := check("B6.samesite", ok, name+" with SameSite=Strict or Lax", name+" with "+got, k)
	a.Severity = max(a.Severity, sev)
	return a
}

// hostPrefix recommends the __Host- prefix; a cookie that claims it but
// breaks its rules (Secure, Path=/, no Domain) is dropped by browsers,
// which breaks the login for them.
func hostPrefix(k ProbeKind, c *http.Cookie, name string) Assertion {
	if !strings.HasPrefix(c.Name, "__Host-") {
		return check("B6.prefix", false, "a session cookie named __Host-…", name+" without the __Host- prefix", k)
	}
	var broken []string
	if !c.Secure {
		broken = append(broken, "no Secure")
	}
	if c.Path != "/" {
		broken = append(broken, fmt.Sprintf("Path %q instead of /", c.Path))
	}
	if c.Domain != "" {
		broken = append(broken, "a Domain attribute")
	}
	got := name + " with a valid __Host- prefix"
	if len(broken) > 0 {
		got = name + " breaking the __Host- rules: " + strings.Join(broken, ", ") + " (browsers drop it)"
	}
	a := check("B6.prefix", len(broken) == 0, "a __Host- cookie with Secure, Path=/ and no Domain", got, k)
	a.Severity = SevConf // not a missed recommendation: browsers drop the cookie
	return a
}

func flagWords(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}

// sessionRenewed applies B7: every session cookie that existed before the
// login must come back with a new value, else a session id planted before
// login becomes an authenticated one (session fixation).
func sessionRenewed(k ProbeKind, spec LoginSpec, before, after http.Header) Assertion {
	pre := sessionCookies(spec, before)
	if len(pre) == 0 {
		return check("B7", true, "a new session id at login", "no session cookie before login", k)
	}
	post := map[string]string{}
	for _, c := range liveCookies(after) {
		post[c.Name] = c.Value
	}
	for _, c := range pre {
		v, set := post[c.Name]
		switch {
		case !set:
			return check("B7", false, "a new session id at login",
				fmt.Sprintf("session cookie %q from before login not renewed at login", c.Name), k)
		case v == c.Value:
			return check("B7", false, "a new session id at login",
				fmt.Sprintf("session cookie %q set again with the same value", c.Name), k)
		}
	}
	return check("B7", true, "a new session id at login", "a new session id at login", k)
}
