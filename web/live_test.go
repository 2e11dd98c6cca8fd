package web

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readEvent reads one server-sent event (up to its blank line), skipping
// comments.
func readEvent(t *testing.T, r *bufio.Reader) map[string]string {
	t.Helper()
	ev := map[string]string{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read event: %v (so far %v)", err, ev)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && len(ev) > 0:
			return ev
		case line == "" || strings.HasPrefix(line, ":"):
		default:
			k, v, _ := strings.Cut(line, ": ")
			ev[k] = v
		}
	}
}

// TestEvents: /events says "ready" at once with the newest run, then
// "runs" when a run is recorded, through a real server and store.
func TestEvents(t *testing.T) {
	s := seededStore(t)
	srv := httptest.NewServer(New(Deps{Store: s, Checks: fixed(testChecks()), Now: func() time.Time { return t0 }}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("%d %q, want 200 text/event-stream", resp.StatusCode, ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	r := bufio.NewReader(resp.Body)
	latest, _ := s.LatestRunID(ctx)
	if ev := readEvent(t, r); ev["event"] != "ready" || ev["retry"] != "5000" || ev["data"] != strconv.FormatInt(latest, 10) {
		t.Fatalf("first event %v, want ready with run %d", ev, latest)
	}
	if _, _, err := s.RecordRun(ctx, basicRun(t0.Add(time.Second)), eval); err != nil {
		t.Fatal(err)
	}
	now, _ := s.LatestRunID(ctx)
	if ev := readEvent(t, r); ev["event"] != "runs" || ev["data"] != strconv.FormatInt(now, 10) || now == latest {
		t.Fatalf("second event %v, want runs with %d (was %d)", ev, now, latest)
	}
}

func TestEventsStoreError(t *testing.T) {
	h := New(Deps{Store: brokenStore{}, Checks: fixed(testChecks())})
	if rec := get(t, h, "/events"); rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
}

// TestLiveScript: live.js is served as JavaScript and every page loads it
// from /static (the CSP allows no inline script) and works without it.
func TestLiveScript(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := get(t, h, "/static/live.js")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("live.js: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, path := range []string{"/", "/checks/api-basic", "/incidents", "/config"} {
		doc := parse(t, get(t, h, path))
		if doc.Find(`script[src="/static/live.js"][defer]`).Length() != 1 || doc.Find("script:not([src])").Length() != 0 {
			t.Errorf("GET %s: live.js not loaded as the only, external script", path)
		}
		if _, hidden := doc.Find(`[data-testid="live"]`).Attr("hidden"); !hidden {
			t.Errorf("GET %s: the live indicator shows before the script runs", path)
		}
		if doc.Find(`head noscript`).Length() != 1 {
			t.Errorf("GET %s: no refresh for browsers without JavaScript", path)
		}
	}
}

// TestEventsEndOnShutdown: a graceful stop does not wait for open streams.
func TestEventsEndOnShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: New(Deps{Store: seededStore(t), Checks: fixed(testChecks())})}
	go func() { _ = srv.Serve(ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	readEvent(t, bufio.NewReader(resp.Body))
	// A deadline against a stream that never ends, not a speed target: it
	// timed out at 5 s under the race detector on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown waited for the stream: %v", err)
	}
}
