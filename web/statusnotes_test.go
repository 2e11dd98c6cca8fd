package web

import (
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/authmon/monitor/internal/store"
)

// TestStatusNotePublished: a signed-in user posts a note; it is on the
// public page at once (the cache is dropped), without its author, who is
// recorded for the team.
func TestStatusNotePublished(t *testing.T) {
	f := newStatusHandler(t, AuthConfig{Users: map[string]string{"alice": testHash(t, canary)}})
	get(t, f.h, "/status") // cached before the note
	rec := postNote(t, f.h, url.Values{"component": {"Payments"}, "phase": {"identified"},
		"body": {"Card payments fail for some customers.\r\nWe are on it."}}, "alice")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/status-admin" {
		t.Fatalf("post: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	got := getStatusJSON(t, f.h)
	if len(got.Notes) != 1 {
		t.Fatalf("notes on the public page: %+v", got.Notes)
	}
	n := got.Notes[0]
	if n.Component != "Payments" || n.Phase != "identified" || n.Text != "Card payments fail for some customers.\nWe are on it." ||
		!n.At.Equal(t0) {
		t.Errorf("note = %+v", n)
	}
	page := get(t, f.h, "/status").Body.String()
	if !strings.Contains(page, "Identified") || !strings.Contains(page, "Card payments fail") || strings.Contains(page, "alice") {
		t.Errorf("public page: note shown %v, author hidden %v", strings.Contains(page, "Card payments fail"),
			!strings.Contains(page, "alice"))
	}
	saved, err := f.st.Store.StatusNotes(context.Background(), t0.Add(-time.Hour), 10)
	if err != nil || len(saved) != 1 || saved[0].Author != "alice" || !saved[0].Created.Equal(t0) {
		t.Fatalf("stored = %+v, %v; want alice at t0", saved, err)
	}
	req := httptest.NewRequest(http.MethodGet, "/status-admin", nil)
	req.SetBasicAuth("alice", canary)
	adm := httptest.NewRecorder()
	f.h.ServeHTTP(adm, req)
	if rp := adm.Header().Get("Referrer-Policy"); rp != "same-origin" {
		t.Errorf("admin page Referrer-Policy %q: with no-referrer browsers post its form with Origin: null, refused as cross-site", rp)
	}
	doc, err := goquery.NewDocumentFromReader(adm.Body)
	if err != nil {
		t.Fatal(err)
	}
	if a := doc.Find(`[data-testid="note-author"]`).Text(); a != "alice" {
		t.Errorf("admin page author %q, want alice", a)
	}
	if doc.Find(`form[data-testid="note-form"] input[name="csrf"]`).Length() != 1 {
		t.Error("the note form has no CSRF field")
	}
}

// TestStatusNoteRefused: a bad note is refused with the reason and the
// text kept in the form; a post without the CSRF token changes nothing.
func TestStatusNoteRefused(t *testing.T) {
	f := newStatusHandler(t, AuthConfig{})
	long := strings.Repeat("x", maxNoteLen+1)
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"unknown component", url.Values{"component": {"Nope"}, "phase": {"resolved"}, "body": {"kept text"}}, "pick a component"},
		{"unknown phase", url.Values{"phase": {"panicking"}, "body": {"kept text"}}, "pick a phase"},
		{"empty", url.Values{"phase": {"resolved"}, "body": {"  \r\n "}}, "write what customers should know"},
		{"too long", url.Values{"phase": {"resolved"}, "body": {long}}, "at most 2000 characters"},
		{"control character", url.Values{"phase": {"resolved"}, "body": {"kept\x1b[31m"}}, "control characters"},
		{"a secret", url.Values{"phase": {"resolved"}, "body": {"the key is " + canary}}, "contains a secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := postNote(t, f.h, tt.form, "")
			body := rec.Body.String()
			if rec.Code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
				t.Fatalf("%d, want 400 saying %q:\n%s", rec.Code, tt.want, body)
			}
			if strings.Contains(body, canary) {
				t.Error("the refused form echoes the secret")
			}
			if strings.Contains(tt.form.Get("body"), "kept") && !strings.Contains(body, "kept") {
				t.Error("the refused form lost the text")
			}
		})
	}
	req := httptest.NewRequest(http.MethodPost, "http://monitor.test/status-admin/notes",
		strings.NewReader(url.Values{"phase": {"resolved"}, "body": {"forged"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("post without the CSRF token: %d, want 403", rec.Code)
	}
	if notes := getStatusJSON(t, f.h).Notes; len(notes) != 0 {
		t.Errorf("refused posts were published: %+v", notes)
	}
}

// TestStatusPageLeaksNothing is the canary test: the checks have secrets in
// their URLs, headers and credentials, their evidence is hostile markup,
// and a stored note quotes a secret. Neither the page nor its JSON, plain
// or compressed, holds a secret in any encoding, a URL, evidence, an
// assertion or a check name.
func TestStatusPageLeaksNothing(t *testing.T) {
	f := newStatusHandler(t, AuthConfig{})
	if _, err := f.st.Store.AddStatusNote(context.Background(), store.StatusNote{Created: t0, Author: "bob",
		Phase: "investigating", Body: "pasted by mistake: " + canary}); err != nil {
		t.Fatal(err)
	}
	forbidden := []string{canary, url.QueryEscape(canary), base64.StdEncoding.EncodeToString([]byte(canary)),
		base64.StdEncoding.EncodeToString([]byte("monitor:" + canary)), base64.RawURLEncoding.EncodeToString([]byte(canary)),
		"127.0.0.1", "http://", "https://", "<script", `\u003cscript`, "alert(1)", "RFC 9110", "realm", "expected 401",
		"api-basic", "api-bearer", "api-key", "api-flaky", "pending one", "critical", "bob", "X-Extra"}
	for _, path := range []string{"/status", "/status.json"} {
		for _, gz := range []bool{false, true} {
			body := fetchBody(t, f.h, path, gz)
			if !strings.Contains(body, "Sign-in") {
				t.Fatalf("%s: not the status page:\n%s", path, body)
			}
			for _, s := range forbidden {
				if strings.Contains(body, s) {
					t.Errorf("%s (gzip %v) contains %q", path, gz, s)
				}
			}
			if path == "/status" && strings.Contains(strings.ToLower(body), "<script") {
				t.Errorf("/status has a script tag")
			}
		}
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(fetchBody(t, f.h, "/status.json", false)), &doc); err != nil {
		t.Fatal(err)
	}
	decoded, _ := json.Marshal(doc) // the decoded strings, to catch what escaping hid
	for _, s := range []string{canary, "<script", "http://"} {
		if strings.Contains(strings.ReplaceAll(string(decoded), `\u003c`, "<"), s) {
			t.Errorf("decoded JSON contains %q", s)
		}
	}
}

// fetchBody gets path, asking for gzip when gz, and returns the decoded body.
func fetchBody(t *testing.T, h http.Handler, path string, gz bool) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d", path, rec.Code)
	}
	var r io.Reader = rec.Body
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestIncidentLinksToStatusUpdate: an incident's page links to the update
// form with its check's component chosen; without a status page, no link.
func TestIncidentLinksToStatusUpdate(t *testing.T) {
	f := newStatusHandler(t, AuthConfig{})
	doc, err := goquery.NewDocumentFromReader(get(t, f.h, "/incidents/4").Body) // api-bearer, in Sign-in
	if err != nil {
		t.Fatal(err)
	}
	href, _ := doc.Find(`[data-testid="status-note-link"] a`).Attr("href")
	if href != "/status-admin?component=Sign-in" {
		t.Fatalf("link %q", href)
	}
	doc, err = goquery.NewDocumentFromReader(get(t, f.h, href).Body)
	if err != nil {
		t.Fatal(err)
	}
	if sel := doc.Find(`[data-testid="note-component"] option[selected]`).Text(); sel != "Sign-in" {
		t.Errorf("preselected component %q, want Sign-in", sel)
	}
	h, _ := newTestHandler(t)
	if strings.Contains(get(t, h, "/incidents/4").Body.String(), "status-note-link") {
		t.Error("an incident links to a status page that is off")
	}
}
