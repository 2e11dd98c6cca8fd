package config

import (
	"encoding/hex"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// DefaultRealm is the realm of the dashboard's challenges.
const DefaultRealm = "authmon"

// Dashboard is the [dashboard] section: where the dashboard listens and who
// may open it. Hashes only: the config never holds a dashboard password or
// API token in clear.
type Dashboard struct {
	// Listen is the address to serve on; "" leaves it to serve's -listen
	// flag default.
	Listen string
	Users  []DashboardUser
	// Tokens are the SHA-256 digests of the accepted bearer API tokens.
	Tokens [][32]byte
	// ProxyUserHeader names a header carrying the user a reverse proxy
	// authenticated; it is believed only from TrustedProxies.
	ProxyUserHeader string
	TrustedProxies  []netip.Prefix
	// AllowAnonymous serves a dashboard without authentication on a
	// non-loopback address, on purpose.
	AllowAnonymous bool
	Realm          string
	// PublicBadges serves the SVG badges without authentication.
	PublicBadges bool
}

// DashboardUser is one Basic login of the dashboard.
type DashboardUser struct {
	Name         string
	PasswordHash string // bcrypt
}

// AuthConfigured reports whether the dashboard asks who is calling.
func (d Dashboard) AuthConfigured() bool {
	return len(d.Users) > 0 || len(d.Tokens) > 0 || d.ProxyUserHeader != ""
}

type dashboardSection struct {
	Listen          string          `toml:"listen"`
	Users           []dashboardUser `toml:"users"`
	Tokens          []string        `toml:"tokens"`
	ProxyUserHeader string          `toml:"proxy_user_header"`
	TrustedProxies  []string        `toml:"trusted_proxies"`
	AllowAnonymous  bool            `toml:"allow_anonymous"`
	Realm           string          `toml:"realm"`
	PublicBadges    bool            `toml:"public_badges"`
}

type dashboardUser struct {
	Name         string `toml:"name"`
	PasswordHash string `toml:"password_hash"`
}

// buildDashboard validates [dashboard]; a missing section is an open
// dashboard on the default address, which serve allows on loopback only.
func buildDashboard(c *collector, s *dashboardSection) Dashboard {
	d := Dashboard{Realm: DefaultRealm}
	if s == nil {
		return d
	}
	d.Listen, d.AllowAnonymous, d.PublicBadges = s.Listen, s.AllowAnonymous, s.PublicBadges
	if d.Listen != "" {
		if _, _, err := net.SplitHostPort(d.Listen); err != nil {
			c.add("dashboard.listen", "want host:port, e.g. \"127.0.0.1:8080\"")
		}
	}
	if s.Realm != "" {
		d.Realm = s.Realm
		if !printableNoQuote(s.Realm) {
			c.add("dashboard.realm", "use printable characters without \" or \\ (it is sent in a quoted challenge)")
		}
	}
	d.Users = dashboardUsers(c, s.Users)
	d.Tokens = tokenDigests(c, s.Tokens)
	d.ProxyUserHeader, d.TrustedProxies = proxyTrust(c, s)
	if d.AllowAnonymous && d.AuthConfigured() {
		c.add("dashboard.allow_anonymous", "has no effect with users, tokens or proxy_user_header set: remove it, or remove them to serve the dashboard openly")
	}
	return d
}

func dashboardUsers(c *collector, in []dashboardUser) []DashboardUser {
	out := make([]DashboardUser, 0, len(in))
	seen := map[string]bool{}
	for i, u := range in {
		key := "dashboard.users[" + itoa(i) + "]"
		switch {
		case u.Name == "":
			c.add(key+".name", "required")
		case strings.ContainsAny(u.Name, ":") || !printableNoQuote(u.Name):
			c.add(key+".name", "use printable characters without : \" or \\ (Basic auth cannot carry them)")
		case lookAlike(u.Name) != "":
			c.add(key+".name", "%+q %s", u.Name, lookAlike(u.Name))
		case seen[u.Name]:
			c.add(key+".name", "duplicate user %q", u.Name)
		}
		seen[u.Name] = true
		if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
			// Never echo the value: someone may have pasted a password here.
			c.add(key+".password_hash", "not a bcrypt hash: generate one with `monitor hash-password`")
		}
		out = append(out, DashboardUser{Name: u.Name, PasswordHash: u.PasswordHash})
	}
	return out
}

// tokenDigests reads "sha256:<64 hex digits>" entries.
func tokenDigests(c *collector, in []string) [][32]byte {
	out := make([][32]byte, 0, len(in))
	for i, t := range in {
		hexPart, ok := strings.CutPrefix(t, "sha256:")
		var sum [32]byte
		if n, err := hex.Decode(sum[:], []byte(hexPart)); !ok || err != nil || n != len(sum) || len(hexPart) != 64 {
			// Never echo the value: it may be a token pasted in clear.
			c.add("dashboard.tokens["+itoa(i)+"]", "want \"sha256:\" and 64 hex digits: generate a token with `monitor hash-token`")
			continue
		}
		out = append(out, sum)
	}
	return out
}

// proxyTrust reads the proxy user header and the addresses it is trusted from.
func proxyTrust(c *collector, s *dashboardSection) (string, []netip.Prefix) {
	var nets []netip.Prefix
	for i, raw := range s.TrustedProxies {
		p, err := netip.ParsePrefix(raw)
		if err != nil {
			a, aerr := netip.ParseAddr(raw)
			if aerr != nil {
				c.add("dashboard.trusted_proxies["+itoa(i)+"]", "%q is not an IP address or CIDR prefix such as \"127.0.0.1/32\"", raw)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		nets = append(nets, p.Masked())
	}
	h := s.ProxyUserHeader
	switch {
	case h != "" && !validHeaderName(h):
		c.add("dashboard.proxy_user_header", "%q is not a valid header name", h)
	case h != "" && len(nets) == 0:
		c.add("dashboard.proxy_user_header", "set trusted_proxies too: the header is believed only from those addresses")
	case h == "" && len(nets) > 0:
		c.add("dashboard.trusted_proxies", "has no effect without proxy_user_header")
	}
	return h, nets
}

func validHeaderName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return s != ""
}

func printableNoQuote(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}
