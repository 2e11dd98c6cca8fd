package fositetest

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/ory/fosite"
)

// The authorization code flow as an identity provider serves it to a
// browser: fosite's authorize endpoint behind an HTML login form and a
// consent page, both protected by a CSRF token bound to a cookie, and a
// session cookie that remembers the login and the consent.

// Form field names of the login page: not "username" and "password", so
// that a client must read them from the form.
const (
	UserField     = "identifier"
	PasswordField = "passwd"
	CSRFField     = "csrf_token"
	sessionCookie = "idp_session"
	csrfCookie    = "idp_csrf"
)

// logins are the IdP's sessions: id -> the user, and whether they
// consented.
type logins struct {
	mu   sync.Mutex
	byID map[string]*idpSession
}

type idpSession struct {
	user      string
	consented bool
}

func newLogins() *logins { return &logins{byID: map[string]*idpSession{}} }

func (l *logins) get(r *http.Request) (*idpSession, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.byID[c.Value]
	return s, ok
}

func (l *logins) start(w http.ResponseWriter, user string) {
	id := hex.EncodeToString(randomBytes(16))
	l.mu.Lock()
	l.byID[id] = &idpSession{user: user}
	l.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (s *Server) routeAuthorize(mux *http.ServeMux) {
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("GET /consent", s.consentPage)
	mux.HandleFunc("POST /consent", s.consentPost)
}

// AuthorizeURL and CallbackURL of the code flow.
func (s *Server) AuthorizeURL() string { return s.URL + "/authorize" }
func (s *Server) CallbackURL() string  { return s.URL + CallbackPath }

type redirectKey struct{}

// authorize is fosite's authorize endpoint: a request without a login
// goes to the login page, one without consent to the consent page, and
// the faults bend it.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	f := s.faultsNow()
	ctx := r.Context()
	if f.RedirectPrefixMatch {
		ctx = context.WithValue(ctx, redirectKey{}, r.URL.Query().Get("redirect_uri"))
	}
	if f.NonceDropped {
		q := r.URL.Query()
		q.Del("nonce")
		r.URL.RawQuery = q.Encode()
	}
	p := s.provider(true)
	ar, err := p.NewAuthorizeRequest(ctx, r)
	if err != nil {
		p.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	back := url.QueryEscape(r.URL.RequestURI())
	sess, ok := s.login.get(r)
	switch {
	case !ok:
		http.Redirect(w, r, "/login?back="+back, http.StatusFound)
		return
	case !sess.consented:
		http.Redirect(w, r, "/consent?back="+back, http.StatusFound)
		return
	}
	for _, sc := range ar.GetRequestedScopes() {
		ar.GrantScope(sc)
	}
	os := newSession(s.URL)
	os.setSubject(sess.user, ar.GetClient().GetID())
	resp, err := p.NewAuthorizeResponse(ctx, ar, os)
	if err != nil {
		p.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	if !f.StateDropped {
		p.WriteAuthorizeResponse(ctx, w, ar, resp)
		return
	}
	rec := httptest.NewRecorder()
	p.WriteAuthorizeResponse(ctx, rec, ar, resp)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	if loc, err := url.Parse(rec.Header().Get("Location")); err == nil {
		q := loc.Query()
		q.Del("state")
		loc.RawQuery = q.Encode()
		w.Header().Set("Location", loc.String())
	}
	w.WriteHeader(rec.Code)
}

var pages = template.Must(template.New("login").Parse(`<!doctype html>
<html><head><title>Sign in</title></head><body>
<form id="search" action="/search" method="get"><input type="text" name="q"></form>
<form id="signin" action="/login" method="post">
<input type="hidden" name="` + CSRFField + `" value="{{.CSRF}}">
<input type="hidden" name="back" value="{{.Back}}">
<label>E-mail <input type="email" name="` + UserField + `" autocomplete="username"></label>
<label>Password <input type="password" name="` + PasswordField + `"></label>
<button type="submit">Sign in</button>
</form></body></html>
{{define "consent"}}<!doctype html>
<html><head><title>Allow access</title></head><body>
<p>authmon wants to know who you are.</p>
<form action="/consent" method="post">
<input type="hidden" name="` + CSRFField + `" value="{{.CSRF}}">
<input type="hidden" name="back" value="{{.Back}}">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</form></body></html>{{end}}`))

// page renders the login or consent page with a fresh CSRF token bound to
// a cookie (double submit).
func page(w http.ResponseWriter, r *http.Request, name string) {
	tok := hex.EncodeToString(randomBytes(16))
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = pages.ExecuteTemplate(w, name, map[string]string{"CSRF": tok, "Back": r.URL.Query().Get("back")})
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request)   { page(w, r, "login") }
func (s *Server) consentPage(w http.ResponseWriter, r *http.Request) { page(w, r, "consent") }

// csrfOK checks the form's CSRF token against its cookie.
func csrfOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	v := r.PostFormValue(CSRFField)
	return err == nil && v != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(v)) == 1
}

