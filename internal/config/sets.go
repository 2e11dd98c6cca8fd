package config

import (
	"sort"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// credentialSets are the validated [credentials.NAME] sets. An oauth2 or
// login set gets one Source, built when a check first names it and shared
// by every check naming it, so that its token is fetched once for all.
type credentialSets struct {
	byName  map[string]credential
	sources map[string]checks.Source
	dir     string // the config file's directory: relative paths start there
	// suggested counts the did-you-mean searches done: each compares the
	// name with every set, so they are bounded to keep loading linear.
	suggested int
}

// maxSuggestions bounds the did-you-mean searches for unknown set names.
const maxSuggestions = 20

func buildCredentialSets(c *collector, sets map[string]*credentialSection, dir string) *credentialSets {
	cs := &credentialSets{byName: map[string]credential{}, sources: map[string]checks.Source{}, dir: dir}
	names := make([]string, 0, len(sets))
	for name := range sets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		key := "credentials." + name
		if name == "" || strings.IndexFunc(name, isControl) >= 0 {
			c.add(key, "a credential set needs a printable name")
		} else if why := lookAlike(name); why != "" {
			c.add(key, "the name %+q %s", name, why)
		}
		cred := buildCredential(c, key, sets[name], dir)
		cred.Set = name
		cred.secrets = append(cred.secrets, envUnder(c, key)...)
		cs.byName[name] = cred
	}
	return cs
}

// lookup returns the set a check names, with its shared Source.
func (cs *credentialSets) lookup(c *collector, key, name string) (credential, bool) {
	cred, ok := cs.byName[name]
	if !ok {
		hint := ""
		if cs.suggested < maxSuggestions {
			cs.suggested++
			hint = suggest(name, cs.byName)
		}
		if hint == "" {
			hint = " (define it as [credentials." + quoteKey(name) + "])"
		}
		c.add(key, "no credential set named %q%s", name, hint)
		return credential{}, false
	}
	if src, built := cs.sources[name]; built {
		cred.Source = src
		return cred, true
	}
	cred.Source = newSource(cred.Credential)
	cs.sources[name] = cred.Source
	return cred, true
}

// secrets returns every set's secrets, used or not: they are in the file.
func (cs *credentialSets) secrets() []string {
	var out []string
	for _, cred := range cs.byName {
		out = append(out, cred.secrets...)
	}
	return out
}

// newSource builds the Source of a credential obtained at run time; other
// kinds need none.
func newSource(cred checks.Credential) checks.Source {
	switch {
	case cred.Kind == checks.AuthOAuth2 && cred.OAuth2 != nil:
		return checks.NewOAuth2Source(*cred.OAuth2)
	case cred.Kind == checks.AuthLogin && cred.Login != nil:
		return checks.NewLoginSource(*cred.Login, cred.Username, cred.Password)
	}
	return nil
}

// quoteKey writes a TOML key, quoting it when it is not a bare key.
func quoteKey(k string) string {
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return `"` + strings.ReplaceAll(strings.ReplaceAll(k, `\`, `\\`), `"`, `\"`) + `"`
		}
	}
	return k
}

// envUnder returns the values read from the environment for keys at or
// below prefix ("check[2]", "credentials.api"). The values are indexed by
// every enclosing key once, so that asking for each of n checks stays linear.
func envUnder(c *collector, prefix string) []string {
	if c.envIndex == nil {
		c.envIndex = map[string][]string{}
		for _, e := range c.env {
			for k := e.path; k != ""; k = parentKey(k) {
				c.envIndex[k] = append(c.envIndex[k], e.value)
			}
		}
	}
	return c.envIndex[prefix]
}

// envValue is one value read from the environment, and the key it was for.
type envValue struct{ path, value string }
