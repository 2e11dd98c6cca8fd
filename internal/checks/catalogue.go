package checks

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Entry is one assertion of the catalogue: its id, the standard it comes
// from, its severity when it fails, and one line a person who does not
// read RFCs can follow. A sub-id ("C6.params") with no Ref or Explain of
// its own takes its parent's.
type Entry struct {
	ID       string
	Ref      string
	Severity Severity
	Explain  string
}

// daysID is the sub-id of A4 for each of tls_warn_days ("A4.30").
const daysID = "A4.N"

// catalogue is the one list of assertion ids: the judges take severity and
// reference from it, config validation of ignore accepts only its ids, and
// the dashboard explains assertions with it. The README's assertion table
// must agree with it (TestCatalogueMatchesREADME); the sub-ids are in
// catalogue_sub.go.
var catalogue = slices.Concat(topLevel, subIDs)

var topLevel = []Entry{
	{"A0", "—", SevAvail, "The endpoint answered at all: no timeout, refused or reset connection, TLS failure or oversized body."},
	{"A1", "RFC 6749 §5.1", SevAvail, "Logging in (or getting a token) with the good test account works, so real users can too."},
	{"A2", "—", SevAvail, "A request with valid credentials gets the expected answer: the service works for its users."},
	{"A3", "—", SevAvail, "Logging in or getting a token is fast enough; slow logins feel like outages."},
	{"A4", "RFC 5280 §4.1.2.5; RFC 9110 §17.16.1", SevAvail, "The HTTPS certificate is valid for this host and not about to expire."},
	{"A5", "RFC 8414 §2, §3.3; OIDC Discovery §3, §4.3", SevAvail, "The discovery document that tells clients where to log in is reachable and names the right issuer."},
	{"A6", "OIDC Discovery §3; RFC 7517 §4.1", SevAvail, "The public keys clients use to verify tokens are published."},
	{"A7", "RFC 5280 §4.1.2.5; RFC 6749 §2.3.1", SevWarn, "The monitor's own client certificate and client secret are not about to expire, so the check does not go red the day they lapse."},
	{"A8", "OIDC Core §3.1.2, §3.1.3", SevAvail, "A user can sign in through the identity provider's login page and the application gets its tokens."},

	{"B1", "RFC 9110 §11.4", SevCritical, "Without credentials the endpoint must refuse: a success here means anyone can get in."},
	{"B2", "RFC 9110 §11.4; RFC 6750 §3.1; RFC 6749 §5.2; RFC 8725 §3.1", SevCritical, "Wrong, expired or forged credentials must be refused: accepting them means anyone can get in."},
	{"B3", "RFC 9110 §11.4; RFC 6750 §3.1", SevHighSec, "A bad token must be refused, not silently treated as an anonymous visitor."},
	{"B4", "RFC 9110 §17.16.1", SevHighSec, "Passwords and tokens are only accepted over HTTPS, where nobody on the way can read them."},
	{"B5", "RFC 6749 §5.1", SevHighSec, "Answers that carry tokens tell browsers and proxies not to store them (Cache-Control: no-store)."},
	{"B6", "RFC 6265 §4.1.2.5, §4.1.2.6; RFC 6265bis; OWASP Session Management", SevHighSec, "The session cookie is protected: sent over HTTPS only, hidden from scripts, not sent by other sites."},
	{"B7", "OWASP Session Management", SevHighSec, "Logging in issues a new session id, so an id planted before login is worthless."},
	{"B8", "OWASP Session Management", SevHighSec, "After logout the old session or refresh token no longer works."},
	{"B9", "RFC 7519 §4.1; RFC 8725 §3.1", SevHighSec, "Issued tokens are sane: signed, with the right issuer and audience, and an expiry that is not too far away."},
	{"B10", "RFC 6749 §5.1", SevWarn, "The token's stated lifetime (expires_in) matches the expiry inside the token."},
	{"B11", "OWASP Authentication; WSTG-IDNT-04; CWE-204", SevHighSec, "An unknown user and a wrong password look the same, so attackers cannot learn which accounts exist."},
	{"B12", "OWASP Authentication", SevHighSec, "A locked or disabled account looks like a wrong password, so attackers learn nothing."},
	{"B13", "RFC 6585 §4; OWASP Authentication", SevHighSec, "Repeated failed logins get slowed down (429 with Retry-After), which stops password guessing."},
	{"B14", "OWASP Authentication; CWE-204", SevHighSec, "Error messages reveal no internals such as stack traces, SQL or whether a user exists."},
	{"B15", "RFC 9449 §7.2", SevCritical, "A token bound to a key (DPoP) cannot be used as a plain Bearer token by someone who stole it."},
	{"B16", "RFC 9110 §17.16.3", SevWarn, "Credentials for this service are not accepted by unrelated services on the same host."},
	{"B17", "RFC 7009 §2, §2.1; RFC 7662 §2.2", SevHighSec, "A revoked token stops working: introspection calls it inactive and the API refuses it, in time."},
	{"B18", "RFC 7662 §2.1, §4", SevHighSec, "Only authenticated clients may ask the introspection endpoint about tokens."},
	{"B19", "RFC 6749 §6; RFC 9700 §4.14.2", SevHighSec, "A refresh token is rotated on use, and a stolen old one replayed is refused."},
	{"B20", "RFC 7636 §4.4.1; RFC 9700 §2.1.1", SevHighSec, "The identity provider insists on PKCE, so a stolen authorization code is useless to whoever stole it."},
	{"B21", "RFC 6749 §3.1.2, §4.1.2.1; RFC 9700 §2.1, §4.1", SevCritical, "The identity provider sends codes only to the exact registered address, never to one an attacker chose."},
	{"B22", "RFC 6749 §4.1.2, §10.5; OIDC Core §3.1.3.2", SevHighSec, "An authorization code works once: a second use is refused."},

	{"C1", "RFC 9110 §15.5.2, §11.6.1, §11.5", SevConf, "Without credentials the answer is 401 with a WWW-Authenticate header telling clients how to log in."},
	{"C2", "RFC 9110 §11.2, §11.3, §11.6.1", SevConf, "The WWW-Authenticate header is well-formed, so every client library can read it."},
	{"C3", "RFC 9110 §11.5", SevConf, "The login challenge (scheme, realm, parameters) is the same as before; a change can break clients."},
	{"C4", "RFC 7617 §2, §2.1; RFC 9110 §11.5", SevConf, "A Basic challenge names its realm (and, if it names a charset, it is UTF-8)."},
	{"C5", "RFC 9110 §11.4", SevConf, "Wrong credentials get 401 with a challenge, just like missing ones, so clients can ask again."},
	{"C6", "RFC 6750 §3, §3.1", SevConf, "Without a token, the Bearer challenge carries no error: nothing was wrong, a token is simply needed."},
	{"C7", "RFC 6750 §3.1", SevConf, "A bad or expired token gets error=\"invalid_token\", so clients know to get a new one."},
	{"C8", "RFC 6750 §3, §3.1", SevConf, "A valid token without the needed permission gets 403 with error=\"insufficient_scope\"."},
	{"C9", "RFC 6750 §3.1", SevConf, "A malformed request (such as a token sent twice) gets 400 invalid_request."},
	{"C10", "RFC 6750 §3; RFC 9449 §7.1", SevWarn, "Challenge attributes follow the rules: each at most once, error codes from the registered list."},
	{"C11", "RFC 6749 §5.2; RFC 9700 §2.4", SevConf, "The token endpoint answers a wrong user password with 400 invalid_grant."},
	{"C12", "RFC 6749 §5.2", SevConf, "A wrong client secret sent with Basic gets 401 invalid_client and a Basic challenge."},
	{"C13", "RFC 6749 §5.2", SevConf, "A wrong client secret in the request body gets 400 or 401 invalid_client."},
	{"C14", "RFC 6749 §5.2", SevConf, "Token errors are JSON with a registered error code that clients understand."},
	{"C15", "RFC 6749 §5.1; RFC 9449 §5", SevConf, "A token answer is JSON with access_token, token_type and expires_in."},
	{"C16", "RFC 9449 §5.1, §7.1, §8, §9", SevConf, "DPoP challenges and nonces follow the protocol, so DPoP clients can retry correctly."},
	{"C17", "RFC 9728 §3.3, §5.1", SevConf, "The resource metadata a challenge points to is reachable and names this resource."},
	{"C18", "RFC 6585 §4; RFC 9110 §10.2.3", SevWarn, "A \"too many requests\" (429) answer says when to retry, in a Retry-After header that parses."},
	{"C19", "RFC 9449 §7.1, §8", SevWarn, "Browsers are allowed to read WWW-Authenticate and DPoP-Nonce on cross-origin answers."},
	{"C20", "RFC 9110 §15.5.8, §11.7.1", SevConf, "A proxy that wants credentials (407) says how, in a Proxy-Authenticate header."},
	{"C21", "RFC 9110 §11.1", SevWarn, "The scheme name is accepted in any letter case (bearer works like Bearer)."},
	{"C22", "RFC 7009 §2.2", SevConf, "The revocation endpoint answers 200 when a client revokes its token."},
	{"C23", "RFC 7662 §2.2", SevConf, "Introspection of an unknown, revoked or expired token answers 200 with active false, not an error."},
	{"C24", "RFC 6749 §4.1.2; OIDC Core §3.1.2.5, §3.1.3.7", SevConf, "The identity provider hands back the state the application sent, so the application can tell its own logins from forged ones."},
	{"C25", "RFC 7616 §3.3", SevConf, "A Digest challenge names its realm and gives a nonce, so clients can compute their answer."},

	{"D1", "—", SevConf, "The answer to this probe looks as it did before (status, challenge, body shape, cookies, caching)."},
	{"D2", "—", SevConf, "The status for missing or wrong credentials has not flipped between 400, 401 and 403."},
	{"D3", "—", SevConf, "The realm or the issuer has not changed."},
}

