package checks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	clientSecretCanary = "CLIENT-SECRET-canary-5521"
	issuedTokenCanary  = "ISSUED-token-canary-8830"
)

// kindJWT builds an unsigned-looking JWS: the monitor never verifies one.
func kindJWT(alg string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": alg, "typ": "JWT"})
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + ".c2ln"
}

// clientCredentialsServer is a token endpoint that accepts one client with
// the given authentication style and counts the tokens it issues.
func clientCredentialsServer(t *testing.T, style string, issued *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
			http.Error(w, `{"error":"invalid_request"}`, 400)
			return
		}
		id, secret, basic := r.BasicAuth()
		if !basic {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if (style == "basic") != basic || id != "monitor" || secret != clientSecretCanary {
			w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			// A careless server echoing the request: the secret must not reach the error.
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad secret %s"}`, secret)
			return
		}
		n := issued.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintf(w, `{"access_token":"%s-%d","token_type":"Bearer","expires_in":3600}`, issuedTokenCanary, n)
	}))
}

func TestOAuth2SourceAuthStyles(t *testing.T) {
	for _, style := range []string{"basic", "post"} {
		t.Run(style, func(t *testing.T) {
			var n atomic.Int32
			srv := clientCredentialsServer(t, style, &n)
			defer srv.Close()
			src := NewOAuth2Source(OAuth2Spec{TokenURL: srv.URL, ClientID: "monitor", ClientSecret: clientSecretCanary, AuthStyle: style})
			c, err := src.Get(context.Background(), srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != AuthBearer || c.Token != issuedTokenCanary+"-1" {
				t.Fatalf("credential %+v", c)
			}
		})
	}
}

func TestOAuth2SourceCachesSharesAndInvalidates(t *testing.T) {
	var n atomic.Int32
	srv := clientCredentialsServer(t, "basic", &n)
	defer srv.Close()
	src := NewOAuth2Source(OAuth2Spec{TokenURL: srv.URL, ClientID: "monitor", ClientSecret: clientSecretCanary})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 16 { // concurrent Gets, as several checks sharing the set do
		wg.Go(func() {
			if _, err := src.Get(ctx, srv.Client()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := n.Load(); got != 1 {
		t.Fatalf("%d tokens fetched for concurrent Gets, want 1", got)
	}
	c, _ := src.Get(ctx, srv.Client())
	src.Invalidate(Credential{Kind: AuthBearer, Token: "some other token"}) // not the cached one: kept
	if c2, _ := src.Get(ctx, srv.Client()); c2.Token != c.Token || n.Load() != 1 {
		t.Fatalf("invalidating another token dropped the cached one")
	}
	src.Invalidate(c)
	c3, err := src.Get(ctx, srv.Client())
	if err != nil || c3.Token == c.Token || n.Load() != 2 {
		t.Fatalf("after Invalidate: %v %q, %d fetches; want a new token", err, c3.Token, n.Load())
	}
}

func TestOAuth2SourceRefetchesAfterExpiry(t *testing.T) {
	var n atomic.Int32
	srv := clientCredentialsServer(t, "basic", &n)
	defer srv.Close()
	src := NewOAuth2Source(OAuth2Spec{TokenURL: srv.URL, ClientID: "monitor", ClientSecret: clientSecretCanary}).(*oauth2Source)
	clock := time.Now()
	src.cache.now = func() time.Time { return clock }
	ctx := context.Background()
	src.Get(ctx, srv.Client())
	clock = clock.Add(59 * time.Minute) // expires_in 3600, minus the 30 s margin: still cached
	src.Get(ctx, srv.Client())
	if n.Load() != 1 {
		t.Fatalf("%d fetches within the lifetime, want 1", n.Load())
	}
	clock = clock.Add(40 * time.Second) // within the margin before expiry
	src.Get(ctx, srv.Client())
	if n.Load() != 2 {
		t.Fatalf("%d fetches after expiry, want 2", n.Load())
	}
}

func TestOAuth2SourceErrorsArePlainAndSecretFree(t *testing.T) {
	var n atomic.Int32
	srv := clientCredentialsServer(t, "post", &n) // expects post: a Basic client is refused
	defer srv.Close()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm() // read the body, so that the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer hang.Close()
	cases := []struct {
		name, url, want string
	}{
		{"refused", srv.URL, "answered 401 invalid_client: the client was refused: check the client secret (was it rotated?) and the client id of this credential set"},
		{"hangs", hang.URL, "timed out"},
		{"refused connection", "http://127.0.0.1:1/token", "connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := NewOAuth2Source(OAuth2Spec{TokenURL: c.url, ClientID: "monitor", ClientSecret: clientSecretCanary})
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := src.Get(ctx, srv.Client())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to say %q", err, c.want)
			}
			if strings.Contains(err.Error(), clientSecretCanary) {
				t.Fatalf("the error text holds the client secret: %v", err)
			}
		})
	}
}
