package slack

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/redact"
)

// TestPayloadRedacted: whatever an event carries, a Slack payload (bot and
// webhook) holds no secret the notifier's redactor knows, in any encoding;
// the process redactor replaces the notifier's own.
func TestPayloadRedacted(t *testing.T) {
	const secret = "CANARY pay/+&-load"
	forms := []string{secret, url.QueryEscape(secret), base64.StdEncoding.EncodeToString([]byte("u:" + secret))}
	r := bypass()
	r.Before = "seen " + forms[0]
	r.Failure.URL = "https://api.example.test/me?key=" + forms[1]
	r.Failure.Assertion.Got = "200 OK echoing Basic " + forms[2]
	f := newFakeSlack(t)
	for _, n := range []*Notifier{f.bot(), f.webhook()} {
		n.Redact = redact.New(secret, "u:"+secret)
		if _, err := n.Notify(t.Context(), alert.Delivery{ID: 1, Event: event(alert.KindOpened, "api", 3, r)}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.requests()
	if len(reqs) < 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, req := range reqs {
		body, _ := url.QueryUnescape(req.Body)
		for _, form := range forms {
			if strings.Contains(req.Body, form) || strings.Contains(body, form) {
				t.Errorf("%s payload holds %q", req.method(), form)
			}
		}
		if !strings.Contains(body, redact.Placeholder) {
			t.Errorf("%s payload shows no placeholder: %s", req.method(), body)
		}
	}
}
