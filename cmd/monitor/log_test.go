package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/authmon/monitor/internal/redact"
)

// TestLoggerRedacts: the message, plain and error values, grouped and
// With values lose every secret of the redactor, in any encoding, also one
// added after the logger was made (a reload).
func TestLoggerRedacts(t *testing.T) {
	const secret, later = "CANARY log/+&-pw", "CANARY-added-on-reload"
	red := redact.New(secret, "u:"+secret)
	var buf bytes.Buffer
	log := newLogger(&buf, red)
	red.Add(later)
	pair := base64.StdEncoding.EncodeToString([]byte("u:" + secret))
	log.With("url", "https://h/x?k="+url.QueryEscape(secret)).Error("login failed for "+secret,
		"err", errors.New("Basic "+pair), "group", map[string]string{"k": later})
	out := buf.String()
	for _, f := range []string{secret, url.QueryEscape(secret), pair, later} {
		if strings.Contains(out, f) {
			t.Errorf("log holds %q:\n%s", f, out)
		}
	}
	if strings.Count(out, redact.Placeholder) < 4 {
		t.Errorf("expected four redactions:\n%s", out)
	}
}
