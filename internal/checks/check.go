// Package checks defines what an auth check is, runs one against a target over
// HTTP, and judges every answer against the standards (RFC 9110 §11, RFC 7617,
// RFC 6750). It imports nothing else from this module.
package checks

import (
	"time"

	"github.com/robfig/cron/v3"
)

// ScheduleParser reads Check.Schedule: standard 5-field cron specs and
// descriptors such as "@every 30s" or "@hourly". Config validation and the
// scheduler use this one parser, so what validates is what runs.
var ScheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a schedule with ScheduleParser.
func ParseSchedule(spec string) (cron.Schedule, error) { return ScheduleParser.Parse(spec) }

// Check is one configured auth check: a protected endpoint probed with valid,
// missing and wrong credentials in a single run.
type Check struct {
	Name     string
	Schedule string // cron spec or descriptor, e.g. "@every 30s"
	Timeout  time.Duration
	Method   string
	URL      string
	Headers  map[string]string
	Auth     Credential
	Probes   []ProbeSpec // run in this order
	MaxBody  int64       // bytes read from a response body at most
	// Secrets lists every configured value that must never be recorded:
	// credential fields and any value that came from a ${ENV} reference.
	Secrets []string
}

// AuthKind names how credentials are presented.
type AuthKind string

const (
	AuthNone   AuthKind = ""
	AuthBasic  AuthKind = "basic"
	AuthBearer AuthKind = "bearer"
	AuthAPIKey AuthKind = "api_key"
)

// Credential is a set of credentials for the "valid" probe. The "wrong" probe
// derives its credentials from it.
type Credential struct {
	Kind     AuthKind
	Username string // basic
	Password string // basic
	Token    string // bearer
	Header   string // api_key: header name
	Key      string // api_key: value
}

// ProbeKind is one cell of the probe matrix.
type ProbeKind string

const (
	ProbeValid   ProbeKind = "valid"   // with the configured credentials
	ProbeMissing ProbeKind = "missing" // with no credentials at all
	ProbeWrong   ProbeKind = "wrong"   // with well-formed but wrong credentials
)

// Phrase describes the probe inside a sentence: "without credentials".
func (k ProbeKind) Phrase() string {
	switch k {
	case ProbeValid:
		return "with valid credentials"
	case ProbeMissing:
		return "without credentials"
	case ProbeWrong:
		return "with wrong credentials"
	default:
		return "with the " + string(k) + " probe"
	}
}

// ProbeKinds lists the matrix columns in the order they run.
var ProbeKinds = []ProbeKind{ProbeValid, ProbeMissing, ProbeWrong}

// ProbeSpec says what one probe expects.
type ProbeSpec struct {
	Kind ProbeKind
	// Status lists the accepted status codes. Empty means any 2xx for the
	// valid probe and 401 for the others.
	Status []int
	// Scheme and Realm are the challenge the 401 must carry (denied probes).
	// Scheme defaults to the one matching Auth.Kind; Realm empty means any.
	Scheme string
	Realm  string
	// BodyContains, when set, must occur in the body of the valid probe.
	BodyContains string
}
