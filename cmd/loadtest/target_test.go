package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
)

// TestGeneratedCheckPassesAgainstTarget checks that the target is a correct
// Basic-protected endpoint by the monitor's own judgement: a load test whose
// runs fail would measure failure paths, not the normal ones.
func TestGeneratedCheckPassesAgainstTarget(t *testing.T) {
	srv := httptest.NewServer(targetHandler())
	defer srv.Close()
	ch := generateChecks(1, maxProbes, time.Second, 10*time.Second, []string{strings.TrimPrefix(srv.URL, "http://")})[0]
	res := checks.Run(context.Background(), checks.NewClient(1), ch)
	if !res.Passed() || len(res.Probes) != maxProbes {
		t.Fatalf("run passed=%v with %d probes: %s", res.Passed(), len(res.Probes), res.Summary())
	}
}

func TestRequireLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.8:0", true},
		{"10.0.0.1:80", false},
		{"[::1]:80", false},
		{"localhost:80", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if err := requireLoopback(tt.addr); (err == nil) != tt.ok {
				t.Errorf("requireLoopback(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
			}
		})
	}
}
