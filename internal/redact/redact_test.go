package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// canary has every character class an encoding treats specially: space,
// +, /, &, =, %, a quote, <, and non-ASCII.
const canary = `CANARY s3/+&=%"<é`

// encodings are the spellings a request or an echo can carry a secret in.
func encodings(secret, user string) map[string]string {
	qe := url.QueryEscape
	b64 := map[string]*base64.Encoding{"std": base64.StdEncoding, "raw std": base64.RawStdEncoding,
		"url": base64.URLEncoding, "raw url": base64.RawURLEncoding}
	js, _ := json.Marshal(secret)
	out := map[string]string{
		"plain": secret, "query": qe(secret), "path": url.PathEscape(secret),
		"json": string(js[1 : len(js)-1]), "json python": `CANARY s3/+&=%\"<\u00e9`, "json php": `CANARY s3\/+&=%\"<\u00e9`,
	}
	for name, enc := range b64 {
		out["base64 "+name] = enc.EncodeToString([]byte(secret))
		out["base64 "+name+" user:pass"] = enc.EncodeToString([]byte(user + ":" + secret))
		out["base64 "+name+" client_secret_basic"] = enc.EncodeToString([]byte(qe(user) + ":" + qe(secret)))
		out["base64 "+name+" inside JSON"] = enc.EncodeToString([]byte(`{"echo":"` + secret + `","n":1}`))
	}
	return out
}

// TestEveryEncodingRemoved: each spelling of a secret, alone and amid other
// text, comes out as the one placeholder and leaves nothing of the secret.
func TestEveryEncodingRemoved(t *testing.T) {
	r := New(canary, "client id:"+canary)
	for name, enc := range encodings(canary, "client id") {
		t.Run(name, func(t *testing.T) {
			for _, text := range []string{enc, "before " + enc + " after", `{"x":"` + enc + `"}`} {
				got := r.String(text)
				if strings.Contains(got, "CANARY") || leaks(got, canary) {
					t.Errorf("%q -> %q", text, got)
				}
				if !strings.Contains(got, Placeholder) {
					t.Errorf("%q -> %q: no placeholder", text, got)
				}
			}
		})
	}
}

// leaks reports whether got still holds any encoding of the secret.
func leaks(got, secret string) bool {
	for _, f := range []string{secret, url.QueryEscape(secret), base64.StdEncoding.EncodeToString([]byte(secret))} {
		if strings.Contains(got, f) {
			return true
		}
	}
	return false
}

func TestTextWithoutSecretUnchanged(t *testing.T) {
	r := New("hunter2-secret", "a")
	for _, s := range []string{"", "plain text", "hunter2-secre", strings.Repeat("x", 10000)} {
		if got := r.String(s); got != strings.ReplaceAll(s, "a", Placeholder) {
			t.Errorf("%q -> %q", s, got)
		}
	}
	if got := New().String("anything"); got != "anything" {
		t.Errorf("empty redactor changed text: %q", got)
	}
	var none *Redactor
	if none.String("x") != "x" || none.Contains("x") || none.Tail("x") != "x" {
		t.Error("a nil redactor must leave text alone")
	}
}

// TestLongestFirst: a secret containing another is removed whole.
func TestLongestFirst(t *testing.T) {
	r := New("pass", "user:pass")
	if got := r.String("[user:pass]"); got != "["+Placeholder+"]" {
		t.Errorf("got %q", got)
	}
}

// TestScope: a scope removes its own and its parent's secrets; the parent
// never learns the scope's, and a scope skips what its parent knows.
func TestScope(t *testing.T) {
	p := New("parent-secret")
	s := p.Scope()
	s.Add("learned-token", "parent-secret")
	if got := s.String("parent-secret learned-token"); got != Placeholder+" "+Placeholder {
		t.Errorf("scope: %q", got)
	}
	if got := p.String("learned-token"); got != "learned-token" {
		t.Errorf("parent learned the scope's secret: %q", got)
	}
	if s.t.Load().forms[0] == "parent-secret" {
		t.Error("the scope rebuilt the parent's secret")
	}
	p.Add("added-later")
	if got := s.String("added-later"); got != Placeholder {
		t.Errorf("a scope misses its parent's later secret: %q", got)
	}
}

// TestTail: an excerpt cut in the middle of a secret or of its encoding
// loses the start too.
func TestTail(t *testing.T) {
	r := New("abcdefghij-secret")
	enc := base64.StdEncoding.EncodeToString([]byte("abcdefghij-secret"))
	for _, s := range []string{"body: abcdefgh", "body: " + enc[:9]} {
		if got := r.Tail(s); got != "body: "+Placeholder {
			t.Errorf("%q -> %q", s, got)
		}
	}
	if got := r.Tail("body: abc"); got != "body: abc" {
		t.Errorf("3 characters removed: %q", got)
	}
}

func TestURL(t *testing.T) {
	r := New("k3y-value")
	for in, want := range map[string]string{
		"https://u:pw@h.example/x?key=k3y-value": "https://u:" + Placeholder + "@h.example/x?key=" + Placeholder,
		"https://u@h.example/p":                  "https://u@h.example/p",
		"https://h.example/k3y-value/x":          "https://h.example/" + Placeholder + "/x",
		"not a url k3y-value":                    "not a url " + Placeholder,
	} {
		if got := r.URL(in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestURLSecrets(t *testing.T) {
	got := URLSecrets("https://hooks.example.com/services/T0/B0/XYZ?x=1")
	for _, want := range []string{"/services/T0/B0/XYZ", "https://hooks.example.com/services/T0/B0/XYZ?x=1"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("%v lacks %q", got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	in := `{"access_token":"abc","n":1} password=x&y=2 eyJhbGciOi.eyJzdWIiOi.sig`
	want := `{"access_token":"[REDACTED]","n":1} password=[REDACTED]&y=2 [REDACTED]`
	if got := Tokens(in); got != want {
		t.Errorf("got %q", got)
	}
}

// TestConcurrentAdd: adding while others redact is safe (run with -race).
func TestConcurrentAdd(t *testing.T) {
	r := New("first-secret")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				if i == 0 {
					r.Add(strings.Repeat("s", 8+j))
				}
				if got := r.String("x first-secret"); got != "x "+Placeholder {
					t.Errorf("got %q", got)
				}
			}
		})
	}
	wg.Wait()
}

// A secret is removed from the first use after Add, however the adds and
// uses interleave: the table is built on use, not on each Add.
func TestAddThenUse(t *testing.T) {
	r := New()
	for i := range 20 {
		s := strings.Repeat(string(rune('a'+i)), 8)
		if i%3 == 0 {
			r.Add(s)
		} else {
			r.Add(s, s+"-pair")
		}
		for _, use := range []func(string) bool{
			func(x string) bool { return r.String(x) == "x "+Placeholder },
			func(x string) bool { return r.Contains(x) },
		} {
			if !use("x "+s) || !use("x "+strings.Repeat("a", 8)) {
				t.Fatalf("after adding %q: not removed", s)
			}
		}
	}
}
