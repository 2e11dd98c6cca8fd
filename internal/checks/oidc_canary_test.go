package checks

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/authmon/monitor/internal/checks/fositetest"
)

// idpSpy fronts the fosite IdP: it collects every secret of the login
// (password, codes, code_verifier, tokens, cookies, CSRF tokens) and
// echoes what the client sent (form body and cookies) back in a header
// and in every body.
type idpSpy struct {
	mu   sync.Mutex
	seen map[string]bool
	// from, to: the discovery document's endpoints are rewritten to the
	// spy's.
	from, to string
}

var csrfValue = regexp.MustCompile(`name="` + fositetest.CSRFField + `" value="([^"]+)"`)

func (s *idpSpy) keep(vs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vs {
		if v != "" {
			s.seen[v] = true
		}
	}
}

func (s *idpSpy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		s.keep(form.Get("code"), form.Get("code_verifier"), form.Get(fositetest.CSRFField), form.Get(fositetest.PasswordField))
		for _, c := range r.Cookies() {
			s.keep(c.Value)
		}
		echo := string(body) + " " + r.Header.Get("Cookie")
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if loc, err := url.Parse(rec.Header().Get("Location")); err == nil {
			s.keep(loc.Query().Get("code"))
		}
		for _, c := range (&http.Response{Header: rec.Header()}).Cookies() {
			s.keep(c.Value)
		}
		out := rec.Body.Bytes()
		if strings.HasPrefix(r.URL.Path, "/.well-known/") {
			out = bytes.ReplaceAll(out, []byte(s.from), []byte(s.to))
		}
		for _, m := range csrfValue.FindAllSubmatch(out, -1) {
			s.keep(string(m[1]))
		}
		var doc map[string]any
		if json.Unmarshal(out, &doc) == nil {
			for _, n := range []string{"access_token", "refresh_token", "id_token"} {
				if v, ok := doc[n].(string); ok {
					s.keep(v)
				}
			}
			doc["echo"] = echo
			out, _ = json.Marshal(doc)
		} else {
			out = append(out, []byte("<!-- "+echo+" -->")...)
		}
		w.Header().Set("X-Echo", echo)
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(out)
	})
}

// TestCanaryOIDCLoginNeverRecorded: no password, code, code_verifier,
// token, cookie or CSRF token of the OIDC login reaches the recorded
// result, plain, URL-encoded or in Base64, though the IdP echoes them.
func TestCanaryOIDCLoginNeverRecorded(t *testing.T) {
	s := fositetest.New(t)
	spy := &idpSpy{seen: map[string]bool{}, from: s.URL}
	front := httptest.NewServer(spy.handler(s.Config.Handler))
	defer front.Close()
	spy.to = front.URL
	ch := oidcCheck(s)
	ch.URL = front.URL
	res := Run(context.Background(), NewClient(4), ch)
	if !oidcVerdicts(res)["A8"] {
		dumpRun(t, res)
		t.Fatal("the login did not complete")
	}
	blob, _ := json.Marshal(res)
	secrets := []string{fositetest.Password}
	for v := range spy.seen {
		secrets = append(secrets, v)
	}
	if len(secrets) < 8 {
		t.Fatalf("only %d secrets seen: the spy saw too little", len(secrets))
	}
	for _, sec := range secrets {
		for _, form := range []string{sec, url.QueryEscape(sec), base64.StdEncoding.EncodeToString([]byte(sec)),
			base64.RawURLEncoding.EncodeToString([]byte(sec))} {
			if bytes.Contains(blob, []byte(form)) {
				t.Errorf("recorded: %.24s…", form)
			}
		}
	}
	if strings.Contains(string(blob), fositetest.PasswordField+"="+fositetest.Password) {
		t.Error("recorded the login form")
	}
}
