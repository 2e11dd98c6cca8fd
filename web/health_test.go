package web

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// TestReadyz: 200 when ready, 503 with the reason otherwise; /healthz only
// says the process answers.
func TestReadyz(t *testing.T) {
	var problem error
	h := New(Deps{Store: brokenStore{}, Ready: func(context.Context) error { return problem }})
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusOK || rec.Body.String() != "ready" {
		t.Errorf("ready: %d %q", rec.Code, rec.Body.String())
	}
	problem = errors.New("database not writable; scheduler not running")
	rec := get(t, h, "/readyz")
	if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != "not ready: database not writable; scheduler not running\n" {
		t.Errorf("not ready: %d %q", rec.Code, rec.Body.String())
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("a readiness answer may be cached")
	}
	if rec := get(t, h, "/healthz"); rec.Code != http.StatusOK || rec.Body.String() != "ok" {
		t.Errorf("healthz with a broken store: %d %q", rec.Code, rec.Body.String())
	}
}
