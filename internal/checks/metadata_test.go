package checks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestResourceMetadata is C17: the challenge's resource_metadata must name
// a JSON document whose resource is the URL the monitor used.
func TestResourceMetadata(t *testing.T) {
	cases := []struct {
		name string
		doc  func(base string) (int, string)
		link string // resource_metadata; "" points at /meta
		pass bool
		got  string
	}{
		{"identical resource", func(base string) (int, string) {
			return 200, `{"resource":"` + base + `/api","authorization_servers":["https://idp.test"]}`
		}, "", true, ""},
		{"other resource", func(base string) (int, string) { return 200, `{"resource":"https://other.test/api"}` }, "", false, `resource "https://other.test/api"`},
		{"not JSON", func(string) (int, string) { return 200, `<html>` }, "", false, "not a JSON object"},
		{"no resource", func(string) (int, string) { return 200, `{}` }, "", false, "without a resource string"},
		{"missing document", func(string) (int, string) { return 404, `` }, "", false, "404 from"},
		{"not a URL", nil, "/relative", false, "not an absolute http(s) URL"},
		// A target must not make the monitor fetch other hosts (e.g.
		// internal addresses): the link is left alone, and said so.
		{"another host", nil, "http://metadata.internal.test/meta", true, "resource_metadata on metadata.internal.test"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var fetches atomic.Int32
			var base string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/meta" {
					fetches.Add(1)
					code, body := c.doc(base)
					w.WriteHeader(code)
					w.Write([]byte(body))
					return
				}
				link := c.link
				if link == "" {
					link = base + "/meta"
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="api", resource_metadata="`+link+`"`)
				w.WriteHeader(401)
			}))
			defer srv.Close()
			base = srv.URL
			ch := Check{Name: "meta", URL: srv.URL + "/api", Timeout: time.Second, MaxBody: 1024,
				Probes: []ProbeSpec{{Kind: ProbeMissing, Scheme: "Bearer"}, {Kind: ProbeMissing, Scheme: "Bearer"}}}
			res := Run(context.Background(), srv.Client(), ch)
			a := assertionOf(t, res.Probes[0], "C17")
			if a.Pass != c.pass || !strings.Contains(a.Got, c.got) || a.Severity != SevConf {
				t.Fatalf("C17 = %+v", a)
			}
			for _, a := range res.Probes[1].Assertions {
				if a.ID == "C17" {
					t.Fatal("C17 judged twice in one run")
				}
			}
			if c.doc != nil && fetches.Load() != 1 {
				t.Fatalf("%d fetches", fetches.Load())
			}
		})
	}
}
