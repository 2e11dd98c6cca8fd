// Package checks defines what an auth check is, runs one against a target over
// HTTP, and judges every answer against the standards (RFC 9110 §11, RFC 7617,
// RFC 6750). It imports nothing else from this module.
package checks

import (
	"context"
	"crypto/tls"
	"net/http"
	"time"

	"github.com/robfig/cron/v3"
)

// ScheduleParser reads Check.Schedule: standard 5-field cron specs and
// descriptors such as "@every 30s" or "@hourly". Config validation and the
// scheduler use this one parser, so what validates is what runs.
var ScheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a schedule with ScheduleParser.
func ParseSchedule(spec string) (cron.Schedule, error) { return ScheduleParser.Parse(spec) }

// CheckKind says what sort of endpoint a check probes; each kind has its own
// probe matrix.
type CheckKind string

const (
	// KindProtected is a protected resource probed with valid, missing,
	// malformed, wrong, expired and under-scoped credentials.
	KindProtected CheckKind = "protected"
	// KindLogin is a login URL: good canary credentials must get in and
	// yield a token or session cookie, a wrong password must not.
	KindLogin CheckKind = "login"
	// KindToken is an OAuth2 token endpoint (RFC 6749 §5).
	KindToken CheckKind = "token"
	// KindDiscovery is an OpenID/OAuth discovery document and its JWKS.
	KindDiscovery CheckKind = "discovery"
)

// Check is one configured auth check: an endpoint probed with every probe of
// its kind's matrix in a single run.
type Check struct {
	Name     string
	Group    string    // dashboard grouping; may be empty
	Kind     CheckKind // empty means KindProtected
	Schedule string    // cron spec or descriptor, e.g. "@every 30s"
	Timeout  time.Duration
	Method   string
	URL      string
	Headers  map[string]string
	Auth     Credential
	Probes   []ProbeSpec // run in this order
	MaxBody  int64       // bytes read from a response body at most
	// FollowRedirects makes probes follow redirects; by default a redirect
	// is an answer to judge.
	FollowRedirects bool
	// Conn holds the check's own TLS and proxy settings ([check.tls],
	// proxy); the zero value uses the process's client.
	Conn Conn
	// Locations are where a fleet probes the check from ([monitor]
	// location of its instances); empty means every location with a live
	// instance. Quorum is how many fresh locations must see an availability
	// or conformance failure before it counts (0: the default, 2, or all
	// fresh locations when fewer). Security failures need one location.
	Locations []string
	Quorum    int
	// TLSWarnDays are the days before a certificate's notAfter at which an
	// https target is warned about (A4), e.g. 30, 14, 7.
	TLSWarnDays []int
	// JWT holds what issued or configured JWTs must satisfy (B9).
	JWT JWTRules
	// Ignore lists assertion ids this check waives, e.g. "C6.params" or
	// "B6" (which waives B6 and every B6.x). A waived assertion is still
	// judged and shown, with its outcome kept in the Deviation note, but it
	// never fails the run.
	Ignore []string
	// Login, Token, Discovery and Enumeration configure the kinds that need
	// more than a URL; nil when unused.
	Login       *LoginSpec
	Token       *TokenSpec
	Discovery   *DiscoverySpec
	Enumeration *EnumerationSpec
	OIDC        *OIDCSpec
	// Secrets lists every configured value that must never be recorded:
	// credential fields and any value that came from a ${ENV} reference.
	Secrets []string
	// FailedLogins bounds the failed logins this check's negative probes
	// may cause per account, counted with every other check naming the
	// account (see Budget); zero means DefaultLoginLimit.
	FailedLogins LoginLimit
}

// AuthKind names how credentials are presented.
type AuthKind string

const (
	AuthNone   AuthKind = ""
	AuthBasic  AuthKind = "basic"   // RFC 7617
	AuthBearer AuthKind = "bearer"  // RFC 6750, a static token
	AuthDigest AuthKind = "digest"  // RFC 7616: answered after the server's challenge
	AuthAPIKey AuthKind = "api_key" // a key in a header or a query parameter
	AuthCookie AuthKind = "cookie"  // a session cookie
	AuthMTLS   AuthKind = "mtls"    // a TLS client certificate
	// AuthOAuth2 obtains a Bearer token from a token endpoint with the
	// client credentials grant (RFC 6749 §4.4).
	AuthOAuth2 AuthKind = "oauth2"
	// AuthLogin posts credentials to a login URL and presents the token or
	// cookie it answers with.
	AuthLogin AuthKind = "login"
)