// byID indexes the catalogue, sub-ids filled in from their parents.
var byID = func() map[string]Entry {
	m := make(map[string]Entry, len(catalogue))
	for _, e := range catalogue {
		if p, ok := m[parentID(e.ID)]; ok && e.ID != p.ID {
			e.Ref, e.Explain = cmp.Or(e.Ref, p.Ref), cmp.Or(e.Explain, p.Explain)
		}
		m[e.ID] = e
	}
	return m
}()

// parentID is "C6" for "C6.params" and the id itself for a top-level one.
func parentID(id string) string {
	top, _, _ := strings.Cut(id, ".")
	return top
}

// Lookup returns the catalogue entry of an assertion id: a top-level id,
// or one of its sub-ids ("A4.30" is the entry A4.N for any of 1–365 days).
func Lookup(id string) (Entry, bool) {
	if e, ok := byID[id]; ok {
		return e, true
	}
	if days, ok := strings.CutPrefix(id, "A4."); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 1 && n <= 365 && strconv.Itoa(n) == days {
			return byID[daysID], true
		}
	}
	return Entry{}, false
}

// Catalogue returns every entry, top-level ids first in catalogue order,
// sub-ids after with their parents' Ref and Explain filled in.
func Catalogue() []Entry {
	out := make([]Entry, len(catalogue))
	for i, e := range catalogue {
		out[i] = byID[e.ID]
	}
	return out
}

