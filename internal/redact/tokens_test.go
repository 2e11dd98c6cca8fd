package redact

import "testing"

// tokensEverywhere is Tokens running every pattern on every text, as it
// did before it looked for the characters each match needs.
func tokensEverywhere(s string) string {
	s = tokenJSON.ReplaceAllString(s, `${1}"`+Placeholder+`"`)
	s = tokenForm.ReplaceAllString(s, `${1}`+Placeholder)
	return jwtLike.ReplaceAllString(s, Placeholder)
}

var tokenTexts = []string{
	"", "Unauthorized", `{"error":"invalid_token"}`, `{"Access_Token" : "abc"}`, `{"sid":"x\"y"}`,
	"password=hunter2", "a&API_KEY=k1 b", "token=", "eyJhbGciOi.eyJzdWIiOi.sig", "xeyJabcd.efgh.",
	`{"code":"c"} secret=s eyJ0eXAiOi.eyJpc3MiOi.c2ln`, `"password"` + "\n:\t" + `"p"`, "eyJ only", "=:\"",
	"password = spaced", "to\u212Aen=x", `{"pa\u017Fsword":"p"}`, `{"TOKEN":1,"x":"y"}`, `{"Code" :"c"}`, "\u00e9token=\u00e9", `{"refresh_token":"eyJhbGciOi.eyJzdWIiOi.sig"}`,
}

// Tokens redacts exactly what running every pattern everywhere did.
func TestTokensSkipsOnlyTextsNoPatternMatches(t *testing.T) {
	for _, s := range tokenTexts {
		if got, want := Tokens(s), tokensEverywhere(s); got != want {
			t.Errorf("Tokens(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range tokenTexts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Tokens(s), tokensEverywhere(s); got != want {
			t.Errorf("Tokens(%q) = %q, want %q", s, got, want)
		}
	})
}
