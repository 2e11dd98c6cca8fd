package web

import "strings"

// explanation is what the check page says about an assertion id: the
// standard it comes from and one line a person who does not read RFCs can
// follow.
type explanation struct {
	Ref  string
	Text string
}

// catalogue has every id of the assertion catalogue (AUTH-CHECKS.md §5) and
// A0. Sub-ids such as "C1.challenge", "A4.30" or "B9.expiry" are explained
// by their catalogue id (see explain).
var catalogue = map[string]explanation{
	"A0": {"—", "The endpoint answered at all: no timeout, refused or reset connection, TLS failure or oversized body."},
	"A1": {"RFC 6749 §5.1", "Logging in with the good test account works, so real users can log in too."},
	"A2": {"—", "A request with valid credentials gets the expected answer: the service works for its users."},
	"A3": {"—", "Logging in or getting a token is fast enough; slow logins feel like outages."},
	"A4": {"RFC 5280 §4.1.2.5; RFC 9110 §17.16.1", "The HTTPS certificate is valid for this host and not about to expire."},
	"A5": {"RFC 8414 §2, §3; OIDC Discovery §3, §4.3", "The discovery document that tells clients where to log in is reachable and names the right issuer."},
	"A6": {"OIDC Discovery §3", "The public keys clients use to verify tokens are published and include the current key."},

	"B1":  {"RFC 9110 §11.4, §15.5.2", "Without credentials the endpoint must refuse: a success here means anyone can get in."},
	"B2":  {"RFC 6750 §3.1; RFC 7519 §4.1.4; RFC 8725 §3.1", "Wrong, expired or forged credentials must be refused: accepting them means anyone can get in."},
	"B3":  {"RFC 9110 §11.4; RFC 6750 §3.1", "A bad token must be refused, not silently treated as an anonymous visitor."},
	"B4":  {"RFC 9110 §17.16.1", "Passwords and tokens are only accepted over HTTPS, where nobody on the way can read them."},
	"B5":  {"RFC 6749 §5.1, §5.2", "Answers that carry tokens tell browsers and proxies not to store them (Cache-Control: no-store)."},
	"B6":  {"RFC 6265 §4.1.2.5, §4.1.2.6", "The session cookie is protected: sent over HTTPS only, hidden from scripts, not sent by other sites."},
	"B7":  {"OWASP Session Management", "Logging in issues a new session id, so an id planted before login is worthless."},
	"B8":  {"OWASP Session Management", "After logout the old session or refresh token no longer works."},
	"B9":  {"RFC 7519 §4.1.4, §4.1.5; RFC 8725 §3.1", "Issued tokens are sane: signed, with the right issuer and audience, and an expiry that is not too far away."},
	"B10": {"RFC 6749 §5.1", "The token's stated lifetime (expires_in) matches the expiry inside the token."},
	"B11": {"OWASP Authentication; CWE-204", "An unknown user and a wrong password look the same, so attackers cannot learn which accounts exist."},
	"B12": {"OWASP Authentication", "A locked or disabled account looks like a wrong password, so attackers learn nothing."},
	"B13": {"RFC 6585 §4; RFC 9110 §10.2.3", "Repeated failed logins get slowed down (429 with Retry-After), which stops password guessing."},
	"B14": {"OWASP Error Handling", "Error messages reveal no internals such as stack traces, SQL or whether a user exists."},
	"B15": {"RFC 9449 §7.2", "A token bound to a key (DPoP) cannot be used as a plain Bearer token by someone who stole it."},
	"B16": {"RFC 9110 §17.16.3", "Credentials for this service are not accepted by unrelated services on the same host."},

	"C1":  {"RFC 9110 §15.5.2, §11.6.1", "Without credentials the answer is 401 with a WWW-Authenticate header telling clients how to log in."},
	"C2":  {"RFC 9110 §11.2, §11.6.1", "The WWW-Authenticate header is well-formed, so every client library can read it."},
	"C3":  {"RFC 9110 §11.5", "The login challenge (scheme, realm, parameters) is the same as before; a change can break clients."},
	"C4":  {"RFC 7617 §2, §2.1", "A Basic challenge names its realm (and, if it names a charset, it is UTF-8)."},
	"C5":  {"RFC 9110 §11.4", "Wrong credentials get 401 with a challenge, just like missing ones, so clients can ask again."},
	"C6":  {"RFC 6750 §3, §3.1", "Without a token, the Bearer challenge carries no error: nothing was wrong, a token is simply needed."},
	"C7":  {"RFC 6750 §3.1", "A bad or expired token gets error=\"invalid_token\", so clients know to get a new one."},
	"C8":  {"RFC 6750 §3.1", "A valid token without the needed permission gets 403 with error=\"insufficient_scope\"."},
	"C9":  {"RFC 6750 §3.1", "A malformed request (such as a token sent twice) gets 400 invalid_request."},
	"C10": {"RFC 6750 §3; RFC 9449 §7.1", "Challenge attributes follow the rules: each at most once, error codes from the registered list."},
	"C11": {"RFC 6749 §5.2", "The token endpoint answers a wrong user password with 400 invalid_grant."},
	"C12": {"RFC 6749 §5.2", "A wrong client secret sent with Basic gets 401 invalid_client and a Basic challenge."},
	"C13": {"RFC 6749 §5.2", "A wrong client secret in the request body gets 400 or 401 invalid_client."},
	"C14": {"RFC 6749 §5.2", "Token errors are JSON with a registered error code that clients understand."},
	"C15": {"RFC 6749 §5.1; RFC 9449 §5", "A token answer is JSON with access_token, token_type and expires_in."},
	"C16": {"RFC 9449 §5.1, §7.1, §8, §9", "DPoP challenges and nonces follow the protocol, so DPoP clients can retry correctly."},
	"C17": {"RFC 9728 §3.3, §5.1", "The resource metadata a challenge points to is reachable and names this resource."},
	"C18": {"RFC 6585 §4; RFC 9110 §10.2.3", "A \"too many requests\" (429) answer says when to retry, in a Retry-After header that parses."},
	"C19": {"RFC 9449 §7.1, §8", "Browsers are allowed to read WWW-Authenticate and DPoP-Nonce on cross-origin answers."},
	"C20": {"RFC 9110 §15.5.8, §11.7.1", "A proxy that wants credentials (407) says how, in a Proxy-Authenticate header."},
	"C21": {"RFC 9110 §11.1", "The scheme name is accepted in any letter case (bearer works like Bearer)."},

	"D1": {"—", "The answer to this probe looks as it did before (status, challenge, body shape, cookies, caching)."},
	"D2": {"—", "The status for missing or wrong credentials has not flipped between 400, 401 and 403."},
	"D3": {"—", "The realm or the issuer has not changed."},
}

// explain returns the explanation of an assertion id. A sub-id is explained
// by its longest known prefix at a dot ("C1.challenge" by "C1", "A4.30" by
// "A4"); an unknown id gets none.
func explain(id string) (explanation, bool) {
	for {
		if e, ok := catalogue[id]; ok {
			return e, true
		}
		i := strings.LastIndexByte(id, '.')
		if i < 0 {
			return explanation{}, false
		}
		id = id[:i]
	}
}

// explainText is the one-line explanation of an id, or "" when unknown.
func explainText(id string) string {
	e, _ := explain(id)
	return e.Text
}

// assertionRef is the reference to show: the one the judge recorded, else
// the catalogue's.
func assertionRef(id, recorded string) string {
	if recorded != "" {
		return recorded
	}
	if e, ok := explain(id); ok {
		return e.Ref
	}
	return "—"
}
