package redact

import "regexp"

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
func Tokens(s string) string {
	s = tokenJSON.ReplaceAllString(s, `${1}"`+Placeholder+`"`)
	s = tokenForm.ReplaceAllString(s, `${1}`+Placeholder)
	return jwtLike.ReplaceAllString(s, Placeholder)
}
