package redact

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Token-like values a target may send that are no configured secret: JSON
// members and form fields named like credentials, and JWTs anywhere.
var (
	tokenJSON = regexp.MustCompile(`(?i)("(?:[a-z_]*token|password|passwd|secret|client_secret|session(?:_?id)?|sid|api_?key|code|assertion)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	tokenForm = regexp.MustCompile(`(?i)\b((?:[a-z_]*token|password|client_secret|secret|api_?key)=)[^&\s]+`)
	jwtLike   = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
)

// Tokens replaces token-like values in a text a target sent (a body, an
// error description) with Placeholder: JSON members and form fields named
// like credentials, and anything shaped like a JWT. It complements a
// Redactor, which knows only the secrets it was given.
//
// A pattern runs only on a text holding the characters every match of it
// holds (a JSON member its '"' and ':', a form field its '=', a JWT "eyJ"):
// a regexp copies whatever it is given, even where nothing matches, and
// most texts (an empty body, plain words, "Unauthorized") hold none.
func Tokens(s string) string {
	if mayHoldName(s, '"', jsonNames) && strings.IndexByte(s, ':') >= 0 {
		s = tokenJSON.ReplaceAllString(s, `${1}"`+Placeholder+`"`)
	}
	if mayHoldName(s, '=', formNames) {
		s = tokenForm.ReplaceAllString(s, `${1}`+Placeholder)
	}
	if strings.Contains(s, "eyJ") {
		s = jwtLike.ReplaceAllString(s, Placeholder)
	}
	return s
}

// The endings of the names tokenJSON and tokenForm match, each followed
// by '"' or '=' in every match.
var (
	jsonNames = []string{"token", "password", "passwd", "secret", "session", "sessionid", "session_id", "sid",
		"apikey", "api_key", "code", "assertion"}
	formNames = []string{"token", "password", "secret", "apikey", "api_key"}
)

// mayHoldName reports whether s may hold one of names, in any case,
// followed by end: false only when no match of the pattern can be in s.
// A text with non-ASCII bytes may: (?i) folds "K" (Kelvin) to k and "ſ"
// to s, so it is given to the pattern as it is.
func mayHoldName(s string, end byte, names []string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return true
		case c == end:
			for _, n := range names {
				if i >= len(n) && strings.EqualFold(s[i-len(n):i], n) {
					return true
				}
			}
		}
	}
	return false
}
