package fositetest

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"
	"golang.org/x/crypto/bcrypt"
)

// token is the token endpoint: fosite's, granting what was asked for (its
// clients may ask for all of it), with the NoRotation fault applied.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess := newSession(s.URL)
	p := s.provider(false)
	ar, err := p.NewAccessRequest(ctx, r, sess)
	if err != nil {
		p.WriteAccessError(ctx, w, ar, err)
		return
	}
	subject := ar.GetClient().GetID()
	if ar.GetGrantTypes().ExactOne("password") {
		subject = r.PostForm.Get("username")
	}
	if !ar.GetGrantTypes().ExactOne("refresh_token") && !ar.GetGrantTypes().ExactOne("authorization_code") {
		sess.setSubject(subject, ar.GetClient().GetID())
	}
	for _, sc := range ar.GetRequestedScopes() {
		ar.GrantScope(sc)
	}
	for _, a := range ar.GetRequestedAudience() {
		ar.GrantAudience(a)
	}
	resp, err := p.NewAccessResponse(ctx, ar)
	if err != nil {
		p.WriteAccessError(ctx, w, ar, err)
		return
	}
	if s.faultsNow().NoRotation && ar.GetGrantTypes().ExactOne("refresh_token") {
		resp.SetExtra("refresh_token", r.PostForm.Get("refresh_token"))
	}
	p.WriteAccessResponse(ctx, w, ar, resp)
}

// revoke is fosite's RFC 7009 revocation endpoint.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s.f.WriteRevocationResponse(ctx, w, s.f.NewRevocationRequest(ctx, r))
}

// introspect is fosite's RFC 7662 endpoint, with the faults: a cache that
// keeps answering "active" for a token it once saw active, and no client
// authentication required.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := s.faultsNow()
	if f.IntrospectionWithoutAuth && r.Header.Get("Authorization") == "" {
		r.SetBasicAuth(ClientID, ClientSecret) // as if it did not matter who asks
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	tok := r.PostForm.Get("token")
	ir, err := s.f.NewIntrospectionRequest(ctx, r, newSession(s.URL))
	// fosite's inactive-token error is a 401 too: only a failed client
	// authentication is one the cache must not answer.
	authFailed := err != nil && !errors.Is(err, fosite.ErrInactiveToken) && errorsIsUnauthorized(err)
	if body, ok := s.cache.get(tok, f.IntrospectionCache); ok && !authFailed {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write(body)
		return
	}
	if err != nil {
		s.f.WriteIntrospectionError(ctx, w, err)
		return
	}
	rec := newRecorder(w)
	s.f.WriteIntrospectionResponse(ctx, rec, ir)
	if f.IntrospectionCache > 0 && ir.IsActive() {
		s.cache.put(tok, rec.body.Bytes())
	}
}

// session is what fosite keeps per grant: an OpenID Connect session (for
// ID tokens) that is also a JWT session (for JWT access tokens).
type session struct {
	*openid.DefaultSession
	JWTClaims *jwt.JWTClaims
	JWTHeader *jwt.Headers
}

func newSession(issuer string) *session {
	d := openid.NewDefaultSession()
	d.Claims.Issuer = issuer
	return &session{DefaultSession: d, JWTClaims: &jwt.JWTClaims{Issuer: issuer, Extra: map[string]any{}},
		JWTHeader: &jwt.Headers{Extra: map[string]any{"typ": "at+jwt"}}}
}

func (s *session) setSubject(sub, clientID string) {
	s.DefaultSession.Subject, s.DefaultSession.Claims.Subject, s.JWTClaims.Subject = sub, sub, sub
	s.JWTClaims.Extra["client_id"] = clientID
}

// GetJWTClaims implements oauth2.JWTSessionContainer.
func (s *session) GetJWTClaims() jwt.JWTClaimsContainer { return s.JWTClaims }

// GetJWTHeader implements oauth2.JWTSessionContainer.
func (s *session) GetJWTHeader() *jwt.Headers { return s.JWTHeader }

// Clone keeps the type: a refresh grant clones the stored session and
// then needs both halves.
func (s *session) Clone() fosite.Session {
	c := &session{DefaultSession: s.DefaultSession.Clone().(*openid.DefaultSession)}
	claims := *s.JWTClaims
	claims.Extra = map[string]any{}
	for k, v := range s.JWTClaims.Extra {
		claims.Extra[k] = v
	}
	claims.IssuedAt, claims.ExpiresAt, claims.JTI = time.Time{}, time.Time{}, ""
	hdr := &jwt.Headers{Extra: map[string]any{"typ": "at+jwt"}}
	c.JWTClaims, c.JWTHeader = &claims, hdr
	return c
}

// faultStore is fosite's memory store with the refresh-token faults.
type faultStore struct {
	*storage.MemoryStore
	s *Server
}

// RotateRefreshToken deactivates the used refresh token, unless the
// server does not rotate.
func (st faultStore) RotateRefreshToken(ctx context.Context, requestID, sig string) error {
	if st.s.faultsNow().NoRotation {
		return nil
	}
	return st.MemoryStore.RotateRefreshToken(ctx, requestID, sig)
}

// RevokeRefreshToken revokes a grant's newest refresh token; with
// FamilyKept a detected replay leaves it working.
func (st faultStore) RevokeRefreshToken(ctx context.Context, requestID string) error {
	if st.s.faultsNow().FamilyKept {
		return nil
	}
	return st.MemoryStore.RevokeRefreshToken(ctx, requestID)
}

func hash(secret string) []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return h
}

func errorsIsUnauthorized(err error) bool {
	var rfc *fosite.RFC6749Error
	return asRFC(err, &rfc) && rfc.CodeField == http.StatusUnauthorized
}
