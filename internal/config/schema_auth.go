package config

import (
	"fmt"
)

// credentialSection is one credential set: [credentials.NAME] or a check's
// inline [check.auth]. It holds the keys of every type; validation says
// which ones a type uses.
type credentialSection struct {
	Type string `toml:"type"`
	// basic, login
	Username string `toml:"username"`
	Password string `toml:"password"`
	// digest: the algorithm to answer with; empty takes the strongest offered
	Algorithm string `toml:"algorithm"`
	// bearer
	Token string `toml:"token"`
	// api_key: the key goes in a header or a query parameter
	Header string `toml:"header"`
	Query  string `toml:"query"`
	Key    string `toml:"key"`
	// cookie
	Name  string `toml:"name"`
	Value string `toml:"value"`
	// mtls: PEM files, relative to the config file's directory
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// oauth2 (client credentials grant)
	TokenURL     string   `toml:"token_url"`
	ClientID     string   `toml:"client_id"`
	ClientSecret string   `toml:"client_secret"`
	Scopes       []string `toml:"scopes"`
	AuthStyle    string   `toml:"auth_style"`
	// oauth2: when the client secret lapses; mtls, oauth2: how long before
	// that, or the certificate's notAfter, A7 warns (own.go)
	ExpiresAt      expiry `toml:"expires_at"`
	ExpiryWarnDays *int64 `toml:"expiry_warn_days"`
	// login: where to log in and how to present the token afterwards
	URL    string   `toml:"url"`
	Method string   `toml:"method"`
	Use    string   `toml:"use"`
	TTL    duration `toml:"ttl"`
	loginFields
	// basic, login: the account's failed-login budget (budget.go)
	budgetKeys
}

// loginFields describe a login request and its answer. A login credential
// set has them, and so does [check.login] of a login check, whose URL,
// method and credentials come from the check itself.
type loginFields struct {
	Format        string            `toml:"format"`
	UsernameField string            `toml:"username_field"`
	PasswordField string            `toml:"password_field"`
	Extra         map[string]string `toml:"extra"`
	TokenJSON     string            `toml:"token_json"`
	TokenHeader   string            `toml:"token_header"`
	TokenCookie   string            `toml:"token_cookie"`
	SessionURL    string            `toml:"session_url"`
	Status        statusList        `toml:"status"`
	WrongStatus   statusList        `toml:"wrong_status"`
	CanaryUser    string            `toml:"canary_user"`
}

// tokenSection is [check.token] of a token endpoint check.
type tokenSection struct {
	ClientID            string     `toml:"client_id"`
	ClientSecret        string     `toml:"client_secret"`
	Scopes              []string   `toml:"scopes"`
	AuthStyle           string     `toml:"auth_style"`
	Username            string     `toml:"username"`
	Password            string     `toml:"password"`
	WrongSecretStatus   statusList `toml:"wrong_secret_status"`
	WrongPasswordStatus statusList `toml:"wrong_password_status"`
	tokenLifeKeys                  // kind_tokenlife.go
}

// discoverySection is [check.discovery] of a discovery check.
type discoverySection struct {
	Issuer   string   `toml:"issuer"`
	Required []string `toml:"required"`
	JWKS     *bool    `toml:"jwks"` // nil: the default, true
}

// enumerationSection is [check.enumeration], the opt-in user-enumeration
// probe of a login check.
type enumerationSection struct {
	UnknownUser string   `toml:"unknown_user"`
	Samples     int64    `toml:"samples"`
	Threshold   duration `toml:"threshold"`
	Every       duration `toml:"every"`
}

// jwtSection is [check.jwt]: what issued or configured JWTs must satisfy.
type jwtSection struct {
	Issuer      string   `toml:"issuer"`
	Audience    string   `toml:"audience"`
	MaxLifetime duration `toml:"max_lifetime"`
	WarnBefore  duration `toml:"warn_before"`
	Leeway      duration `toml:"leeway"`
}

// jsonPaths reads a table of JSON paths and the text each must hold. A key
// may be quoted ("user.name" = "canary") or dotted (user.name = "canary"):
// TOML turns the dotted form into nested tables, which are flattened back.
type jsonPaths map[string]string

func (j *jsonPaths) setTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("expected a table of JSON paths and values, e.g. { \"user.name\" = \"canary\" }, got %s", kindOf(v))
	}
	out := jsonPaths{}
	if err := flattenPaths("", m, out); err != nil {
		return err
	}
	*j = out
	return nil
}

func flattenPaths(prefix string, m map[string]any, out jsonPaths) error {
	for _, k := range sortedKeys(m) {
		path := join(prefix, k)
		switch x := m[k].(type) {
		case string:
			out[path] = x
		case map[string]any:
			if err := flattenPaths(path, x, out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: expected a string, got %s (values are compared as text: write \"42\" or \"true\")", path, kindOf(x))
		}
	}
	return nil
}
