package main

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/web"
)

// defaultListen keeps a fresh install on loopback: only this machine can
// open the dashboard until someone configures who may.
const defaultListen = "127.0.0.1:8080"

// listenAddr picks the dashboard address: the -listen flag, else
// AUTHMON_LISTEN, else [dashboard] listen, else defaultListen.
func listenAddr(flagValue string, d config.Dashboard) string {
	for _, v := range []string{flagValue, envOr("AUTHMON_LISTEN", ""), d.Listen} {
		if v != "" {
			return v
		}
	}
	return defaultListen
}

// checkExposure refuses to serve an open dashboard where others can reach
// it: it shows every check's target, evidence and incidents.
func checkExposure(addr string, d config.Dashboard) error {
	if d.AuthConfigured() || d.AllowAnonymous || loopbackOnly(addr) {
		return nil
	}
	return fmt.Errorf(`serve: refusing to serve the dashboard on %s without authentication: anyone who can
reach that address could read every check, its evidence and its incidents. Do one of:
  - listen on loopback only: -listen 127.0.0.1:8080 (or [dashboard] listen)
  - add users to [dashboard] (users = [{ name = "ops", password_hash = "..." }],
    hash from 'monitor hash-password') or API tokens (tokens = ["sha256:..."],
    from 'monitor hash-token')
  - trust a reverse proxy: [dashboard] proxy_user_header and trusted_proxies
  - serve it openly on purpose: [dashboard] allow_anonymous = true`, addr)
}

// loopbackOnly reports whether addr listens on loopback alone. An empty
// host listens everywhere; a host name other than localhost may resolve to
// anything, so it counts as exposed. An address that does not parse is
// left to net.Listen to refuse.
func loopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// authConfig is the dashboard's view of [dashboard].
func authConfig(d config.Dashboard) web.AuthConfig {
	users := make(map[string]string, len(d.Users))
	for _, u := range d.Users {
		users[u.Name] = u.PasswordHash
	}
	return web.AuthConfig{Realm: d.Realm, Users: users, Tokens: d.Tokens, ProxyHeader: d.ProxyUserHeader,
		TrustedProxies: d.TrustedProxies, PublicBadges: d.PublicBadges}
}

// authSummary says in the log how the dashboard is closed: "basic+bearer".
func authSummary(d config.Dashboard) string {
	var parts []string
	if len(d.Users) > 0 {
		parts = append(parts, "basic")
	}
	if len(d.Tokens) > 0 {
		parts = append(parts, "bearer")
	}
	if d.ProxyUserHeader != "" {
		parts = append(parts, "proxy header")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}
