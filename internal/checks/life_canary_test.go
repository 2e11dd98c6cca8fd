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
	"strings"
	"sync"
	"testing"

	"github.com/authmon/monitor/internal/checks/fositetest"
)

// echoIssuer fronts the fosite server: every answer echoes the request's
// Authorization header and body (a token endpoint echoing the refresh
// token, an introspection endpoint echoing the token) in a header, a
// challenge and the body, and every token fosite issues is collected.
type echoIssuer struct {
	mu     sync.Mutex
	issued []string
}

func (e *echoIssuer) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		echo := r.Header.Get("Authorization") + " " + string(body)
		w.Header().Set("X-Echo", echo)
		w.Header().Set("WWW-Authenticate", `Bearer realm="api", error_description="`+strings.ReplaceAll(echo, `"`, "")+`"`)
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		out := rec.Body.Bytes()
		var doc map[string]any
		if json.Unmarshal(out, &doc) == nil {
			e.mu.Lock()
			for _, n := range []string{"access_token", "refresh_token", "id_token"} {
				if v, ok := doc[n].(string); ok {
					e.issued = append(e.issued, v)
				}
			}
			e.mu.Unlock()
			doc["echo"] = echo
			out, _ = json.Marshal(doc)
		}
		w.Write(out)
	})
}

// TestCanaryTokenLifeNeverRecorded: no client secret, password, access,
// refresh or ID token of the token-life probes reaches the recorded
// result, plain, URL-encoded or in Base64, though the target echoes them
// all back.
func TestCanaryTokenLifeNeverRecorded(t *testing.T) {
	s := fositetest.New(t)
	e := &echoIssuer{}
	front := httptest.NewServer(e.handler(s.Config.Handler))
	defer front.Close()
	ch := lifeCheck(s)
	swap := func(u string) string { return strings.Replace(u, s.URL, front.URL, 1) }
	ch.URL = swap(ch.URL)
	l := ch.Token.Life
	l.RevocationURL, l.IntrospectionURL, l.ProtectedURL, l.DiscoveryURL = swap(l.RevocationURL),
		swap(l.IntrospectionURL), swap(l.ProtectedURL), swap(l.DiscoveryURL)
	ch.Token.Life.Other = &OtherToken{ClientID: fositetest.OtherClientID, ClientSecret: fositetest.OtherClientSecret}
	res := lifeRunner().Run(context.Background(), ch)
	blob, _ := json.Marshal(res)
	secrets := append([]string{fositetest.ClientSecret, fositetest.OtherClientSecret, fositetest.Password}, e.issued...)
	if len(e.issued) < 8 {
		t.Fatalf("only %d tokens issued: the probes did not run", len(e.issued))
	}
	for _, sec := range secrets {
		for _, form := range []string{sec, url.QueryEscape(sec), base64.StdEncoding.EncodeToString([]byte(sec)),
			base64.RawURLEncoding.EncodeToString([]byte(sec))} {
			if bytes.Contains(blob, []byte(form)) {
				t.Errorf("recorded: %.24s…", form)
			}
		}
	}
	for _, pair := range [][2]string{{fositetest.ClientID, fositetest.ClientSecret}, {fositetest.OtherClientID, fositetest.OtherClientSecret}} {
		b := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(pair[0]) + ":" + url.QueryEscape(pair[1])))
		if bytes.Contains(blob, []byte(b)) {
			t.Errorf("recorded the Basic pair of %s", pair[0])
		}
	}
}
