package demo

import (
	"encoding/json"
	"net/http"
)

// login accepts a JSON body {"username","password"}, a form, or Basic
// credentials, and answers with an RFC 6749 §5.1 shaped token response.
func (a *API) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	user, pass, ok := r.BasicAuth()
	if !ok {
		user, pass = loginBody(r)
	}
	good := equal(user, a.creds.Username) && equal(pass, a.creds.Password)
	if !good && !(a.Mode() == ModeWrongAccepted && user != "") {
		if a.Mode() != ModeNoChallenge {
			w.Header().Set("WWW-Authenticate", `Basic realm="demo"`)
		}
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid username or password"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": a.creds.Token, "token_type": "Bearer", "expires_in": 3600,
	})
}

func loginBody(r *http.Request) (user, pass string) {
	if r.Header.Get("Content-Type") == "application/json" {
		var body struct{ Username, Password string }
		if json.NewDecoder(r.Body).Decode(&body) == nil {
			return body.Username, body.Password
		}
		return "", ""
	}
	return r.PostFormValue("username"), r.PostFormValue("password")
}
