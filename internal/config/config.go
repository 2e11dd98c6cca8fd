// Package config loads the monitor's TOML file into domain values, reporting
// every problem at once with its file, line and key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/alert/slack"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

// Config is a loaded, valid configuration.
type Config struct {
	Path      string
	PublicURL string // base URL of the dashboard for links in alerts; may be empty
	Checks    []checks.Check
	Slack     *slack.Config // nil: alerts are only logged and shown
	// Channels are the named alert channels, sorted by name. The [slack]
	// section is the default channel, alert.DefaultChannel.
	Channels []Channel
	// SlackSigningSecret verifies requests to /slack/actions ([slack]
	// signing_secret); "" turns the endpoint off.
	SlackSigningSecret string
	// DeliveryTimeout bounds one attempt to deliver a notification: an
	// attempt cut by it is retried, and looked up first where the channel
	// can.
	DeliveryTimeout time.Duration
	Demo            *Demo // nil: the sample API is off
	// Policies holds each check's alert policy, by check name.
	Policies map[string]alert.Policy
	// Secrets lists every secret value in the file, for redaction.
	Secrets []string
	// MaxConcurrency bounds the checks running at once; MaxPerHost bounds
	// those against one target host (host:port).
	MaxConcurrency int
	MaxPerHost     int
	// Retention says how long stored history is kept.
	Retention store.Retention
	// FoldRepeats is [storage] fold_repeats (default true): a passing run
	// that repeats its check's latest row is counted in it (SQLite).
	FoldRepeats bool
	// StorageURL is [storage] url: a PostgreSQL URL, or "" for the SQLite
	// file. -db and AUTHMON_DB take precedence.
	StorageURL string
	Dashboard  Dashboard // who may open the dashboard, and where it listens
	// StatusPage is the public status page; nil when [status_page] is absent.
	StatusPage *StatusPage
	// Location is [monitor] location: where this instance probes from in a
	// fleet ("" when unset). Hash identifies the file among a fleet's
	// instances: its SHA-256 without that line.
	Location string
	Hash     string
}

// Demo configures the built-in sample auth API.
type Demo struct {
	Listen   string
	Username string
	Password string
	Token    string
	APIKey   string
	Mode     string
	// ClientID and ClientSecret are the OAuth2 client its token endpoint
	// accepts; empty means the sample API's defaults.
	ClientID, ClientSecret string
}

// Load reads and validates the file at path, expanding ${NAME} references
// from the environment.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse validates a config document. name is used in problem locations.
// It never panics: a parser that panics on some input refuses the file, so
// that neither `validate` nor a running monitor's reload can crash on it.
func Parse(name string, data []byte, lookupEnv func(string) (string, bool)) (cfg *Config, err error) {
	defer func() {
		if r := recover(); r != nil { // the value may quote the file's secrets: not shown
			cfg, err = nil, Problems{{File: name, Msg: "internal error while reading the file, which is refused; please report it"}}
		}
	}()
	return parse(name, data, lookupEnv)
}

// parse is Parse without the recovery, for the fuzzer to see panics.
func parse(name string, data []byte, lookupEnv func(string) (string, bool)) (*Config, error) {
	data = bytes.TrimPrefix(data, utf8BOM) // editors on Windows add one
	if err := checkShape(name, data); err != nil {
		return nil, err
	}
	lines, deep := keyLines(data)
	if deep != nil {
		deep.File = name
		return nil, Problems{*deep}
	}
	var tree map[string]any
	if err := toml.Unmarshal(data, &tree); err != nil {
		return nil, syntaxProblem(name, err)
	}
	c := &collector{file: name, lines: lines}
	tree = expandTree(c, "", tree, lookupEnv).(map[string]any)
	var f file
	decoder{c: c, fields: map[reflect.Type]map[string][]int{}}.value("", tree, reflect.ValueOf(&f).Elem())
	cfg := build(c, &f)
	if err := c.err(); err != nil {
		return nil, err
	}
	cfg.Path = name
	cfg.Hash = configHash(data, c.lines["monitor.location"])
	return cfg, nil
}

func syntaxProblem(name string, err error) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		return Problems{{File: name, Line: row, Key: strings.Join(de.Key(), "."), Msg: "TOML syntax: " + de.Error()}}
	}
	return Problems{{File: name, Msg: "TOML syntax: " + err.Error()}}
}

// expandTree replaces ${NAME} references in every string of the tree.
func expandTree(c *collector, path string, v any, lookup func(string) (string, bool)) any {
	switch x := v.(type) {
	case string:
		// Every value read from the environment is a secret, wherever it
		// is used: record it for redaction.
		record := func(name string) (string, bool) {
			v, ok := lookup(name)
			if ok {
				c.env = append(c.env, envValue{path: path, value: v})
			}
			return v, ok
		}
		out, err := expand(x, record)
		if err != nil {
			c.add(path, "%v", err)
			return x // keep the reference, so no "required" problem follows
		}
		return out
	case map[string]any:
		for k, item := range x {
			x[k] = expandTree(c, join(path, k), item, lookup)
		}
	case []any:
		for i, item := range x {
			x[i] = expandTree(c, fmt.Sprintf("%s[%d]", path, i), item, lookup)
		}
	}
	return v
}

// expand substitutes ${NAME} with the environment variable NAME; "$${" gives
// a literal "${". A missing variable is an error naming it.
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 || !validEnvName(s[i+2:i+end]) {
			// The value is not quoted: it may be a secret.
			return "", errors.New("malformed environment reference: use ${NAME} with letters, digits and _ (write $${ for a literal ${)")
		}
		name := s[i+2 : i+end]
		val, ok := lookup(name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		b.WriteString(s[:i] + val)
		s = s[i+end+1:]
	}
}

func validEnvName(n string) bool {
	if n == "" || (n[0] >= '0' && n[0] <= '9') {
		return false
	}
	for _, r := range n {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
