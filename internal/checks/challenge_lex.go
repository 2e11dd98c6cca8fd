package checks

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// This file holds the byte-level scanning under the challenge parser in
// challenge.go: character classes, OWS, tokens, token68, quoted-strings and
// the recovery that skips garbage up to the next list comma.

// IsToken reports whether s is an RFC 9110 §5.6.2 token (a header name, an
// auth-scheme): config validation uses the parser's own grammar.
func IsToken(s string) bool {
	for i := range len(s) {
		if !isTchar(s[i]) {
			return false
		}
	}
	return s != ""
}

// isTchar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	if isAlnum(c) {
		return true
	}
	return c != 0 && strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isToken68Char reports whether c may appear in token68 before its padding
// (RFC 9110 §11.2).
func isToken68Char(c byte) bool {
	return isAlnum(c) || c != 0 && strings.IndexByte("-._~+/", c) >= 0
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isText reports whether c may appear in a quoted-string, either as qdtext or
// after a backslash: HTAB, SP, VCHAR and obs-text (RFC 9110 §5.6.4).
func isText(c byte) bool { return c == '\t' || c >= ' ' && c != 0x7F }

// isNameStop reports the bytes that end a scheme or parameter name even in a
// lenient reading: whitespace, "," and "=" delimit names in the grammar and
// DQUOTE opens a quoted-string. Any other byte is kept in the name and
// reported by checkToken.
func isNameStop(c byte) bool {
	return c == ' ' || c == '\t' || c == ',' || c == '=' || c == '"'
}

// nameEnd returns the end of the name that starts at i.
func (p *parser) nameEnd(i int) int {
	for i < len(p.s) && !isNameStop(p.s[i]) {
		i++
	}
	return i
}

// owsEnd returns the end of the optional whitespace that starts at i.
func (p *parser) owsEnd(i int) int {
	for i < len(p.s) && (p.s[i] == ' ' || p.s[i] == '\t') {
		i++
	}
	return i
}

func (p *parser) skipOWS() { p.pos = p.owsEnd(p.pos) }

// skipSeparators skips OWS and commas, and so any number of empty elements.
func (p *parser) skipSeparators() {
	for p.pos < len(p.s) && (p.s[p.pos] == ',' || p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// atElementEnd reports whether the current list element is over.
func (p *parser) atElementEnd() bool { return p.pos >= len(p.s) || p.s[p.pos] == ',' }

// paramAhead reports whether the element at p.pos starts with name BWS "="
// followed by something other than another "=", which only token68 padding
// can produce (`abc== junk` is a token68 followed by garbage).
func (p *parser) paramAhead() bool {
	end := p.nameEnd(p.pos)
	if end == p.pos {
		return false
	}
	end = p.owsEnd(end)
	if end == len(p.s) || p.s[end] != '=' {
		return false
	}
	end = p.owsEnd(end + 1)
	return end == len(p.s) || p.s[end] != '='
}

// token68End returns the end of the token68 at i (i itself when there is
// none), and whether only OWS separates it from the end of the element.
func (p *parser) token68End(i int) (int, bool) {
	j := i
	for j < len(p.s) && isToken68Char(p.s[j]) {
		j++
	}
	if j == i {
		return i, false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	k := p.owsEnd(j)
	return j, k == len(p.s) || p.s[k] == ','
}

// quotedString reads the quoted-string at p.pos and returns it with every
// quoted-pair replaced by its second octet (H12). An unterminated one is read
// to the end of the line, as much as a lenient reading can recover.
func (p *parser) quotedString() string {
	open := p.pos
	if n := strings.IndexAny(p.s[open+1:], `"\`); n >= 0 && p.s[open+1+n] == '"' {
		// No quoted-pair: the value is the text as it stands, as the loop
		// below would copy it.
		end := open + 1 + n
		for i := open + 1; i < end; i++ {
			if !isText(p.s[i]) {
				p.report(i, "%s in quoted-string", describe(p.s[i]))
			}
		}
		p.pos = end + 1
		return p.s[open+1 : end]
	}
	var b strings.Builder
	for i := open + 1; i < len(p.s); i++ {
		c := p.s[i]
		if c == '"' {
			p.pos = i + 1
			return b.String()
		}
		if c == '\\' {
			if i+1 == len(p.s) {
				break
			}
			i++
			c = p.s[i]
		}
		if !isText(c) {
			p.report(i, "%s in quoted-string", describe(c))
		}
		b.WriteByte(c)
	}
	p.report(open, "quoted-string not terminated")
	p.pos = len(p.s)
	return b.String()
}

// tokenValue reads an unquoted parameter value. Servers often send URLs
// unquoted (`realm=https://x/y`) and ':' or '/' end a token, so the lenient
// reading runs up to the next comma and strict reports the first non-tchar.
func (p *parser) tokenValue(name string) string {
	start, end := p.pos, p.pos
	for end < len(p.s) && isTchar(p.s[end]) {
		end++
	}
	if k := p.owsEnd(end); k == len(p.s) || p.s[k] == ',' {
		p.pos = end
		return p.s[start:end]
	}
	end = len(p.s)
	if i := strings.IndexByte(p.s[start:], ','); i >= 0 {
		end = start + i
	}
	v := strings.TrimRight(p.s[start:end], " \t")
	p.checkToken(start, start+len(v), "value of parameter", name)
	p.pos = start + len(v)
	return v
}

// checkToken reports the first byte from start to end that a token cannot hold.
func (p *parser) checkToken(start, end int, what, name string) {
	for i := start; i < end; i++ {
		switch c := p.s[i]; {
		case isTchar(c):
			continue
		case c >= 0x80:
			p.report(i, "%s outside a quoted-string, in %s %q", describe(c), what, name)
		default:
			p.report(i, "invalid %s in %s %q", describe(c), what, name)
		}
		return
	}
}

// finishElement expects the element to be over after OWS. Anything else is
// reported once and skipped up to the next comma.
func (p *parser) finishElement(what, name string) {
	p.skipOWS()
	if p.atElementEnd() {
		return
	}
	p.report(p.pos, "unexpected %s after the %s %q", describe(p.s[p.pos]), what, name)
	p.pos = p.skipToComma(p.pos)
}

// skipToComma returns the index of the next comma outside a quoted-string, or
// the end, so that skipping garbage does not split a quoted value.
func (p *parser) skipToComma(i int) int {
	quoted := false
	for ; i < len(p.s); i++ {
		switch c := p.s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == ',':
			return i
		}
	}
	return len(p.s)
}

// sanitize reads CR, LF and NUL as SP, which RFC 9110 §5.5 allows instead of
// rejecting the message; that also unfolds obs-fold (RFC 9112 §5.2). Each run
// is reported once, and offsets stay valid because the length is unchanged.
func (p *parser) sanitize(v string) string {
	if strings.IndexAny(v, "\r\n\x00") < 0 {
		return v
	}
	b := []byte(v)
	for i, c := range b {
		if c != '\r' && c != '\n' && c != 0 {
			continue
		}
		if i == 0 || strings.IndexByte("\r\n\x00", v[i-1]) < 0 {
			p.report(i, "CR, LF or NUL in the field value (read as SP)")
		}
		b[i] = ' '
	}
	return string(b)
}

// describe names a byte for a message.
func describe(c byte) string {
	switch {
	case c == ' ':
		return "SP"
	case c == '\t':
		return "HTAB"
	case c > ' ' && c < 0x7F:
		return fmt.Sprintf("character %q", rune(c))
	case c >= 0x80:
		return fmt.Sprintf("non-ASCII byte 0x%02X", c)
	}
	return fmt.Sprintf("control byte 0x%02X", c)
}

func (p *parser) report(off int, format string, args ...any) {
	p.problems = append(p.problems, Problem{Field: p.field, Offset: off, Msg: fmt.Sprintf(format, args...)})
}

// sortedProblems orders problems by position and keeps only the first one
// reported at each position, since one bad byte often breaks several rules.
func (p *parser) sortedProblems() []Problem {
	slices.SortStableFunc(p.problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Offset, b.Offset))
	})
	if len(p.problems) == 0 {
		return nil
	}
	return slices.CompactFunc(p.problems, func(a, b Problem) bool {
		return a.Field == b.Field && a.Offset == b.Offset
	})
}

// asciiEqualFold compares tokens case-insensitively in ASCII only: HTTP tokens
// are ASCII, and Unicode folding would match the Kelvin sign to "k".
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if asciiLower(a[i]) != asciiLower(b[i]) {
			return false
		}
	}
	return true
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lowerASCII lower-cases the ASCII letters of s, for case-insensitive keys.
// Names are usually lower case already, so that case does not allocate.
func lowerASCII(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		b[i] = asciiLower(c)
	}
	return string(b)
}