// entryOf is the entry a judge builds an assertion from. An id missing
// from the catalogue is a bug TestJudgesUseCatalogueIDs catches; at run
// time it is judged as conformance rather than dropped.
func entryOf(id string) Entry {
	if e, ok := Lookup(id); ok {
		return e
	}
	return Entry{ID: id, Ref: "—", Severity: SevConf}
}

// assertion starts an assertion with its catalogue reference and severity.
func assertion(id string) Assertion {
	e := entryOf(id)
	return Assertion{ID: id, Ref: e.Ref, Severity: e.Severity}
}

// Suggest returns the catalogue id closest to an unknown one ("C12.challenge"
// for "C12.challeng", "B6" for "b6"), or "" when none is close enough to
// be what was meant.
func Suggest(id string) string {
	if len(id) > 40 { // no id is this long; and the distance is quadratic
		return ""
	}
	up := strings.ToUpper(id)
	best, bestDist, bestPrefix := "", 3, 0 // at most two edits away
	for _, e := range catalogue {
		cand := strings.ToUpper(e.ID)
		if e.ID == daysID || up == "" || up[0] != cand[0] { // the letter is the group: seldom the typo
			continue
		}
		d, pre := EditDistance(up, cand), commonPrefix(up, cand)
		if d < bestDist || d == bestDist && pre > bestPrefix {
			best, bestDist, bestPrefix = e.ID, d, pre
		}
	}
	return best
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// EditDistance is the Levenshtein distance between two short strings, in
// bytes. Config's did-you-mean for keys and names uses it too.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
