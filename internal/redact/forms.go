package redact

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// minCore is the shortest run of Base64 characters taken as a secret found
// inside a longer Base64 text: shorter runs occur in unrelated data.
const minCore = 6

// Forms lists the spellings of secret that requests and echoes carry:
// plain; URL-encoded in query form (+ for space) and path form; Base64 in
// the standard and URL alphabets, padded and not, of the secret and of its
// query-encoded spelling (client_secret_basic form-encodes id and secret
// before Base64, RFC 6749 §2.3.1); and each of these inside a JSON string
// (with and without HTML escaping, ASCII-only \u escapes, "\/"). Base64 also
// covers the secret inside a longer encoded text ("user:password", a JSON
// document): the characters only the secret determines, at each of the
// three alignments. A "user:password" pair is a secret of its own, so that
// its Base64 is removed whole.
func Forms(secret string) []string {
	if secret == "" {
		return nil
	}
	qe := url.QueryEscape(secret)
	base := []string{secret, qe, url.PathEscape(secret)}
	base = append(base, base64Forms(secret)...)
	if qe != secret {
		base = append(base, base64Forms(qe)...)
	}
	// Any of them may arrive inside a JSON string, and the plain secret
	// escaped twice: a JSON document echoed as a string, or quoted again
	// when evidence cites a value.
	out := slices.Clone(base)
	for _, f := range base {
		out = append(out, jsonForms(f)...)
	}
	for _, f := range jsonForms(secret) {
		out = append(out, jsonForms(f)...)
	}
	out = slices.DeleteFunc(out, func(f string) bool { return f == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// jsonForms are the spellings of s inside a JSON string as common encoders
// write them.
func jsonForms(s string) []string {
	out := []string{s}
	if strings.IndexFunc(s, needsJSONEscape) >= 0 {
		out = jsonEscapes(s)
	}
	for _, f := range out { // the range is read once: appends are not revisited
		if strings.Contains(f, "/") {
			out = append(out, strings.ReplaceAll(f, "/", `\/`))
		}
	}
	return out
}

// needsJSONEscape reports whether an encoder may escape r in a JSON string.
func needsJSONEscape(r rune) bool {
	switch r {
	case '"', '\\', '<', '>', '&':
		return true
	}
	return r < 0x20 || r >= utf8.RuneSelf
}

// jsonEscapes are s escaped as encoders do: with and without HTML escapes,
// and ASCII-only.
func jsonEscapes(s string) []string {
	var out []string
	for _, html := range []bool{false, true} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		_ = enc.Encode(s) // a string always encodes
		q := strings.TrimSuffix(b.String(), "\n")
		q = q[1 : len(q)-1]
		out = append(out, q, asciiJSON(q))
	}
	return out
}

// asciiJSON escapes every non-ASCII character of a JSON string body as
// \uXXXX (surrogate pairs beyond the BMP), as Python's json does.
func asciiJSON(q string) string {
	if !strings.ContainsFunc(q, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return q
	}
	var b strings.Builder
	for _, r := range q {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// base64Forms are v in Base64, whole and as found inside a longer text.
func base64Forms(v string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		out = append(out, enc.EncodeToString([]byte(v)))
		raw := enc.WithPadding(base64.NoPadding)
		for k := range 3 {
			if c := core(raw, v, k); len(c) >= minCore {
				out = append(out, c)
			}
		}
	}
	return out
}

// core is the part of the Base64 of a text that only v determines, when v
// starts at a byte offset ≡ k (mod 3) of the text: character j covers bits
// 6j to 6j+6, v bits 8k to 8(k+len(v)).
func core(enc *base64.Encoding, v string, k int) string {
	s := enc.EncodeToString(append(make([]byte, k), v...))
	from, to := (8*k+5)/6, 8*(k+len(v))/6
	if to <= from {
		return ""
	}
	return s[from:to]
}

// URLSecrets are the values to treat as secrets for a URL that is a secret
// as a whole (a Slack incoming webhook): the URL, and its path and query,
// which errors print on their own. Parts shorter than 6 characters ("/")
// are not secret.
func URLSecrets(raw string) []string {
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return out
	}
	out = append(out, u.String())
	for _, part := range []string{u.Path, u.EscapedPath(), u.RawQuery} {
		if len(part) >= 6 {
			out = append(out, part)
		}
	}
	return out
}

// URL returns raw with any userinfo password replaced by Placeholder, then
// with every secret removed.
func (r *Redactor) URL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			raw = withoutPassword(raw)
		}
	}
	return r.String(raw)
}

// withoutPassword cuts the password out of the userinfo of an absolute URL
// as written, keeping the rest of the text as it was.
func withoutPassword(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	colon := strings.Index(authority[:max(at, 0)], ":")
	if at < 0 || colon < 0 {
		return raw
	}
	return scheme + "://" + authority[:colon+1] + Placeholder + rest[at:]
}
