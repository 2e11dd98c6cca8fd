package checks

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/authmon/monitor/internal/redact"
)

// unreachable is the verdict when no answer arrived at all.
func unreachable(k ProbeKind, why string) Assertion {
	a := assertion("A0")
	a.Expected, a.Got, a.Reason = "an HTTP answer", why, k.Phrase()+": no answer: "+why
	return a
}

// judge checks one answer against the probe's expectations.
func judge(spec ProbeSpec, p *ProbeResult, body []byte) []Assertion {
	if spec.Kind == ProbeValid {
		return judgeValid(spec, p, body)
	}
	return judgeDenied(spec, expectFor(spec.Kind), p)
}

func judgeValid(spec ProbeSpec, p *ProbeResult, body []byte) []Assertion {
	want := statusWords(spec.Status, "2xx")
	ok := is2xx(p.Status)
	if len(spec.Status) > 0 {
		ok = slices.Contains(spec.Status, p.Status)
	}
	// Room for the body, json and the configured JWT's alg and expiry.
	out := append(make([]Assertion, 0, 4), check("A2", ok, want, gotStatus(p), spec.Kind))
	if spec.BodyContains != "" {
		found := bytes.Contains(body, []byte(spec.BodyContains))
		got := "a body without it"
		if found {
			got = "a body containing it"
		}
		want := keptText("body containing", spec.BodyContains, "", func(s, _ string) string {
			return "body containing " + strconv.Quote(s)
		})
		out = append(out, check("A2.body", found, want, got, spec.Kind))
	}
	if len(spec.JSON) > 0 {
		out = append(out, judgeJSON(spec, body))
	}
	if p.Status == 401 && len(p.Challenges) == 0 {
		out = append(out, challengeAbsent("C1", spec.Kind, p))
	}
	return out
}

