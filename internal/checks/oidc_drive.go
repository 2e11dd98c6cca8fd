package checks

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// maxLegs bounds the requests of one authorize walk: redirects, the login
// form, consent.
const maxLegs = 12

// drive walks from an authorize URL as a browser would: it follows
// redirects, fills and submits the login form, gives consent, carrying
// cookies, until a redirect to stop (scheme, host and path), which it
// returns without fetching. last is the index of the last recorded probe
// (-1 when none was sent); stuck, when set, is the page the walk could
// not get past: a login page again, or a consent page it may not pass.
func (r *oidcRun) drive(k ProbeKind, start, stop string) (cb *url.URL, last int, stuck ProbeKind) {
	next := outgoing{method: http.MethodGet, url: start}
	last = -1
	loggedIn, consented := false, false
	leg := k
	for range maxLegs {
		p, x := r.send(leg, next)
		leg = k
		r.out = append(r.out, p)
		last = len(r.out) - 1
		if x.err != nil {
			return nil, last, ""
		}
		base, _ := url.Parse(next.url)
		if loc := x.header.Get("Location"); x.status >= 300 && x.status < 400 && loc != "" {
			u, err := base.Parse(loc)
			if err != nil {
				return nil, last, ""
			}
			if sameEndpoint(u, stop) || sameEndpoint(u, r.spec.RedirectURI) {
				if sameEndpoint(u, stop) {
					return u, last, ""
				}
				return nil, last, "" // an error sent to the registered client: not the probed one
			}
			next = outgoing{method: http.MethodGet, url: u.String()}
			continue
		}
		f, ok := r.pickForm(x.body, base)
		switch {
		case !ok || x.status != http.StatusOK:
			return nil, last, ""
		case f.password != "" && !loggedIn:
			r.out[last].Kind, loggedIn = ProbeLoginForm, true
			next, leg = r.submit(f, true), ProbeLoginPost
		case f.password == "" && !consented && r.spec.Consent:
			r.out[last].Kind, consented = ProbeConsent, true
			next, leg = r.submit(f, false), ProbeConsent
		case f.password != "":
			r.out[last].Kind = ProbeLoginForm
			return nil, last, ProbeLoginForm // the login page again: the login was refused
		default:
			r.out[last].Kind = ProbeConsent
			return nil, last, ProbeConsent
		}
	}
	return nil, last, ""
}

// send sends one leg with the run's cookies and keeps the cookies it sets.
func (r *oidcRun) send(k ProbeKind, o outgoing) (ProbeResult, exchange) {
	u, err := url.Parse(o.url)
	prev := o.prepare
	o.prepare = func(q *http.Request) {
		if prev != nil {
			prev(q)
		}
		if err == nil {
			for _, c := range r.jar.Cookies(u) {
				q.AddCookie(c)
			}
		}
	}
	p, x := sendProbe(r.ctx, r.hc, r.ch, k, o)
	if err == nil && x.header != nil {
		cs := (&http.Response{Header: x.header}).Cookies()
		for _, c := range cs {
			learn(r.red, c.Value)
		}
		r.jar.SetCookies(u, cs)
	}
	return p, x
}

// sameEndpoint: u is the endpoint ref names (scheme, host, path), with
// any query.
func sameEndpoint(u *url.URL, ref string) bool {
	v, err := url.Parse(ref)
	return err == nil && strings.EqualFold(u.Scheme, v.Scheme) && strings.EqualFold(u.Host, v.Host) &&
		strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(v.Path, "/")
}

// htmlForm is a form of a page as the driver sees it.
type htmlForm struct {
	action, method string
	fields         url.Values // hidden and preset fields
	user, password string     // the login fields' names
	buttons        []formButton
}

// formButton is a submit button: the name and value it posts, and what it
// says.
type formButton struct{ name, value, label string }

