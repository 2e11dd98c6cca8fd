package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPagesAndAPICompressWhenAsked(t *testing.T) {
	h, _ := newTestHandler(t)
	for _, path := range []string{"/", "/api/v1/checks"} {
		plain := get(t, h, path)
		if plain.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s: compressed without Accept-Encoding", path)
		}
		want := plain.Body.Bytes()
		if len(want) < minCompress {
			t.Fatalf("%s: %d bytes, too small to test compression", path, len(want))
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate")
		zipped := httptest.NewRecorder()
		h.ServeHTTP(zipped, req)
		if zipped.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(zipped.Header().Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s: want gzip with Vary, got %v", path, zipped.Header())
		}
		if zipped.Body.Len() >= len(want) {
			t.Fatalf("%s: compressed %d bytes to %d", path, len(want), zipped.Body.Len())
		}
		zr, err := gzip.NewReader(zipped.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(zr)
		// Pages with a form carry a fresh CSRF token each time: compare
		// the length, which the token does not change, and the content.
		if len(got) != len(want) || !strings.Contains(string(got), "api-basic") {
			t.Fatalf("%s: decompressed body (%d bytes) is not the page (%d bytes)", path, len(got), len(want))
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{"": false, "gzip": true, "br, GZIP;q=0.5": true, "gzip;q=0": false, "gzip; Q=0.000": false, "gzip;q=0.001": true, "deflate": false} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("%q: got %v, want %v", header, got, want)
		}
	}
}
