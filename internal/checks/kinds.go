package checks

import (
	"context"
	"net/http"
)

// The check kinds beyond a protected endpoint. Each returns its probes'
// results in the order of KindProbes; Run redacts them afterwards.

// runLogin probes a login URL (KindLogin).
func runLogin(ctx context.Context, hc *http.Client, ch Check, red *redactor) []ProbeResult {
	return nil // TODO(login): implemented in login.go
}

// runToken probes an OAuth2 token endpoint (KindToken).
func runToken(ctx context.Context, hc *http.Client, ch Check, red *redactor) []ProbeResult {
	return nil // TODO(token): implemented in token.go
}

// runDiscovery probes a discovery document and its JWKS (KindDiscovery).
func runDiscovery(ctx context.Context, hc *http.Client, ch Check, red *redactor) []ProbeResult {
	return nil // TODO(discovery): implemented in discovery.go
}

// NewLoginSource returns the Source of a login credential set.
func NewLoginSource(spec LoginSpec, user, password string) Source {
	return nil // TODO(login): implemented in source_login.go
}

// NewOAuth2Source returns the Source of an oauth2 credential set.
func NewOAuth2Source(spec OAuth2Spec) Source {
	return nil // TODO(oauth2): implemented in source_oauth2.go
}