// pickForm finds the form to submit: the login form (the one whose
// action contains FormAction, else the first with a password field), else
// the first POST form, a consent page's.
func (r *oidcRun) pickForm(body []byte, base *url.URL) (htmlForm, bool) {
	forms := parseForms(body, base, r.spec)
	for _, f := range forms {
		for name, v := range f.fields {
			if secretField(name) {
				learn(r.red, v...)
			}
		}
	}
	for _, f := range forms {
		if f.password != "" && (r.spec.FormAction == "" || strings.Contains(f.action, r.spec.FormAction)) {
			return f, true
		}
	}
	for _, f := range forms {
		if f.method == http.MethodPost && f.password == "" {
			return f, true
		}
	}
	return htmlForm{}, false
}

// secretField says a hidden field's name holds a secret: a CSRF token,
// a session or request handle.
func secretField(name string) bool {
	n := strings.ToLower(name)
	for _, part := range []string{"csrf", "xsrf", "token", "authenticity", "session", "secret", "key", "verifier"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// submit fills the form: the canary's credentials, or the consent button
// that does not refuse.
func (r *oidcRun) submit(f htmlForm, login bool) outgoing {
	vals := url.Values{}
	for k, v := range f.fields {
		vals[k] = v
	}
	if login {
		vals.Set(f.user, r.spec.Username)
		vals.Set(f.password, r.spec.Password)
	} else if b, ok := approve(f.buttons); ok && b.name != "" {
		vals.Set(b.name, b.value)
	}
	if f.method == http.MethodGet {
		u, _ := url.Parse(f.action)
		u.RawQuery = vals.Encode()
		return outgoing{method: http.MethodGet, url: u.String()}
	}
	return outgoing{method: http.MethodPost, url: f.action, body: vals.Encode(), contentType: "application/x-www-form-urlencoded"}
}

// approve is the first submit button that does not refuse.
func approve(buttons []formButton) (formButton, bool) {
	for _, b := range buttons {
		v := strings.ToLower(b.label)
		if !strings.Contains(v, "deny") && !strings.Contains(v, "cancel") && !strings.Contains(v, "reject") &&
			!strings.Contains(v, "decline") && v != "no" {
			return b, true
		}
	}
	return formButton{}, false
}

// parseForms reads a page's forms.
func parseForms(body []byte, base *url.URL, spec OIDCSpec) []htmlForm {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var out []htmlForm
	var walk func(n *html.Node, f *htmlForm)
	walk = func(n *html.Node, f *htmlForm) {
		if n.Type == html.ElementNode && n.Data == "form" {
			out = append(out, newForm(n, base))
			f = &out[len(out)-1]
		} else if f != nil && n.Type == html.ElementNode {
			f.add(n, spec)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f)
		}
	}
	walk(doc, nil)
	for i := range out {
		if out[i].password != "" && out[i].user == "" {
			out[i].user = "username"
		}
	}
	return out
}

func newForm(n *html.Node, base *url.URL) htmlForm {
	f := htmlForm{action: base.String(), method: http.MethodGet, fields: url.Values{}}
	if a := attr(n, "action"); a != "" {
		if u, err := base.Parse(a); err == nil {
			f.action = u.String()
		}
	}
	if strings.EqualFold(attr(n, "method"), "post") {
		f.method = http.MethodPost
	}
	return f
}

// add takes an input or button of the form.
func (f *htmlForm) add(n *html.Node, spec OIDCSpec) {
	name, typ := attr(n, "name"), strings.ToLower(attr(n, "type"))
	switch {
	case n.Data == "button" && (typ == "" || typ == "submit"):
		f.buttons = append(f.buttons, formButton{name, attr(n, "value"), attr(n, "value") + " " + text(n)})
	case n.Data != "input" || name == "":
	case typ == "submit":
		f.buttons = append(f.buttons, formButton{name, attr(n, "value"), attr(n, "value")})
	case name == spec.PasswordField || (spec.PasswordField == "" && typ == "password" && f.password == ""):
		f.password = name
	case name == spec.UsernameField || (spec.UsernameField == "" && f.user == "" && f.password == "" &&
		(typ == "" || typ == "text" || typ == "email")):
		f.user = name
	case typ == "hidden":
		f.fields.Set(name, attr(n, "value"))
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.TrimSpace(b.String())
}
