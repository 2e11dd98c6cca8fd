package demo

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// tokenTTL is the lifetime of every token and session the API issues.
const tokenTTL = 300 * time.Second

// sessionCookie names the session cookie. The __Host- prefix (RFC 6265bis)
// pins it to this origin; browsers accept it only with Secure, Path=/ and
// no Domain.
const sessionCookie = "__Host-sid"

// login accepts a JSON body {"username","password"}, a form, or Basic
// credentials. Success answers an RFC 6749 §5.1 shaped token response with a
// JWT and sets a new session cookie: a pre-login session id never survives
// login (session fixation, OWASP). Failure is 401 with the same headers and
// body whether the user exists or not, so the answer does not tell which.
func (a *API) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	user, pass, ok := r.BasicAuth()
	if !ok {
		user, pass = loginBody(r)
	}
	v := judge(equal(user, a.creds.Username) && equal(pass, a.creds.Password))
	if user == "" && pass == "" {
		v = noCredentials
	}
	if !a.admitted(v) {
		a.challenge(w, `Basic realm="demo"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid username or password"})
		return
	}
	if old, err := r.Cookie(sessionCookie); err == nil {
		a.sessions.drop(old.Value)
	}
	user = cmp.Or(user, a.creds.Username)
	http.SetCookie(w, a.newSession(r, user))
	a.writeToken(w, r, user, allScopes)
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

// writeToken answers a token response (RFC 6749 §5.1) with a fresh JWT.
// Responses carrying tokens must not be cached: Cache-Control: no-store
// (set by writeJSON) and Pragma: no-cache.
func (a *API) writeToken(w http.ResponseWriter, r *http.Request, sub, scope string) {
	now := a.now()
	tok := a.signer.sign(claims{Iss: issuer(r), Sub: sub, Aud: audience, Scope: scope,
		Iat: now.Unix(), Exp: now.Add(tokenTTL).Unix(), Jti: rand.Text()})
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(tokenTTL.Seconds()), "scope": scope,
	})
}

// preLogin serves GET /session: an anonymous session, as a site sets before
// its login form, so a check can verify the id changes at login.
func (a *API) preLogin(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, a.newSession(r, ""))
	writeJSON(w, http.StatusOK, map[string]string{"session": "anonymous"})
}

// account serves GET /account, protected by the session cookie of a login.
// Without a logged-in session it redirects to the login page, as browser
// sites do: checks allow that 302 instead of the RFC's 401.
func (a *API) account(w http.ResponseWriter, r *http.Request) {
	v := noCredentials
	if c, err := r.Cookie(sessionCookie); err == nil {
		user, ok := a.sessions.user(c.Value, a.now())
		v = judge(ok && user != "")
	}
	if !a.admitted(v) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Location", "/login")
		w.WriteHeader(http.StatusFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"user": a.creds.Username, "data": "account"})
}

// loginPage serves GET /login, the page /account redirects to.
func loginPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`<!doctype html><title>Sample API login</title>
<form method="post" action="/login"><input name="username" placeholder="username">
<input name="password" type="password" placeholder="password"><button>Log in</button></form>
`))
}

// newSession stores a session for user ("" is anonymous) and returns its
// cookie: Secure, HttpOnly, SameSite=Lax, Path=/. Secure over plain http
// works only because the sample API listens on loopback, which browsers
// treat as a secure context; a real site serves its login over https.
func (a *API) newSession(r *http.Request, user string) *http.Cookie {
	id := rand.Text()
	a.sessions.add(id, user, a.now())
	return &http.Cookie{Name: sessionCookie, Value: id, Path: "/", MaxAge: int(tokenTTL.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// maxSessions bounds the session table: the monitor logs in on every
// token expiry, forever.
const maxSessions = 1000

// sessions maps session ids to users until they expire.
type sessions struct {
	mu sync.Mutex
	m  map[string]session
}

type session struct {
	user    string
	expires time.Time
}

func (s *sessions) add(id, user string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]session{}
	}
	for k, v := range s.m {
		if len(s.m) < maxSessions && now.Before(v.expires) {
			continue
		}
		delete(s.m, k) // expired, or the table is full and any one makes room
	}
	s.m[id] = session{user: user, expires: now.Add(tokenTTL)}
}

func (s *sessions) user(id string, now time.Time) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[id]
	return v.user, ok && now.Before(v.expires)
}

func (s *sessions) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}