// Credential is a set of credentials for the "valid" probe. The negative
// probes derive theirs from it.
type Credential struct {
	Kind     AuthKind
	Set      string // the named credential set it came from; "" when inline
	Username string // basic, digest, login
	Password string // basic, digest, login
	// Algorithm is the Digest algorithm to answer with ("SHA-256"); empty
	// takes the strongest the server offers.
	Algorithm string
	// CanaryUser is the user name a Basic or Digest credential's wrong probe sends
	// instead of Username, so that no real account collects failed logins.
	CanaryUser string
	// FailedLogins is the set's own failed-login limit; a zero field takes
	// the config's default (config resolves Check.FailedLogins from both).
	FailedLogins LoginLimit
	Token        string // bearer
	Header       string // api_key: header name (or Query)
	Query        string // api_key: query parameter name
	Key          string // api_key: value
	Cookie       string // cookie: name
	Value        string // cookie: value
	// Cert is the client certificate (mtls).
	Cert *tls.Certificate
	// SecretExpires is when an oauth2 client secret lapses (expires_at;
	// zero: unknown). ExpiryWarn is how long before it, or before Cert's
	// notAfter, A7 warns (zero: DefaultExpiryWarnDays).
	SecretExpires time.Time
	ExpiryWarn    time.Duration
	// OAuth2 and Login configure the kinds that obtain a credential at run
	// time; Source does the obtaining and caching.
	OAuth2 *OAuth2Spec
	Login  *LoginSpec
	Source Source
}

// Source obtains credentials at run time (a login step, a token endpoint)
// and caches them until they expire. Every check naming the same credential
// set shares one Source, so a token is fetched once for all of them.
type Source interface {
	// Get returns a static credential (bearer, api_key or cookie) to present.
	Get(ctx context.Context, hc *http.Client) (Credential, error)
	// Invalidate drops a cached credential the target refused, so that the
	// next Get logs in again.
	Invalidate(Credential)
}

// OAuth2Spec is a client credentials grant.
type OAuth2Spec struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	Scopes       []string
	// AuthStyle is "basic" (client_secret_basic, the default) or "post"
	// (client_secret_post).
	AuthStyle string
}

// LoginSpec is a login step: credentials posted to URL, a token taken back.
type LoginSpec struct {
	URL    string
	Method string // default POST
	// Format is "json" (default) or "form".
	Format string
	// UsernameField and PasswordField name the fields posted (default
	// "username" and "password").
	UsernameField string
	PasswordField string
	// Extra fields posted with the credentials.
	Extra map[string]string
	// Where the token comes back: a JSON field (dot path, e.g.
	// "data.access_token"), a response header, or a cookie. Exactly one.
	TokenJSON   string
	TokenHeader string
	TokenCookie string
	// Use says how the token is presented afterwards: "bearer" (default for
	// JSON and header tokens), "cookie" (default for cookie tokens) or
	// "header:<Name>".
	Use string
	// TTL bounds how long a token is cached when neither expires_in nor a
	// JWT exp says; default 5 minutes.
	TTL time.Duration
	// SessionURL, when set, is fetched before logging in to obtain a
	// pre-login session cookie (B7: the session id must change at login).
	SessionURL string
	// Status lists the accepted login statuses (default any 2xx; a 302/303
	// when the login redirects).
	Status []int
	// WrongStatus lists the accepted statuses for a wrong password
	// (default 401).
	WrongStatus []int
	// CanaryUser is the user name negative probes use (default Username,
	// then "authmon-canary"): never lock out a real account.
	CanaryUser string
}

// TokenSpec configures an OAuth2 token endpoint check (Check.URL is the
// token endpoint).
type TokenSpec struct {
	ClientID     string
	ClientSecret string
	Scopes       []string
	AuthStyle    string // "basic" (default) or "post"
	// Username and Password, when set, add the password-grant probe with a
	// wrong password (expect 400 invalid_grant, RFC 6749 §5.2).
	Username string
	Password string
	// WrongSecretStatus and WrongPasswordStatus override the expected
	// statuses (defaults per RFC 6749 §5.2).
	WrongSecretStatus   []int
	WrongPasswordStatus []int
	// Life configures the token-life probes (life.go); nil runs none.
	Life *TokenLife
}

// DiscoverySpec configures a discovery check (Check.URL is the discovery
// document, e.g. https://idp.example/.well-known/openid-configuration).
type DiscoverySpec struct {
	Issuer string // the exact issuer the document must name
	// Required lists members that must be present (defaults per RFC 8414
	// §2 or OIDC Discovery §3, from the URL's well-known suffix).
	Required []string
	JWKS     bool // fetch jwks_uri and require at least one key (default true)
}

// EnumerationSpec configures the opt-in user-enumeration probe of a login
// check (B11): an unknown user and a known user with a wrong password must
// be indistinguishable.
type EnumerationSpec struct {
	UnknownUser string
	Samples     int           // interleaved pairs, default 10
	Threshold   time.Duration // difference of medians that fails, default 50ms
	// Every bounds how often the probe runs, whatever the check's schedule
	// (default 1h): it sends many failed logins.
	Every time.Duration
}

// JWTRules are what a JWT issued by or configured for a check must satisfy.
// Tokens are decoded without verification; the token itself is never kept.
type JWTRules struct {
	Issuer      string
	Audience    string
	MaxLifetime time.Duration // exp - iat at most; 0: no limit
	// WarnBefore is how long before a configured static token's exp the
	// check warns (default 7 days).
	WarnBefore time.Duration
	Leeway     time.Duration // clock skew allowed on exp, nbf, iat (default 2m)
}