// backTo is the authorize URL to return to: only a path of this server.
func backTo(r *http.Request) string {
	b := r.PostFormValue("back")
	if !strings.HasPrefix(b, "/authorize?") {
		return "/"
	}
	return b
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	if !csrfOK(r) {
		http.Error(w, "CSRF token missing or wrong", http.StatusForbidden)
		return
	}
	user := r.PostFormValue(UserField)
	if _, err := s.store.Authenticate(r.Context(), user, r.PostFormValue(PasswordField)); err != nil {
		http.Error(w, "wrong user name or password", http.StatusUnauthorized)
		return
	}
	s.login.start(w, user)
	http.Redirect(w, r, backTo(r), http.StatusSeeOther)
}

func (s *Server) consentPost(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.login.get(r)
	if !ok || !csrfOK(r) {
		http.Error(w, "not signed in, or CSRF token missing or wrong", http.StatusForbidden)
		return
	}
	if r.PostFormValue("decision") != "allow" {
		http.Error(w, "access denied", http.StatusForbidden)
		return
	}
	s.login.mu.Lock()
	sess.consented = true
	s.login.mu.Unlock()
	http.Redirect(w, r, backTo(r), http.StatusSeeOther)
}

// GetClient is the stored client; with RedirectPrefixMatch it also takes
// the requested redirect_uri when a registered one is its prefix.
func (st faultStore) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := st.MemoryStore.GetClient(ctx, id)
	want, _ := ctx.Value(redirectKey{}).(string)
	dc, ok := c.(*fosite.DefaultClient)
	if err != nil || want == "" || !ok {
		return c, err
	}
	for _, u := range dc.RedirectURIs {
		if strings.HasPrefix(want, u) {
			cp := *dc
			cp.RedirectURIs = append([]string{want}, dc.RedirectURIs...)
			return &cp, nil
		}
	}
	return c, err
}

// InvalidateAuthorizeCodeSession, DeletePKCERequestSession and
// DeleteOpenIDConnectSession do nothing with CodeReuse: a used code works
// again.
func (st faultStore) InvalidateAuthorizeCodeSession(ctx context.Context, code string) error {
	if st.s.faultsNow().CodeReuse {
		return nil
	}
	return st.MemoryStore.InvalidateAuthorizeCodeSession(ctx, code)
}

func (st faultStore) DeletePKCERequestSession(ctx context.Context, sig string) error {
	if st.s.faultsNow().CodeReuse {
		return nil
	}
	return st.MemoryStore.DeletePKCERequestSession(ctx, sig)
}

func (st faultStore) DeleteOpenIDConnectSession(ctx context.Context, code string) error {
	if st.s.faultsNow().CodeReuse {
		return nil
	}
	return st.MemoryStore.DeleteOpenIDConnectSession(ctx, code)
}
