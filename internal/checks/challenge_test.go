package checks

import (
	"reflect"
	"testing"
)

// q, tok, ch and t68 keep the expected readings in the table short.
func q(name, value string) Param   { return Param{Name: name, Value: value, Quoted: true} }
func tok(name, value string) Param { return Param{Name: name, Value: value} }

func ch(scheme string, params ...Param) Challenge {
	return Challenge{Scheme: scheme, Params: params}
}

func t68(scheme, token string) Challenge { return Challenge{Scheme: scheme, Token68: token} }

func prob(field, off int, msg string) Problem { return Problem{Field: field, Offset: off, Msg: msg} }

const (
	digestNonce  = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
	digestOpaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
)

func digest(alg string) Challenge {
	return ch("Digest", q("realm", "http-auth@example.org"), q("qop", "auth, auth-int"),
		tok("algorithm", alg), q("nonce", digestNonce), q("opaque", digestOpaque))
}

func digestLine(alg string) string {
	return `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=` + alg +
		`, nonce="` + digestNonce + `", opaque="` + digestOpaque + `"`
}

type challengeCase struct {
	name   string
	fields []string
	want   []Challenge
	probs  []Problem // nil when the input is strictly valid
}

// rfcCases are the examples given in the RFCs, all strictly valid.
var rfcCases = []challengeCase{
	{"RFC 9110 11.6.1 Newauth and Basic", []string{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`},
		[]Challenge{ch("Newauth", q("realm", "apps"), tok("type", "1"), q("title", `Login to "apps"`)), ch("Basic", q("realm", "simple"))}, nil},
	{"RFC 7617 Basic", []string{`Basic realm="WallyWorld"`}, []Challenge{ch("Basic", q("realm", "WallyWorld"))}, nil},
	{"RFC 7617 Basic charset", []string{`Basic realm="foo", charset="UTF-8"`},
		[]Challenge{ch("Basic", q("realm", "foo"), q("charset", "UTF-8"))}, nil},
	{"RFC 6750 Bearer", []string{`Bearer realm="example"`}, []Challenge{ch("Bearer", q("realm", "example"))}, nil},
	{"RFC 6750 Bearer expired", []string{`Bearer realm="example", error="invalid_token", error_description="The access token expired"`},
		[]Challenge{ch("Bearer", q("realm", "example"), q("error", "invalid_token"), q("error_description", "The access token expired"))}, nil},
	{"RFC 7616 3.9.1 two Digest fields", []string{digestLine("SHA-256"), digestLine("MD5")},
		[]Challenge{digest("SHA-256"), digest("MD5")}, nil},
	{"RFC 7616 3.9.1 on one line", []string{digestLine("SHA-256") + ", " + digestLine("MD5")},
		[]Challenge{digest("SHA-256"), digest("MD5")}, nil},
	{"RFC 9449 DPoP", []string{`DPoP algs="ES256 PS256"`}, []Challenge{ch("DPoP", q("algs", "ES256 PS256"))}, nil},
	{"RFC 9449 DPoP error", []string{`DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"`},
		[]Challenge{ch("DPoP", q("error", "invalid_token"), q("error_description", "Invalid DPoP key binding"), q("algs", "ES256"))}, nil},
	{"RFC 9449 bare Bearer then DPoP", []string{`Bearer, DPoP algs="ES256 PS256"`},
		[]Challenge{ch("Bearer"), ch("DPoP", q("algs", "ES256 PS256"))}, nil},
}

// validCases are edge cases that the strict grammar accepts.
var validCases = []challengeCase{
	{"no fields", nil, nil, nil},
	{"empty and blank fields", []string{"", " \t "}, nil, nil},
	{"two schemes then params", []string{`Basic realm="a", Bearer realm="b", error="x"`},
		[]Challenge{ch("Basic", q("realm", "a")), ch("Bearer", q("realm", "b"), q("error", "x"))}, nil},
	{"repeated fields", []string{`Basic realm="a"`, `Bearer`, `Bearer realm="b"`},
		[]Challenge{ch("Basic", q("realm", "a")), ch("Bearer"), ch("Bearer", q("realm", "b"))}, nil},
	{"params continue on the next field", []string{`Basic realm="a"`, ` , charset="UTF-8"`},
		[]Challenge{ch("Basic", q("realm", "a"), q("charset", "UTF-8"))}, nil},
	{"leading empty element", []string{`,Basic realm="a"`}, []Challenge{ch("Basic", q("realm", "a"))}, nil},
	{"empty params", []string{`X a=b,,,c=d`}, []Challenge{ch("X", tok("a", "b"), tok("c", "d"))}, nil},
	{"empty elements everywhere", []string{` , ,Bearer ,, Basic realm="x" ,`, `,,`},
		[]Challenge{ch("Bearer"), ch("Basic", q("realm", "x"))}, nil},
	{"escapes", []string{`Basic realm="a\"b\\c\d\	e"`}, []Challenge{ch("Basic", q("realm", "a\"b\\cd\te"))}, nil},
	{"comma and equals inside quotes", []string{`X title="a, b=c", Y`}, []Challenge{ch("X", q("title", "a, b=c")), ch("Y")}, nil},
	{"empty quoted value", []string{`Basic realm=""`}, []Challenge{ch("Basic", q("realm", ""))}, nil},
	{"obs-text in quotes", []string{"Basic realm=\"caf\xc3\xa9\""}, []Challenge{ch("Basic", q("realm", "caf\u00e9"))}, nil},
	{"token68 with padding", []string{`Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg==`}, []Challenge{t68("Negotiate", "YIIBhwYGKwYBBQUCoIIBezCCAXeg==")}, nil},
	{"token68 all characters", []string{`X a-b._~+/c=, Y`}, []Challenge{t68("X", "a-b._~+/c="), ch("Y")}, nil},
	{"token68 no padding then challenge", []string{`X abc, Basic realm="x"`}, []Challenge{t68("X", "abc"), ch("Basic", q("realm", "x"))}, nil},
	{"token68 ends with a single equals", []string{`X abc=`}, []Challenge{t68("X", "abc=")}, nil},
	{"BWS around equals", []string{"Basic realm = \"x\" , charset\t=\tUTF-8"},
		[]Challenge{ch("Basic", q("realm", "x"), tok("charset", "UTF-8"))}, nil},
	{"BWS makes a param not a token68", []string{`X abc = def`}, []Challenge{ch("X", tok("abc", "def"))}, nil},
	{"SP then an empty param", []string{`Bearer , error="x"`, `Basic  ,, realm="y"`},
		[]Challenge{ch("Bearer", q("error", "x")), ch("Basic", q("realm", "y"))}, nil},
	{"HTAB in OWS around commas", []string{"Basic realm=\"a\"\t,\tBearer"}, []Challenge{ch("Basic", q("realm", "a")), ch("Bearer")}, nil},
	{"several SP after scheme", []string{`Basic   realm="a"   `}, []Challenge{ch("Basic", q("realm", "a"))}, nil},
	{"same scheme twice, different realms", []string{`Basic realm="a", Basic realm="b"`},
		[]Challenge{ch("Basic", q("realm", "a")), ch("Basic", q("realm", "b"))}, nil},
	{"tchar punctuation", []string{"X! a#$%&'*+-.^_`|~=b#$%&'*+-.^_`|~"}, []Challenge{ch("X!", tok("a#$%&'*+-.^_`|~", "b#$%&'*+-.^_`|~"))}, nil},
}

// invalidCases break the strict grammar; each asserts the lenient reading too.
var invalidCases = []challengeCase{
	{"unterminated quoted-string", []string{`Basic realm="abc`}, []Challenge{ch("Basic", q("realm", "abc"))},
		[]Problem{prob(0, 12, "quoted-string not terminated")}},
	{"unterminated after backslash", []string{`Basic realm="ab\`}, []Challenge{ch("Basic", q("realm", "ab"))},
		[]Problem{prob(0, 12, "quoted-string not terminated")}},
	{"invalid character in scheme", []string{`Ba(sic realm="x"`}, []Challenge{ch("Ba(sic", q("realm", "x"))},
		[]Problem{prob(0, 2, `invalid character '(' in auth-scheme "Ba(sic"`)}},
	{"non-ASCII scheme", []string{"B\xc3\xa4sic realm=\"x\""}, []Challenge{ch("B\xc3\xa4sic", q("realm", "x"))},
		[]Problem{prob(0, 1, "non-ASCII byte 0xC3 outside a quoted-string, in auth-scheme \"B\u00e4sic\"")}},
	{"non-ASCII param name", []string{"Basic r\xc3\xa9alm=\"x\""}, []Challenge{ch("Basic", q("r\xc3\xa9alm", "x"))},
		[]Problem{prob(0, 7, "non-ASCII byte 0xC3 outside a quoted-string, in parameter name \"r\u00e9alm\"")}},
	{"HTAB after scheme", []string{"Basic\trealm=\"x\""}, []Challenge{ch("Basic", q("realm", "x"))},
		[]Problem{prob(0, 5, `HTAB after auth-scheme "Basic"; only SP may follow a scheme`)}},
	{"SP and HTAB after scheme", []string{"Basic \trealm=\"x\""}, []Challenge{ch("Basic", q("realm", "x"))},
		[]Problem{prob(0, 5, `HTAB after auth-scheme "Basic"; only SP may follow a scheme`)}},
	{"no space after scheme", []string{`Basic"realm"`}, []Challenge{t68("Basic", `"realm"`)},
		[]Problem{prob(0, 5, `no space between auth-scheme "Basic" and what follows`)}},
	{"duplicate param", []string{`Basic realm="a", REALM="b"`}, []Challenge{ch("Basic", q("realm", "a"), q("REALM", "b"))},
		[]Problem{prob(0, 17, `parameter "REALM" repeated in challenge "Basic"`)}},
	{"duplicate param across fields", []string{`Bearer error="a"`, `error="b"`}, []Challenge{ch("Bearer", q("error", "a"), q("error", "b"))},
		[]Problem{prob(1, 0, `parameter "error" repeated in challenge "Bearer"`)}},
	{"param without value", []string{`Basic charset="x", realm=`}, []Challenge{ch("Basic", q("charset", "x"), tok("realm", ""))},
		[]Problem{prob(0, 19, `parameter "realm" has no value`)}},
	{"first param without value is a token68", []string{`Basic realm=, charset="x"`},
		[]Challenge{{Scheme: "Basic", Token68: "realm=", Params: []Param{q("charset", "x")}}},
		[]Problem{prob(0, 14, `parameter "charset" mixed with the token68 of challenge "Basic"`)}},
	{"param without value at end", []string{`Basic realm = `}, []Challenge{ch("Basic", tok("realm", ""))},
		[]Problem{prob(0, 6, `parameter "realm" has no value`)}},
	{"token68 mixed with params", []string{`Custom abc==, realm="x"`}, []Challenge{{Scheme: "Custom", Token68: "abc==", Params: []Param{q("realm", "x")}}},
		[]Problem{prob(0, 14, `parameter "realm" mixed with the token68 of challenge "Custom"`)}},
	{"garbage after quoted value", []string{`Basic realm="x" junk, Bearer`}, []Challenge{ch("Basic", q("realm", "x")), ch("Bearer")},
		[]Problem{prob(0, 16, `unexpected character 'j' after the value of parameter "realm"`)}},
	{"semicolon separator", []string{`Basic realm="x";charset="y"`}, []Challenge{ch("Basic", q("realm", "x"))},
		[]Problem{prob(0, 15, `unexpected character ';' after the value of parameter "realm"`)}},
	{"garbage after token68", []string{`X abc== "def, g", Y`}, []Challenge{t68("X", "abc=="), ch("Y")},
		[]Problem{prob(0, 8, `unexpected character '"' after the token68 of challenge "X"`)}},
	{"garbage element", []string{`="x", Basic`}, []Challenge{ch("Basic")},
		[]Problem{prob(0, 0, `unexpected character '=' where a challenge was expected`)}},
	{"token68 then garbage", []string{`X ab:cd, Y`}, []Challenge{t68("X", "ab"), ch("Y")},
		[]Problem{prob(0, 4, `unexpected character ':' after the token68 of challenge "X"`)}},
	{"neither token68 nor param", []string{`X :ab, Y`}, []Challenge{t68("X", ":ab"), ch("Y")},
		[]Problem{prob(0, 2, `neither a token68 nor an auth-param after auth-scheme "X"`)}},
	{"CRLF in quoted-string", []string{"Basic realm=\"a\r\n b\""}, []Challenge{ch("Basic", q("realm", "a   b"))},
		[]Problem{prob(0, 14, "CR, LF or NUL in the field value (read as SP)")}},
	{"obs-fold after scheme", []string{"Basic\r\n realm=\"x\""}, []Challenge{ch("Basic", q("realm", "x"))},
		[]Problem{prob(0, 5, "CR, LF or NUL in the field value (read as SP)")}},
	{"NUL twice", []string{"Basic realm=\"a\x00b\x00\""}, []Challenge{ch("Basic", q("realm", "a b "))},
		[]Problem{prob(0, 14, "CR, LF or NUL in the field value (read as SP)"), prob(0, 16, "CR, LF or NUL in the field value (read as SP)")}},
	{"control byte in quoted-string", []string{"Basic realm=\"a\x01\x7f\""}, []Challenge{ch("Basic", q("realm", "a\x01\x7f"))},
		[]Problem{prob(0, 14, "control byte 0x01 in quoted-string"), prob(0, 15, "control byte 0x7F in quoted-string")}},
	{"comma after scheme", []string{`Bearer, error="invalid_token", error_description="x"`},
		[]Challenge{ch("Bearer", q("error", "invalid_token"), q("error_description", "x"))},
		[]Problem{prob(0, 8, `parameter "error" belongs to no challenge: a comma follows auth-scheme "Bearer"`)}},
	{"HTAB then comma after scheme", []string{"Bearer\t, error=\"x\""}, []Challenge{ch("Bearer", q("error", "x"))},
		[]Problem{prob(0, 9, `parameter "error" belongs to no challenge: a comma follows auth-scheme "Bearer"`)}},
	{"trailing SP does not open a param list", []string{"Bearer ", `error="x"`}, []Challenge{ch("Bearer", q("error", "x"))},
		[]Problem{prob(1, 0, `parameter "error" belongs to no challenge: a comma follows auth-scheme "Bearer"`)}},
	{"param before any challenge", []string{`realm="x", Basic`}, []Challenge{ch("Basic")},
		[]Problem{prob(0, 0, `parameter "realm" belongs to no challenge`)}},
	{"unquoted URL", []string{`Bearer realm=https://x/y?a=b, error="e"`},
		[]Challenge{ch("Bearer", tok("realm", "https://x/y?a=b"), q("error", "e"))},
		[]Problem{prob(0, 18, `invalid character ':' in value of parameter "realm"`)}},
	{"unquoted value with SP", []string{`Basic realm=foo bar `}, []Challenge{ch("Basic", tok("realm", "foo bar"))},
		[]Problem{prob(0, 15, `invalid SP in value of parameter "realm"`)}},
	{"problems sorted by position", []string{`Basic realm="a`, "Ba(sic realm=\"a\r\n\""},
		[]Challenge{ch("Basic", q("realm", "a")), ch("Ba(sic", q("realm", "a  "))},
		[]Problem{prob(0, 12, "quoted-string not terminated"), prob(1, 2, `invalid character '(' in auth-scheme "Ba(sic"`),
			prob(1, 15, "CR, LF or NUL in the field value (read as SP)")}},
	{"one problem per position", []string{"X\ty, z="}, []Challenge{{Scheme: "X", Token68: "y", Params: []Param{tok("z", "")}}},
		[]Problem{prob(0, 1, `HTAB after auth-scheme "X"; only SP may follow a scheme`),
			prob(0, 5, `parameter "z" mixed with the token68 of challenge "X"`)}},
	{"padding then garbage is not a param", []string{`Basic realm="x", abc==`}, []Challenge{ch("Basic", q("realm", "x")), t68("abc", "==")},
		[]Problem{prob(0, 20, `no space between auth-scheme "abc" and what follows`)}},
}

func TestParseChallenges(t *testing.T) {
	for _, group := range [][]challengeCase{rfcCases, validCases, invalidCases} {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				got, probs := ParseChallenges(tc.fields)
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("challenges:\n got %#v\nwant %#v", got, tc.want)
				}
				if !reflect.DeepEqual(probs, tc.probs) {
					t.Errorf("problems:\n got %q\nwant %q", probs, tc.probs)
				}
			})
		}
	}
}

