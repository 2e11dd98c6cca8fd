// Package fositetest runs a real OAuth 2.0 authorization server, built from
// github.com/ory/fosite, on loopback for the checks' tests: client
// credentials, the password grant, refresh tokens with rotation and reuse
// detection, revocation (RFC 7009), introspection (RFC 7662), JWT access
// and ID tokens signed with keys its jwks_uri publishes, a discovery
// document, and a protected resource. Faults break it the way production
// servers break. Only tests import it.
package fositetest

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"
)

// The server's clients, user and audiences. Secrets are long enough for
// the monitor's redactor to learn them.
const (
	ClientID          = "monitor"
	ClientSecret      = "monitor-client-secret-7f3a"
	OtherClientID     = "other-app"
	OtherClientSecret = "other-client-secret-91bc"
	User              = "canary"
	Password          = "canary-password-55e1"
	// Audience is the protected resource's own; OtherAudience another
	// service's that the monitor's client may also ask tokens for.
	Audience      = "https://api.authmon.test"
	OtherAudience = "https://other.authmon.test"
	// PublicClientID is a public client (no secret) of the authorization
	// code flow, its one redirect URI the server's URL + CallbackPath.
	PublicClientID = "authmon-spa"
	CallbackPath   = "/callback"
)

// Faults break the server. The zero value is a healthy server.
type Faults struct {
	// IntrospectionCache answers introspection (and the resource's own
	// lookups) from a cache for this long: a revoked token stays active.
	IntrospectionCache time.Duration
	// IntrospectionWithoutAuth answers callers that send no client
	// authentication.
	IntrospectionWithoutAuth bool
	// NoRotation hands back the same refresh token on a refresh, which
	// keeps working.
	NoRotation bool
	// FamilyKept detects a replayed refresh token but does not revoke the
	// refresh tokens issued after it.
	FamilyKept bool
	// ResourceIgnoresAudience: the protected resource accepts an active
	// access token issued for another audience.
	ResourceIgnoresAudience bool
	// ResourceAcceptsAnyJWT: the protected resource verifies a JWT's
	// signature and expiry only, so it takes an ID token too.
	ResourceAcceptsAnyJWT bool
	// PKCEOptional: fosite with PKCE not enforced and the plain method
	// enabled, as many deployments run it.
	PKCEOptional bool
	// PKCEAtTokenOnly: the authorize endpoint issues codes without (or
	// with a plain) code_challenge; the token endpoint still refuses them,
	// as zitadel's OP does for public clients.
	PKCEAtTokenOnly bool
	// RedirectPrefixMatch accepts any redirect_uri that begins with a
	// registered one.
	RedirectPrefixMatch bool
	// CodeReuse: an authorization code stays valid after its exchange.
	CodeReuse bool
	// StateDropped: the redirect back to the client loses its state.
	StateDropped bool
	// NonceDropped: the authorize request's nonce is ignored, so the ID
	// token carries none.
	NonceDropped bool
}

// Server is the authorization server and its protected resource.
type Server struct {
	*httptest.Server
	f     fosite.OAuth2Provider
	lax   fosite.OAuth2Provider // f with PKCE optional and plain allowed
	login *logins
	store *storage.MemoryStore
	keys  *keyRing
	cache *introCache

	mu     sync.Mutex
	faults Faults
}

// New starts a healthy server on loopback; it stops with the test.
func New(t interface{ Cleanup(func()) }) *Server {
	s := &Server{keys: newKeyRing(), cache: newIntroCache(), login: newLogins()}
	mux := http.NewServeMux()
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	s.store = newStore(s.URL + CallbackPath)
	secret := randomBytes(32)
	s.f = s.compose(s.config(secret, false))
	s.lax = s.compose(s.config(secret, true))
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /revoke", s.revoke)
	mux.HandleFunc("POST /introspect", s.introspect)
	mux.HandleFunc("GET /jwks", s.keys.serveJWKS)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("/api", s.resource)
	s.routeAuthorize(mux)
	return s
}

