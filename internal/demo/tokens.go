package demo

import (
	"net/http"
	"time"
)

// StaticTokens are tokens a check configures for its expired and scope
// probes. They are fixed JWTs: the same [demo] credentials and issuer
// always give the same values (see New), so a config file can hold them.
type StaticTokens struct {
	// Expired was valid for five minutes on 2026-01-01: 401 invalid_token.
	Expired string `json:"expired_token"`
	// Scope is valid until 2100 but has only profile:read, not the
	// orders:read that GET /jwt/orders requires: 403 insufficient_scope.
	Scope string `json:"scope_token"`
}

var staticIssued = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// StaticTokens returns the static tokens for an issuer, the API's base URL
// as the checks reach it, e.g. "http://127.0.0.1:8081".
func (a *API) StaticTokens(issuer string) StaticTokens {
	base := claims{Iss: issuer, Sub: a.creds.Username, Aud: audience, Iat: staticIssued.Unix()}
	expired, scope := base, base
	expired.Scope, expired.Exp, expired.Jti = ordersScope, staticIssued.Add(tokenTTL).Unix(), "demo-expired"
	scope.Scope, scope.Exp, scope.Jti = "profile:read", time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), "demo-scope"
	return StaticTokens{Expired: a.signer.sign(expired), Scope: a.signer.sign(scope)}
}

// staticTokens serves GET /demo/tokens: the values to paste into a config
// file's [check.expired] and [check.scope] token keys.
func (a *API) staticTokens(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.StaticTokens(issuer(r)))
}
