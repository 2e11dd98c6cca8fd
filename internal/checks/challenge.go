package checks

import (
	"fmt"
	"slices"
	"strings"
)

// Challenge is one parsed challenge of a WWW-Authenticate or
// Proxy-Authenticate field (RFC 9110 §11.3).
type Challenge struct {
	Scheme  string  `json:"scheme"` // as received; compare case-insensitively
	Token68 string  `json:"token68,omitempty"`
	Params  []Param `json:"params,omitempty"` // in the order received
}

// Param is one auth-param of a challenge.
type Param struct {
	Name   string `json:"name"`  // as received; compare case-insensitively
	Value  string `json:"value"` // quoted-pairs already unescaped
	Quoted bool   `json:"quoted,omitempty"`
}

// Problem is one way a field value breaks the strict RFC 9110 grammar.
// Field and Offset are zero-based, so they index the input directly.
type Problem struct {
	Field  int    // index of the field line in the input slice
	Offset int    // byte offset within that field value
	Msg    string // plain words, e.g. `quoted-string not terminated`
}

// Error formats the problem as `field 1, byte 14: quoted-string not terminated`.
func (p Problem) Error() string {
	return fmt.Sprintf("field %d, byte %d: %s", p.Field, p.Offset, p.Msg)
}

// Param returns the value of the first parameter with that name, compared
// case-insensitively (RFC 9110 §11.2). Later duplicates, which strict parsing
// reports, are ignored so a lenient reading still gives one answer.
func (c Challenge) Param(name string) (string, bool) {
	for _, p := range c.Params {
		if asciiEqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}

// Realm is Param("realm"), the protection space of the challenge (RFC 9110 §11.5).
func (c Challenge) Realm() (string, bool) { return c.Param("realm") }

// String formats the challenge canonically: `Scheme token68`,
// `Scheme a="b", c="d"` or just `Scheme`. Values are always written as
// quoted-strings, the form RFC 9110 §11.5 requires senders to use for realm and
// every generic recipient accepts. A lenient reading that holds both a token68
// and parameters is written with the token68 first, which a strict parse flags.
func (c Challenge) String() string {
	var b strings.Builder
	n := len(c.Scheme) + len(c.Token68) + 2 // the length without escapes: grown once
	for _, p := range c.Params {
		n += len(p.Name) + len(p.Value) + 5
	}
	b.Grow(n)
	b.WriteString(c.Scheme)
	sep := " "
	if c.Token68 != "" {
		b.WriteString(sep)
		b.WriteString(c.Token68)
		sep = ", "
	}
	for _, p := range c.Params {
		b.WriteString(sep)
		b.WriteString(p.Name)
		b.WriteByte('=')
		writeQuoted(&b, p.Value)
		sep = ", "
	}
	return b.String()
}

// writeQuoted writes v as a quoted-string, escaping only the two octets that
// qdtext cannot carry (RFC 9110 §5.6.4).
func writeQuoted(b *strings.Builder, v string) {
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
}

// FormatChallenges joins challenges with ", " into one field value.
func FormatChallenges(cs []Challenge) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

// FindChallenge returns the first challenge whose scheme matches,
// case-insensitively (RFC 9110 §11.1).
func FindChallenge(cs []Challenge, scheme string) (Challenge, bool) {
	for _, c := range cs {
		if asciiEqualFold(c.Scheme, scheme) {
			return c, true
		}
	}
	return Challenge{}, false
}

// ParseChallenges parses every field line (in received order) and returns the
// lenient reading (best effort, always as much as can be recovered) and the
// strict-grammar problems (nil when the input is strictly valid).
//
// Lines are read as if joined by commas (RFC 9110 §5.3), so parameters may
// continue a challenge from the previous line. Parameters that belong to no
// challenge at all are reported and dropped.
func ParseChallenges(fieldValues []string) ([]Challenge, []Problem) {
	p := &parser{}
	for i, v := range fieldValues {
		p.line(i, v)
	}
	return p.out, p.sortedProblems()
}

// listState is what the last challenge can take next. It decides whether a
// parameter element continues that challenge or is stray.
type listState int

const (
	noChallenge  listState = iota // nothing parsed yet: a parameter has no owner
	afterScheme                   // a bare scheme, ended by a comma or the end
	afterToken68                  // token68 and auth-params exclude each other (H7)
	inParams                      // an auth-param list that a comma may continue
)

// parser holds the state of one ParseChallenges call. The list state and the
// output carry over between field lines, which RFC 9110 §5.3 joins by commas.
type parser struct {
	s        string // current field value, with CR, LF and NUL read as SP
	pos      int
	field    int
	state    listState
	out      []Challenge
	problems []Problem
}

// line parses one field line as a list whose empty elements are skipped
// silently, since RFC 9110 §5.6.1.2 requires recipients to accept them.
func (p *parser) line(field int, v string) {
	p.field, p.pos = field, 0
	p.s = p.sanitize(v)
	for {
		p.skipSeparators()
		if p.pos >= len(p.s) {
			return
		}
		p.element()
	}
}

// element parses one list element: a new challenge or a parameter of the last
// one. A token followed by BWS "=" can only be a parameter, because a scheme is
// followed by SP, a comma or the end of the value.
func (p *parser) element() {
	if p.paramAhead() {
		p.strayParam()
		return
	}
	end := p.nameEnd(p.pos)
	if end == p.pos {
		p.report(p.pos, "unexpected %s where a challenge was expected", describe(p.s[p.pos]))
		p.pos = p.skipToComma(p.pos)
		return
	}
	p.challenge(end)
}

// challenge parses the auth-scheme that runs from p.pos to end, then what
// follows it in the same element.
func (p *parser) challenge(end int) {
	scheme := p.s[p.pos:end]
	p.checkToken(p.pos, end, "auth-scheme", scheme)
	p.out = append(p.out, Challenge{Scheme: scheme})
	p.state = afterScheme
	p.pos = end
	p.skipOWS()
	gap := p.s[end:p.pos]
	if p.atElementEnd() {
		// `Scheme ,a=b` is an auth-param list that starts with an empty
		// element, which recipients accept (RFC 9110 §5.6.1.2). Without the
		// SP, as in `Bearer, error="x"`, the challenge is over, and so it is
		// at the end of a line, where whitespace is not part of the value.
		if p.pos < len(p.s) && gap != "" && strings.Trim(gap, " ") == "" {
			p.state = inParams
		}
		return
	}
	switch {
	case gap == "":
		p.report(end, "no space between auth-scheme %q and what follows", scheme)
	case strings.IndexByte(gap, '\t') >= 0:
		p.report(end, "HTAB after auth-scheme %q; only SP may follow a scheme", scheme)
	}
	p.schemeData(&p.out[len(p.out)-1])
}

// schemeData parses what follows a scheme and its SP. A token68 that fills the
// element wins, as the grammar demands (`abc=` is a token68, `abc=def` and
// `abc = def` are parameters); a shorter one is kept when no parameter fits,
// and what follows it is reported as garbage.
func (p *parser) schemeData(c *Challenge) {
	end, whole := p.token68End(p.pos)
	if !whole && p.paramAhead() {
		p.state = inParams
		start := p.pos
		p.addParam(c, p.param(), start)
		return
	}
	if end > p.pos {
		c.Token68 = p.s[p.pos:end]
		p.state = afterToken68
		p.pos = end
		p.finishElement("token68 of challenge", c.Scheme)
		return
	}
	// Keep the unparseable rest as the token68, so a caller still sees it.
	start, end := p.pos, p.skipToComma(p.pos)
	c.Token68 = strings.TrimRight(p.s[start:end], " \t")
	p.state = afterToken68
	p.report(start, "neither a token68 nor an auth-param after auth-scheme %q", c.Scheme)
	p.pos = end
}

// strayParam parses a parameter element and attaches it to the last challenge.
// Outside an open parameter list that is the lenient reading of a common server
// mistake, such as `Bearer, error="invalid_token"`, and is reported once.
func (p *parser) strayParam() {
	start := p.pos
	name := p.s[start:p.nameEnd(start)]
	switch p.state {
	case noChallenge:
		p.report(start, "parameter %q belongs to no challenge", name)
		p.param() // dropped: there is no scheme to give it meaning
		return
	case afterScheme:
		p.report(start, "parameter %q belongs to no challenge: a comma follows auth-scheme %q",
			name, p.out[len(p.out)-1].Scheme)
	case afterToken68:
		p.report(start, "parameter %q mixed with the token68 of challenge %q",
			name, p.out[len(p.out)-1].Scheme)
	}
	p.state = inParams
	p.addParam(&p.out[len(p.out)-1], p.param(), start)
}

// addParam appends prm to c. A repeated name is reported, since RFC 9110 §11.2
// allows each name once per challenge, but kept: Param returns the first.
func (p *parser) addParam(c *Challenge, prm Param, off int) {
	// c is the last challenge, and its params are all it has seen: a few.
	if slices.ContainsFunc(c.Params, func(q Param) bool { return asciiEqualFold(q.Name, prm.Name) }) {
		p.report(off, "parameter %q repeated in challenge %q", prm.Name, c.Scheme)
	}
	if c.Params == nil {
		c.Params = make([]Param, 0, 4)
	}
	c.Params = append(c.Params, prm)
}

// param parses auth-param = token BWS "=" BWS ( token / quoted-string ) at
// p.pos, once paramAhead has seen the "=". BWS is removed, as H11 requires.
func (p *parser) param() Param {
	start := p.pos
	end := p.nameEnd(start)
	prm := Param{Name: p.s[start:end]}
	p.checkToken(start, end, "parameter name", prm.Name)
	p.pos = end
	p.skipOWS()
	p.pos++ // the "="
	p.skipOWS()
	switch {
	case p.atElementEnd():
		p.report(start, "parameter %q has no value", prm.Name)
		return prm
	case p.s[p.pos] == '"':
		prm.Value, prm.Quoted = p.quotedString(), true
	default:
		prm.Value = p.tokenValue(prm.Name)
	}
	p.finishElement("value of parameter", prm.Name)
	return prm
}
