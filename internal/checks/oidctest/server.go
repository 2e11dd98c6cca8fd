// Package oidctest runs a real OpenID Provider, built from
// github.com/zitadel/oidc/v3's pkg/op, on loopback for the checks' tests:
// the authorization code flow with PKCE, an HTML login form protected by
// a CSRF token, ID tokens signed with RS256. Its storage is this
// package's own, in memory; faults break it the way production OPs
// break. Only tests import it.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// The OP's client and canary user. Secrets are long enough for the
// monitor's redactor to learn them.
const (
	ClientID       = "authmon-native"
	ClientSecret   = "zitadel-client-secret-3c9d"
	User           = "canary@authmon.test"
	Password       = "zitadel-canary-password-8b2f"
	CallbackPath   = "/callback"
	UserField      = "username"
	PasswordField  = "password"
	CSRFField      = "gorilla.csrf.Token"
	csrfCookieName = "oidctest_csrf"
)

// Faults break the OP. The zero value is a healthy one.
type Faults struct {
	// CodeReuse keeps the auth request after its code was exchanged.
	CodeReuse bool
	// RedirectGlob registers redirect_uri + "/*" as a glob too.
	RedirectGlob bool
	// StateDropped and NonceDropped: the OP forgets the request's state
	// or nonce.
	StateDropped bool
	NonceDropped bool
}

// Server is the OP on loopback.
type Server struct {
	*httptest.Server
	store *storage

	mu     sync.Mutex
	faults Faults
}

// New starts a healthy OP whose client is public (secret == "") or
// confidential; it stops with the test.
func New(t interface {
	Cleanup(func())
	Fatal(...any)
}, secret string) *Server {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	mux := http.NewServeMux()
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	s.store = &storage{requests: map[string]*authRequest{}, codes: map[string]string{}, tokens: map[string]time.Time{},
		key: key, faults: s.faultsNow,
		client: &client{id: ClientID, secret: secret, redirectURIs: []string{s.URL + CallbackPath}, faults: s.faultsNow}}
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256(randomBytes(32)), CodeMethodS256: true},
		s.store, op.StaticIssuer(s.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	l := &login{store: s.store, callback: op.AuthCallbackURL(provider)}
	mux.Handle("/login", op.NewIssuerInterceptor(provider.IssuerFromRequest).Handler(l))
	mux.Handle("/", provider)
	return s
}

// Break sets the OP's faults (the zero Faults heals it).
func (s *Server) Break(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

func (s *Server) faultsNow() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// CallbackURL is the client's registered redirect URI.
func (s *Server) CallbackURL() string { return s.URL + CallbackPath }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func randomID() string { return hex.EncodeToString(randomBytes(16)) }
