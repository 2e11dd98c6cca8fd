package demo

import (
	"cmp"
	"errors"
	"net/http"
)

// ordersScope is the scope GET /jwt/orders requires.
const ordersScope = "orders:read"

// jwtOrders serves GET /jwt/orders, a resource protected the RFC 6750 way
// with the sample API's JWTs: no token gets a bare challenge (§3.1: no
// error code), a bad, unsigned or expired one 401 error="invalid_token",
// a valid one without the orders:read scope 403 error="insufficient_scope".
func (a *API) jwtOrders(w http.ResponseWriter, r *http.Request) {
	tok, present := bearerToken(r)
	if !present {
		if a.admitted(noCredentials) {
			writeJSON(w, http.StatusOK, map[string]string{"user": a.creds.Username, "data": "protected orders"})
			return
		}
		a.challenge(w, `Bearer realm="demo"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		return
	}
	c, err := a.signer.verify(tok, issuer(r), a.now())
	if err == nil && !c.hasScope(ordersScope) {
		err = errScope
	}
	if a.admitted(judge(err == nil)) {
		writeJSON(w, http.StatusOK, map[string]string{"user": cmp.Or(c.Sub, a.creds.Username), "data": "protected orders"})
		return
	}
	if errors.Is(err, errScope) {
		a.challenge(w, `Bearer realm="demo", error="insufficient_scope", error_description="The token lacks the scope orders:read", scope="`+ordersScope+`"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope"})
		return
	}
	a.challenge(w, `Bearer realm="demo", error="invalid_token", error_description="`+err.Error()+`"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
}

var errScope = errors.New("insufficient scope")