// judgeJSON compares the dot paths of spec.JSON with the body, in path
// order so that the evidence reads the same on every run.
func judgeJSON(spec ProbeSpec, body []byte) Assertion {
	paths := make([]string, 0, len(spec.JSON))
	for path := range spec.JSON {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	doc, isJSON := jsonObject(body)
	var want, got []string
	pass := isJSON
	for _, path := range paths {
		exp := spec.JSON[path]
		want = append(want, fmt.Sprintf("%s = %q", path, exp))
		v, found := jsonPath(doc, path)
		switch {
		case !found:
			got, pass = append(got, path+" absent"), false
		case v != exp:
			got, pass = append(got, fmt.Sprintf("%s = %q", path, clip(redact.Tokens(v)))), false
		}
	}
	gotWords := "every value as expected"
	switch {
	case !isJSON:
		gotWords = "a body that is not a JSON object"
	case !pass:
		gotWords = strings.Join(got, ", ")
	}
	return check("A2.json", pass, "JSON "+strings.Join(want, ", "), gotWords, spec.Kind)
}

// expectation is what the standards expect of a probe that presents no or
// bad credentials, and the ids its assertions carry.
type expectation struct {
	rfc      []int  // the statuses the RFCs expect
	words    string // the same, for deviation sentences
	ref      string
	bypassID string // B1 without credentials, B2 with bad ones
	statusID string
	errorID  string   // the assertion on the Bearer error code
	errors   []string // the codes RFC 6750 §3.1 expects; nil: none at all
	errWords string   // errorWords(errors), made once
}

// withErrors sets the Bearer error codes e expects (none: no error
// parameter at all).
func withErrors(e expectation, codes ...string) expectation {
	e.errors, e.errWords = codes, errorWords(codes)
	return e
}

var (
	expectMissing = withErrors(expectation{rfc: []int{401}, words: "401 with a WWW-Authenticate challenge", ref: "RFC 9110 §11.4",
		bypassID: "B1", statusID: "C1", errorID: "C6"})
	expectMalformed = withErrors(expectation{rfc: []int{400, 401}, words: "401 with a WWW-Authenticate challenge (or 400 for a malformed request)",
		ref: "RFC 9110 §11.4 and RFC 6750 §3.1", bypassID: "B2", statusID: "C5", errorID: "C7"},
		"invalid_request", "invalid_token")
	expectBad = withErrors(expectation{rfc: []int{401}, words: "401 with a WWW-Authenticate challenge", ref: "RFC 9110 §11.4",
		bypassID: "B2", statusID: "C5", errorID: "C7"}, "invalid_token")
	expectScope = withErrors(expectation{rfc: []int{403}, words: `403 with error="insufficient_scope"`, ref: "RFC 6750 §3.1",
		bypassID: "B2", statusID: "C8", errorID: "C8.error"}, "insufficient_scope")
)

func expectFor(k ProbeKind) expectation {
	switch k {
	case ProbeMissing:
		return expectMissing
	case ProbeMalformed:
		return expectMalformed
	case ProbeScope:
		return expectScope
	}
	return expectBad
}

// accepted is the statuses the check accepts for a denied probe.
func (e expectation) accepted(spec ProbeSpec) []int {
	if len(spec.Status) > 0 {
		return spec.Status
	}
	return e.rfc
}

// judgeDenied checks a request without valid credentials: never 2xx (a
// bypass), the expected refusal, and a well-formed challenge on a 401.
func judgeDenied(spec ProbeSpec, e expectation, p *ProbeResult) []Assertion {
	accepted := e.accepted(spec)
	want := statusWords(accepted, "")
	refusal := want
	if spec.Scheme != "" && slices.Contains(accepted, 401) {
		refusal = keptText("refusal", want, spec.Scheme, func(want, scheme string) string {
			return want + " with " + challengeWords(scheme)
		})
	}
	if is2xx(p.Status) && p.RedirectedTo != "" && locationOK(spec.Location, p.URL, p.RedirectedTo) {
		return redirectedToLogin(spec, e, p)
	}
	// Room for what a refusal is usually judged on: bypass, status, and
	// the challenge's grammar, scheme, realm, error and limits.
	out := append(make([]Assertion, 0, 8), bypass(e.bypassID, spec, p, refusal))
	if is2xx(p.Status) {
		return out // the bypass says it all; a status assertion would repeat it
	}
	if unavailable(p.Status) && !slices.Contains(accepted, p.Status) {
		// The endpoint is down, not refusing: one availability failure
		// says so; its error page's missing challenge is not news. A 500
		// is judged as an answer: a server that crashes on bad
		// credentials mishandles them.
		return append(out, serverError(spec.Kind, p))
	}
	st := check(e.statusID, slices.Contains(accepted, p.Status), want, gotStatus(p), spec.Kind)
	if st.Pass && !slices.Contains(e.rfc, p.Status) {
		st.Deviation = deviation(strconv.Itoa(p.Status), e)
	}
	out = append(out, st)
	if p.Status >= 300 && p.Status < 400 && spec.Location != "" {
		out = append(out, locationAssertion(spec, e, p))
	}
	return challengeAssertions(out, spec, e, p)
}

// redirectedToLogin judges a denied probe whose followed redirect ended on
// the configured login page: the 2xx is that page, not the resource.
func redirectedToLogin(spec ProbeSpec, e expectation, p *ProbeResult) []Assertion {
	k := spec.Kind
	b := bypassRef(assertion(e.bypassID), k, spec.Scheme)
	b.Pass, b.Expected, b.Got = true, "no access to the resource", "redirected to "+p.RedirectedTo
	b.Reason = k.Phrase() + ": redirected to the login page"
	st := check(e.statusID, true, "a redirect to "+spec.Location, "redirected to "+p.RedirectedTo, k)
	st.Deviation = deviation("a redirect to the login page", e)
	return []Assertion{b, st}
}

// deviation says, in one sentence, how an answer the check allows differs
// from what the standard expects.
func deviation(got string, e expectation) string {
	return got + " is allowed by this check; " + e.ref + " expects " + e.words
}

// locationAssertion: an allowed redirect must go where the check says, or
// it is not the login page but somewhere unknown.
func locationAssertion(spec ProbeSpec, e expectation, p *ProbeResult) Assertion {
	loc := headerValue(p.Headers, "Location")
	got := "no Location header"
	if loc != "" {
		got = "Location: " + clip(loc)
	}
	return check(e.statusID+".location", loc != "" && locationOK(spec.Location, p.URL, loc),
		"a redirect to "+spec.Location, got, spec.Kind)

}

// bypass is the critical assertion: a request without valid credentials
// must not be answered 2xx.
func bypass(id string, spec ProbeSpec, p *ProbeResult, want string) Assertion {
	k := spec.Kind
	a := bypassRef(check(id, !is2xx(p.Status), want, gotStatus(p), k), k, spec.Scheme)
	if a.Pass {
		a.Reason = keptText("refused with", string(k), gotStatus(p), func(k, status string) string {
			return ProbeKind(k).Phrase() + ": refused with " + status
		})
	} else {
		a.Reason += ": auth bypass"
	}
	return a
}

// refusedAtHandshake is the verdict of an mTLS probe that the server turned
// away during the TLS handshake: a refusal, so no bypass.
func refusedAtHandshake(spec ProbeSpec, why string) []Assertion {
	k := spec.Kind
	e := expectFor(k)
	b := bypassRef(assertion(e.bypassID), k, spec.Scheme)
	b.Pass, b.Expected, b.Got, b.Reason = true, "no access", why, k.Phrase()+": refused: "+why
	return []Assertion{
		b,
		check(e.statusID, true, "a refusal", why, k),
	}
}

// check builds an assertion with the catalogue's reference and severity
// and the standard reason sentence.
func check(id string, pass bool, want, got string, k ProbeKind) Assertion {
	a := assertion(id)
	a.Pass, a.Expected, a.Got = pass, want, got
	a.Reason = reason(k, pass, want, got)
	return a
}

// reason is check's sentence. Every probe of every run writes several,
// nearly all of them the same as on the run before: the latest are kept
// (short ones, a bounded number) and handed out again.
func reason(k ProbeKind, pass bool, want, got string) string {
	key := reasonKey{k: k, pass: pass, got: got}
	if !pass {
		key.want = want // a passing sentence does not name it
	}
	reasons.Lock()
	s, ok := reasons.m[key]
	reasons.Unlock()
	if ok {
		return s
	}
	if pass {
		s = k.Phrase() + ": got " + got + " as expected"
	} else {
		s = k.Phrase() + ": expected " + want + ", got " + got
	}
	keepReason(key, s)
	return s
}

// keepReason keeps s under key, unless it is too long; a full table is
// emptied first, which bounds it.
func keepReason(key reasonKey, s string) {
	if len(s) > maxKeptReason {
		return
	}
	reasons.Lock()
	if reasons.m == nil || len(reasons.m) >= keptReasons {
		reasons.m = map[reasonKey]string{}
	}
	reasons.m[key] = s
	reasons.Unlock()
}

// keptText is make(a, b), kept like reason's sentences under (kind, a, b):
// for the texts a judge derives from a and b only. make must depend on
// nothing else, and kind name what it makes.
func keptText(kind, a, b string, make func(a, b string) string) string {
	key := reasonKey{text: kind, want: a, got: b}
	reasons.Lock()
	s, ok := reasons.m[key]
	reasons.Unlock()
	if ok {
		return s
	}
	s = make(a, b)
	keepReason(key, s)
	return s
}

type reasonKey struct {
	text      string // keptText's kind; "" for reason's sentences
	k         ProbeKind
	pass      bool
	want, got string
}

// reasons are the sentences reason keeps: at most keptReasons of at most
// maxKeptReason bytes (about 1 MB), started afresh when full.
var reasons struct {
	sync.Mutex
	m map[reasonKey]string
}

const (
	keptReasons   = 4096
	maxKeptReason = 200
)

func is2xx(code int) bool { return code >= 200 && code < 300 }

// statusIn reports whether got is in list, or equals def when list is empty.
func statusIn(list []int, def, got int) bool {
	if len(list) == 0 {
		return got == def
	}
	return slices.Contains(list, got)
}

func statusWords(list []int, def string) string {
	if len(list) == 0 {
		return def
	}
	if len(list) == 1 {
		return statusCode(list[0])
	}
	parts := make([]string, len(list))
	for i, c := range list {
		parts[i] = statusCode(c)
	}
	return strings.Join(parts, " or ")
}

func gotStatus(p *ProbeResult) string {
	if p.StatusText == "" {
		return statusCode(p.Status)
	}
	if p.Status >= 0 && p.Status < len(statusLines) && statusLines[p.Status].text == p.StatusText {
		return statusLines[p.Status].line
	}
	return strconv.Itoa(p.Status) + " " + p.StatusText
}

// statusLines are "200 OK", "401 Unauthorized" and every other status
// net/http names, made once: judging writes them for every probe.
var statusLines = func() (out [600]struct{ text, line string }) {
	for code := range out {
		if text := http.StatusText(code); text != "" {
			out[code].text, out[code].line = text, strconv.Itoa(code)+" "+text
		}
	}
	return out
}()

// statusCode is strconv.Itoa(code), without allocating for a status code.
func statusCode(code int) string {
	if code >= 100 && code < len(statusLines) && statusLines[code].text != "" {
		line := statusLines[code].line
		return line[:len(line)-len(statusLines[code].text)-1]
	}
	return strconv.Itoa(code)
}

func headerValue(hs []Header, name string) string {
	for _, h := range hs {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

// challengeWords is "a Basic challenge", "an ApiKey challenge".
func challengeWords(scheme string) string {
	switch scheme { // the common ones without a new string
	case "Bearer":
		return "a Bearer challenge"
	case "Basic":
		return "a Basic challenge"
	case "Digest":
		return "a Digest challenge"
	}
	if scheme != "" && strings.ContainsRune("AEIOUaeiou", rune(scheme[0])) {
		return "an " + scheme + " challenge"
	}
	return "a " + scheme + " challenge"
}

// unavailable is a status that says the service is down rather than that it
// judged the request: 502, 503, 504.
func unavailable(status int) bool { return status >= 502 && status <= 504 }

// serverError is the availability failure of a 5xx where a refusal was
// due: A1 for login and token endpoints, A2 for a protected resource.
func serverError(k ProbeKind, p *ProbeResult) Assertion {
	id := "A1"
	if slices.Contains(ProbeKinds, k) {
		id = "A2"
	}
	return check(id, false, "a 4xx refusal", gotStatus(p), k)
}
