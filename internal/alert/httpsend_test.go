package alert

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// TestPostHTTPClassifies: how each receiver answer is retried, waited on,
// given up on or marked unsure, with the URL's secret redacted.
func TestPostHTTPClassifies(t *testing.T) {
	const secret = "url-secret-0123456789"
	cases := []struct {
		name                  string
		handler               http.HandlerFunc
		ok, permanent, unsure bool
		wait                  time.Duration
	}{
		{"202 delivered", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(202) }, true, false, false, 0},
		{"500 retried", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", 500) }, false, false, false, 0},
		{"429 waits", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		}, false, false, false, 7 * time.Second},
		{"503 with a date waits", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(time.Minute).UTC().Format(http.TimeFormat))
			w.WriteHeader(503)
		}, false, false, false, 50 * time.Second},
		{"400 permanent, secret echoed", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad "+r.URL.Path, 400) }, false, true, false, 0},
		{"hang unsure", func(w http.ResponseWriter, _ *http.Request) { time.Sleep(time.Second) }, false, false, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			url := srv.URL + "/" + secret
			_, err := PostHTTP(ctx, srv.Client(), redact.New(redact.URLSecrets(url)...), "test", url, nil, []byte("{}"))
			if (err == nil) != c.ok || IsPermanent(err) != c.permanent || mayHaveLanded(err) != c.unsure {
				t.Fatalf("err %v: ok %v permanent %v unsure %v", err, err == nil, IsPermanent(err), mayHaveLanded(err))
			}
			if ra, ok := errors.AsType[*RetryAfterError](err); (c.wait > 0) != ok || ok && ra.Wait < c.wait {
				t.Errorf("retry after: %v, want %v", err, c.wait)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("the secret leaks: %v", err)
			}
		})
	}
}