// ProbeKind is one cell of the probe matrix.
type ProbeKind string

const (
	ProbeValid     ProbeKind = "valid"     // with the configured credentials
	ProbeMissing   ProbeKind = "missing"   // with no credentials at all
	ProbeMalformed ProbeKind = "malformed" // with credentials that do not parse
	ProbeWrong     ProbeKind = "wrong"     // with well-formed but wrong credentials
	ProbeExpired   ProbeKind = "expired"   // with a configured expired token
	ProbeScope     ProbeKind = "scope"     // with a valid token lacking the scope
	ProbeForged    ProbeKind = "forged"    // the valid JWT re-signed with alg "none"

	ProbeLogin         ProbeKind = "login"          // good canary credentials
	ProbeLoginWrong    ProbeKind = "login_wrong"    // canary user, wrong password
	ProbeEnumeration   ProbeKind = "enumeration"    // unknown user vs wrong password
	ProbeToken         ProbeKind = "token"          // client credentials grant
	ProbeTokenSecret   ProbeKind = "token_secret"   // wrong client secret
	ProbeTokenPassword ProbeKind = "token_password" // password grant, wrong password
	ProbeDiscovery     ProbeKind = "discovery"      // the discovery document
	ProbeJWKS          ProbeKind = "jwks"           // its jwks_uri
)

// Phrase describes the probe inside a sentence: "without credentials".
func (k ProbeKind) Phrase() string {
	switch k {
	case ProbeValid:
		return "with valid credentials"
	case ProbeMissing:
		return "without credentials"
	case ProbeMalformed:
		return "with malformed credentials"
	case ProbeWrong:
		return "with wrong credentials"
	case ProbeExpired:
		return "with an expired token"
	case ProbeScope:
		return "with a token lacking the scope"
	case ProbeForged:
		return "with an unsigned (alg none) token"
	case ProbeLogin:
		return "login with good credentials"
	case ProbeLoginWrong:
		return "login with a wrong password"
	case ProbeEnumeration:
		return "unknown user vs wrong password"
	case ProbeToken:
		return "token request"
	case ProbeTokenSecret:
		return "token request with a wrong client secret"
	case ProbeTokenPassword:
		return "password grant with a wrong password"
	case ProbeDiscovery:
		return "discovery document"
	case ProbeJWKS:
		return "JWKS"
	case ProbeRevocation:
		return "revoked token"
	case ProbeIntrospection:
		return "token introspection"
	case ProbeRefresh:
		return "refresh token"
	case ProbeAudience:
		return "token for another audience"
	case ProbeIDToken:
		return "ID token as an access token"
	case ProbeKeys:
		return "signing keys"
	case ProbeAuthorize, ProbeLoginForm, ProbeLoginPost, ProbeConsent, ProbeCallback, ProbeCodeExchange,
		ProbeCodeReuse, ProbePKCEMissing, ProbePKCEPlain, ProbeRedirectForeign, ProbeRedirectPrefix:
		return oidcPhrase[k]
	default:
		return "with the " + string(k) + " probe"
	}
}

// ProbeKinds lists the protected-endpoint matrix columns in the order they
// run.
var ProbeKinds = []ProbeKind{ProbeValid, ProbeMissing, ProbeMalformed, ProbeWrong, ProbeExpired, ProbeScope, ProbeForged}

// KindProbes lists, per check kind, the probes it may run, in order.
var KindProbes = map[CheckKind][]ProbeKind{
	KindProtected: ProbeKinds,
	KindLogin:     {ProbeLogin, ProbeLoginWrong, ProbeEnumeration},
	KindToken: {ProbeToken, ProbeTokenSecret, ProbeTokenPassword,
		ProbeRevocation, ProbeIntrospection, ProbeRefresh, ProbeAudience, ProbeIDToken, ProbeKeys},
	KindDiscovery: {ProbeDiscovery, ProbeJWKS},
	KindOIDCLogin: oidcProbes,
}

// ProbeSpec says what one probe expects.
type ProbeSpec struct {
	Kind ProbeKind
	// Status lists the accepted status codes. Empty means any 2xx for the
	// valid probe and 401 for the others.
	Status []int
	// Scheme and Realm are the challenge the 401 must carry (denied probes).
	// Scheme defaults to the one matching Auth.Kind; Realm empty means any.
	Scheme string
	Realm  string
	// BodyContains, when set, must occur in the body of the valid probe.
	BodyContains string
	// JSON maps dot paths to the values they must hold in the valid
	// probe's JSON body, e.g. "user.name" = "canary".
	JSON map[string]string
	// Location, for an allowed redirect, is the prefix its Location must
	// start with (e.g. "/login").
	Location string
	// Token is the token the expired and scope probes send (a secret).
	Token string
	// Error is the expected Bearer error code; the default follows RFC
	// 6750 §3.1 per probe (none, invalid_token, insufficient_scope).
	Error string
}