// config is fosite's configuration; the two providers share the secret,
// so that either takes the other's codes. lax leaves PKCE optional and
// allows the plain method.
func (s *Server) config(secret []byte, lax bool) *fosite.Config {
	return &fosite.Config{
		AccessTokenLifespan:            time.Hour,
		RefreshTokenLifespan:           24 * time.Hour,
		IDTokenLifespan:                time.Hour,
		AuthorizeCodeLifespan:          time.Minute,
		GlobalSecret:                   secret,
		HashCost:                       4, // the cheapest bcrypt: tests, not passwords
		AccessTokenIssuer:              s.URL,
		IDTokenIssuer:                  s.URL,
		EnforcePKCE:                    !lax,
		EnablePKCEPlainChallengeMethod: lax,
		MinParameterEntropy:            fosite.MinParameterEntropy,
	}
}

func (s *Server) compose(cfg *fosite.Config) fosite.OAuth2Provider {
	key := s.keys.signer
	// compose.ComposeAllEnabled's handlers, with JWT access tokens (its
	// own choice is opaque HMAC tokens, which carry no kid).
	return compose.Compose(cfg, faultStore{s.store, s}, &compose.CommonStrategy{
		CoreStrategy:               compose.NewOAuth2JWTStrategy(key, compose.NewOAuth2HMACStrategy(cfg), cfg),
		OpenIDConnectTokenStrategy: compose.NewOpenIDConnectStrategy(key, cfg),
		Signer:                     &jwt.DefaultSigner{GetPrivateKey: key},
	},
		compose.OAuth2AuthorizeExplicitFactory, compose.OAuth2AuthorizeImplicitFactory,
		compose.OAuth2ClientCredentialsGrantFactory, compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2ResourceOwnerPasswordCredentialsFactory, compose.RFC7523AssertionGrantFactory,
		compose.OpenIDConnectExplicitFactory, compose.OpenIDConnectImplicitFactory,
		compose.OpenIDConnectHybridFactory, compose.OpenIDConnectRefreshFactory,
		compose.OAuth2TokenIntrospectionFactory, compose.OAuth2TokenRevocationFactory,
		compose.OAuth2PKCEFactory, compose.PushedAuthorizeHandlerFactory,
	)
}

// provider is the fosite provider the faults ask for, at the authorize
// endpoint or at the token endpoint.
func (s *Server) provider(authorize bool) fosite.OAuth2Provider {
	if f := s.faultsNow(); f.PKCEOptional || (authorize && f.PKCEAtTokenOnly) {
		return s.lax
	}
	return s.f
}

// Break sets the server's faults (the zero Faults heals it).
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

// URLs of the server's endpoints.
func (s *Server) TokenURL() string         { return s.URL + "/token" }
func (s *Server) RevocationURL() string    { return s.URL + "/revoke" }
func (s *Server) IntrospectionURL() string { return s.URL + "/introspect" }
func (s *Server) JWKSURL() string          { return s.URL + "/jwks" }
func (s *Server) ResourceURL() string      { return s.URL + "/api" }
func (s *Server) DiscoveryURL() string     { return s.URL + "/.well-known/openid-configuration" }

func newStore(redirect string) *storage.MemoryStore {
	st := storage.NewMemoryStore()
	for _, c := range []struct{ id, secret string }{{ClientID, ClientSecret}, {OtherClientID, OtherClientSecret}} {
		aud := []string{Audience, OtherAudience}
		if c.id == OtherClientID {
			aud = []string{OtherAudience}
		}
		st.Clients[c.id] = &fosite.DefaultClient{ID: c.id, Secret: hash(c.secret),
			GrantTypes:    []string{"client_credentials", "password", "refresh_token", "authorization_code"},
			ResponseTypes: []string{"code", "token", "id_token"},
			Scopes:        []string{"api", "offline", "openid", "profile"}, Audience: aud, RedirectURIs: []string{redirect}}
	}
	st.Clients[PublicClientID] = &fosite.DefaultClient{ID: PublicClientID, Public: true,
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"},
		Scopes: []string{"openid", "profile", "offline"}, RedirectURIs: []string{redirect}}
	st.Users[User] = storage.MemoryUserRelation{Username: User, Password: Password}
	return st
}

func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer": s.URL, "authorization_endpoint": s.URL + "/authorize", "token_endpoint": s.TokenURL(),
		"jwks_uri": s.JWKSURL(), "revocation_endpoint": s.RevocationURL(),
		"introspection_endpoint": s.IntrospectionURL(), "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"ES256"},
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}
