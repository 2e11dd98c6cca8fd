package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert/opsgenie"
	"github.com/authmon/monitor/internal/alert/pagerduty"
	"github.com/authmon/monitor/internal/alert/teams"
	"github.com/authmon/monitor/internal/alert/webhook"
)

// Faults a fake receiver answers its next requests with.
const (
	fault500  = "500"
	fault429  = "429"  // with Retry-After: 1
	faultHang = "hang" // takes the request, then answers after hangFor
)

const hangFor = 2500 * time.Millisecond

// received is one notification a fake receiver took: key tells a retry of
// the same notification from a new one.
type received struct {
	key, kind string
}

// receiver stands in for one channel's service: it checks each request
// against the service's documented schema, injects faults, and records
// what it took.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	parse  func(r *http.Request, body []byte) (received, error)
	mu     sync.Mutex
	faults []string
	got    []received
	raw    []string
	calls  int
}

func newReceiver(t *testing.T, parse func(*http.Request, []byte) (received, error), faults ...string) *receiver {
	rc := &receiver{t: t, parse: parse, faults: faults}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	got, err := rc.parse(r, body)
	if err != nil {
		rc.t.Errorf("%s %s: %v\n%s", r.Method, r.URL, err, body)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.calls++
	rc.raw = append(rc.raw, r.URL.String()+"\n"+fmt.Sprint(r.Header)+"\n"+string(body))
	fault := ""
	if len(rc.faults) > 0 {
		fault, rc.faults = rc.faults[0], rc.faults[1:]
	}
	if fault == "" || fault == faultHang {
		rc.got = append(rc.got, got)
	}
	rc.mu.Unlock()
	switch fault {
	case fault500:
		http.Error(w, "upstream down", http.StatusInternalServerError)
	case fault429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case faultHang:
		time.Sleep(hangFor)
		w.WriteHeader(http.StatusAccepted)
	default:
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"status":"success"}`)
	}
}

// kinds returns the kinds taken, each notification once (a retry of one
// already taken, after a hang, is dropped as a receiver deduplicating by
// key does), and how many duplicates there were.
func (rc *receiver) kinds() ([]string, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	dups := 0
	for _, g := range rc.got {
		if seen[g.key] {
			dups++
			continue
		}
		seen[g.key] = true
		out = append(out, g.kind)
	}
	return out, dups
}

func (rc *receiver) rawText() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return strings.Join(rc.raw, "\n")
}

const hookSecret = "whsec-e2e-0123456789abcdef"

// parseWebhook verifies the signature and the version 1 body.
func parseWebhook(r *http.Request, body []byte) (received, error) {
	if err := webhook.Verify(hookSecret, r.Header.Get(webhook.HeaderSignature), body, time.Now()); err != nil {
		return received{}, err
	}
	if r.Header.Get("X-Team") != "auth" {
		return received{}, fmt.Errorf("custom header missing")
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		return received{}, err
	}
	if p.Version != 1 || p.Check == "" || p.Incident == nil || p.Incident.Key == "" || len(p.Regressions) == 0 || p.Regressions[0].Assertion == "" {
		return received{}, fmt.Errorf("incomplete payload")
	}
	if p.Delivery == 0 || r.Header.Get(webhook.HeaderDelivery) != fmt.Sprint(p.Delivery) {
		return received{}, fmt.Errorf("delivery id")
	}
	return received{key: r.Header.Get(webhook.HeaderDelivery), kind: p.Kind}, nil
}

const pdKey = "pd-routing-e2e-0123456789"

// parsePagerDuty checks an Events API v2 request.
func parsePagerDuty(r *http.Request, body []byte) (received, error) {
	var e pagerduty.Event
	if err := strictJSON(body, &e); err != nil {
		return received{}, err
	}
	switch {
	case r.URL.Path != "/v2/enqueue":
		return received{}, fmt.Errorf("path %s", r.URL.Path)
	case e.RoutingKey != pdKey || e.DedupKey == "":
		return received{}, fmt.Errorf("routing or dedup key")
	case e.EventAction == "resolve":
		return received{key: "resolve " + e.DedupKey, kind: "resolved"}, nil
	case e.EventAction != "trigger" || e.Payload == nil || e.Payload.Summary == "" || e.Payload.Source == "":
		return received{}, fmt.Errorf("bad trigger")
	case !regexp.MustCompile(`^(critical|error|warning|info)$`).MatchString(e.Payload.Severity):
		return received{}, fmt.Errorf("severity %q", e.Payload.Severity)
	}
	return received{key: e.Payload.Class + e.Payload.Timestamp, kind: e.Payload.Class}, nil
}

const ogKey = "og-api-e2e-0123456789"

var deliveryNote = regexp.MustCompile(`\(authmon n(\d+)\)$`)

// parseOpsgenie checks an Alerts API request: create, note or close by alias.
func parseOpsgenie(r *http.Request, body []byte) (received, error) {
	if r.Header.Get("Authorization") != "GenieKey "+ogKey {
		return received{}, fmt.Errorf("authorization")
	}
	if r.URL.Path == "/v2/alerts" {
		var c opsgenie.CreateRequest
		if err := strictJSON(body, &c); err != nil {
			return received{}, err
		}
		if c.Alias == "" || len(c.Message) == 0 || len([]rune(c.Message)) > 130 || !regexp.MustCompile(`^P[1-5]$`).MatchString(c.Priority) {
			return received{}, fmt.Errorf("bad create")
		}
		return received{key: "n" + c.Details["delivery"], kind: "opened"}, nil
	}
	m := regexp.MustCompile(`^/v2/alerts/([^/]+)/(notes|close)$`).FindStringSubmatch(r.URL.Path)
	var n opsgenie.NoteRequest
	if m == nil || r.URL.Query().Get("identifierType") != "alias" {
		return received{}, fmt.Errorf("path %s", r.URL)
	}
	if err := strictJSON(body, &n); err != nil {
		return received{}, err
	}
	d := deliveryNote.FindStringSubmatch(n.Note)
	if d == nil {
		return received{}, fmt.Errorf("note names no delivery")
	}
	kind := map[string]string{"notes": "note", "close": "resolved"}[m[2]]
	return received{key: "n" + d[1], kind: kind}, nil
}

var headKind = regexp.MustCompile(`Incident #\d+ (opened|update|reminder|resolved)`)

// parseTeams checks a Workflows message with one Adaptive Card.
func parseTeams(r *http.Request, body []byte) (received, error) {
	var m teams.Message
	if err := strictJSON(body, &m); err != nil {
		return received{}, err
	}
	if m.Type != "message" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != teams.CardContentType {
		return received{}, fmt.Errorf("not a card message")
	}
	c := m.Attachments[0].Content
	if c.Type != "AdaptiveCard" || c.Version == "" || len(c.Body) < 2 {
		return received{}, fmt.Errorf("not an adaptive card")
	}
	head, _ := c.Body[0]["text"].(string)
	k := headKind.FindStringSubmatch(head)
	if k == nil {
		return received{}, fmt.Errorf("head %q", head)
	}
	var id string
	for _, b := range c.Body {
		if b["type"] == "FactSet" {
			for _, f := range b["facts"].([]any) {
				if f := f.(map[string]any); f["title"] == "Notification" {
					id = f["value"].(string)
				}
			}
		}
	}
	if id == "" {
		return received{}, fmt.Errorf("no notification id")
	}
	return received{key: id, kind: k[1]}, nil
}

func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	return d.Decode(v)
}
