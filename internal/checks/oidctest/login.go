package oidctest

import (
	"context"
	"crypto/subtle"
	"html/template"
	"net/http"
)

// login is the OP's login UI: a form with a CSRF token bound to a
// cookie; a good password finishes the auth request and returns to the
// OP's callback, which redirects to the client with the code.
type login struct {
	store    *storage
	callback func(context.Context, string) string
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html><head><title>Login</title></head><body>
<form method="POST" action="/login">
<input type="hidden" name="` + CSRFField + `" value="{{.CSRF}}">
<input type="hidden" name="id" value="{{.ID}}">
<div><label for="username">Username:</label><input id="username" name="` + UserField + `" type="text"></div>
<div><label for="password">Password:</label><input id="password" name="` + PasswordField + `" type="password"></div>
<p>{{.Error}}</p>
<button type="submit">Login</button>
</form></body></html>`))

func (l *login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		l.page(w, r.URL.Query().Get("authRequestID"), "", http.StatusOK)
	case http.MethodPost:
		l.submit(w, r)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (l *login) page(w http.ResponseWriter, id, msg string, status int) {
	tok := randomID()
	http.SetCookie(w, &http.Cookie{Name: csrfCookieName, Value: tok, Path: "/login", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = loginPage.Execute(w, map[string]string{"CSRF": tok, "ID": id, "Error": msg})
}

// submit checks the CSRF token and the password; a wrong one shows the
// page again, as IdPs do.
func (l *login) submit(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(csrfCookieName)
	tok := r.PostFormValue(CSRFField)
	if err != nil || tok == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(tok)) != 1 {
		http.Error(w, "CSRF token invalid", http.StatusForbidden)
		return
	}
	id := r.PostFormValue("id")
	if r.PostFormValue(UserField) != User || r.PostFormValue(PasswordField) != Password {
		l.page(w, id, "wrong username or password", http.StatusOK)
		return
	}
	if err := l.store.login(id, User); err != nil {
		http.Error(w, "unknown auth request", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
}
