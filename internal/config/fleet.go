package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"

	"github.com/authmon/monitor/internal/checks"
)

// locationName is what a location may be called: it shows in alerts, URLs
// and the API.
var locationName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// DefaultLocation is the location of an instance that names none.
const DefaultLocation = "default"

// checkLocationName validates [monitor] location.
func checkLocationName(c *collector, key, loc string) {
	if loc != "" && !locationName.MatchString(loc) {
		c.add(key, "%q is not a location name: use letters, digits, '.', '_' or '-', such as \"eu-west\"", loc)
	}
}

// buildLocations validates a check's locations and quorum.
func buildLocations(c *collector, key string, s *checkSection, ch *checks.Check) {
	seen := map[string]bool{}
	for i, loc := range s.Locations {
		k := key + ".locations[" + itoa(i) + "]"
		if !locationName.MatchString(loc) {
			c.add(k, "%q is not a location name: use letters, digits, '.', '_' or '-', such as \"eu-west\"", loc)
		}
		if seen[loc] {
			c.add(k, "%q is listed twice", loc)
		}
		seen[loc] = true
	}
	ch.Locations = slices.Clone(s.Locations)
	if s.Locations != nil && len(s.Locations) == 0 {
		c.add(key+".locations", "an empty list would run the check nowhere: list locations, or remove the key to run it from every location")
	}
	if s.Quorum == nil {
		return
	}
	q := *s.Quorum
	switch {
	case q < 1:
		c.add(key+".quorum", "must be at least 1 (the default is 2, or every fresh location when fewer)")
	case len(s.Locations) > 0 && q > int64(len(s.Locations)):
		c.add(key+".quorum", "%d is more than the %d locations the check runs from", q, len(s.Locations))
	default:
		ch.Quorum = int(q)
	}
}

// configHash identifies a config file among a fleet's instances: its bytes
// without the line of [monitor] location, which differs between locations
// by design. Instances whose hashes differ run different checks.
func configHash(data []byte, locationLine int) string {
	if locationLine > 0 {
		lines := bytes.Split(data, []byte("\n"))
		if locationLine <= len(lines) {
			lines[locationLine-1] = nil
		}
		data = bytes.Join(lines, []byte("\n"))
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