func TestChallengeLookup(t *testing.T) {
	cs, _ := ParseChallenges([]string{`basic Realm="a", realm="dup"`, `BEARER error=x`})
	tests := []struct {
		name, scheme, param string
		want                string
		found               bool
	}{
		{"scheme and param in other case", "BASIC", "REALM", "a", true},
		{"first of duplicates wins", "Basic", "realm", "a", true},
		{"token value", "bearer", "Error", "x", true},
		{"missing param", "Bearer", "realm", "", false},
		{"missing scheme", "Digest", "realm", "", false},
		{"no Unicode folding", "Basic", "rea\u212alm", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := FindChallenge(cs, tc.scheme)
			got, found := c.Param(tc.param)
			if ok != (tc.scheme != "Digest") || got != tc.want || found != tc.found {
				t.Errorf("FindChallenge(%q) = %v; Param(%q) = %q, %v; want %q, %v",
					tc.scheme, ok, tc.param, got, found, tc.want, tc.found)
			}
		})
	}
	if realm, ok := cs[0].Realm(); realm != "a" || !ok {
		t.Errorf("Realm() = %q, %v; want \"a\", true", realm, ok)
	}
}

func TestChallengeString(t *testing.T) {
	tests := []struct {
		name string
		c    Challenge
		want string
	}{
		{"bare scheme", ch("Bearer"), "Bearer"},
		{"token68", t68("Negotiate", "abc=="), "Negotiate abc=="},
		{"token values are quoted", ch("Digest", tok("algorithm", "MD5"), q("realm", "r")), `Digest algorithm="MD5", realm="r"`},
		{"escapes", ch("X", q("t", `a"b\c`)), `X t="a\"b\\c"`},
		{"empty value", ch("X", tok("a", "")), `X a=""`},
		{"lenient token68 and params", Challenge{Scheme: "X", Token68: "y", Params: []Param{q("a", "b")}}, `X y, a="b"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatChallenges(t *testing.T) {
	line := `Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`
	cs, _ := ParseChallenges([]string{line})
	want := `Newauth realm="apps", type="1", title="Login to \"apps\"", Basic realm="simple"`
	if got := FormatChallenges(cs); got != want {
		t.Errorf("FormatChallenges = %q, want %q", got, want)
	}
	if got := FormatChallenges(nil); got != "" {
		t.Errorf("FormatChallenges(nil) = %q, want empty", got)
	}
}

func TestChallengeProblemError(t *testing.T) {
	_, probs := ParseChallenges([]string{`Basic`, `Basic realm="x`})
	want := `field 1, byte 12: quoted-string not terminated`
	if len(probs) != 1 || probs[0].Error() != want {
		t.Errorf("problems = %q, want [%q]", probs, want)
	}
}
