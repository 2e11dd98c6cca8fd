package main

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// canarySecrets are the secrets of the canary config, by variable, each
// with the user or client id it is paired with ("" for none).
var canarySecrets = map[string][2]string{
	"PATH_SECRET":     {"CANARY-path-14a", ""},
	"A_PASSWORD":      {"CANARY a/+&=%é-14b", "mon itor"},
	"BEARER":          {"CANARY-bearer/+14c", ""},
	"CLIENT_SECRET":   {"CANARY cs/+&=-14d", "my client"},
	"ECHO_PASSWORD":   {"CANARY-echo-pw-14e", "echo"},
	"SLACK_TOKEN":     {"xoxb-CANARY-14f", ""},
	"DIGEST_PASSWORD": {"CANARY-digest-14g", ""},
}

// The Digest check's user and realm, and the values a Digest answer is made
// of: HA1 and user:realm:password are fixed, the Authorization headers are
// collected as the target receives them (digestSeen).
const digestUser, digestRealm = "digester", "dg"

func digestA1() string {
	return digestUser + ":" + digestRealm + ":" + canarySecrets["DIGEST_PASSWORD"][0]
}

func digestHA1() string {
	sum := md5.Sum([]byte(digestA1()))
	return hex.EncodeToString(sum[:])
}

var digestSeen struct {
	sync.Mutex
	headers []string
}

// digestForms are the derived Digest secrets in the spellings an echo can
// carry them: plain, URL-encoded, JSON-escaped and Base64.
func digestForms() map[string]string {
	out := map[string]string{}
	digestSeen.Lock()
	values := append([]string{digestHA1(), digestA1()}, digestSeen.headers...)
	digestSeen.Unlock()
	for i, v := range values {
		name := fmt.Sprintf("digest value %d", i)
		out[name+" plain"], out[name+" query"], out[name+" json"] = v, url.QueryEscape(v), jsonString(v)
		out[name+" b64"], out[name+" b64-raw-url"] = base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v))
	}
	return out
}

// canaryForms are every spelling of every canary a request or an echo can
// carry: plain, URL-encoded (query, path), JSON-escaped, Base64 in both
// alphabets padded or not, alone and paired ("user:secret", and
// form-encoded first as client_secret_basic does).
func canaryForms() map[string]string {
	out := map[string]string{}
	encs := map[string]*base64.Encoding{"std": base64.StdEncoding, "raw-std": base64.RawStdEncoding,
		"url": base64.URLEncoding, "raw-url": base64.RawURLEncoding}
	for name, sp := range canarySecrets {
		secret, user := sp[0], sp[1]
		js, _ := json.Marshal(secret)
		out[name+" plain"], out[name+" query"], out[name+" path"] = secret, url.QueryEscape(secret), url.PathEscape(secret)
		out[name+" json"] = string(js[1 : len(js)-1])
		for e, enc := range encs {
			out[name+" b64-"+e] = enc.EncodeToString([]byte(secret))
			if user != "" {
				out[name+" b64-pair-"+e] = enc.EncodeToString([]byte(user + ":" + secret))
				out[name+" b64-form-pair-"+e] = enc.EncodeToString([]byte(url.QueryEscape(user) + ":" + url.QueryEscape(secret)))
			}
		}
	}
	return out
}

// canaryTarget serves every check of the canary config correctly, except
// that /echo answers the valid request with every canary form, in JSON
// members its check expects otherwise (so that the run fails and alerts,
// quoting them) and in headers.
func canaryTarget(t *testing.T) *httptest.Server {
	forms := canaryForms()
	sec := func(name string) string { return canarySecrets[name][0] }
	mux := http.NewServeMux()
	basic := func(user, pass, realm string, ok http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if u, p, has := r.BasicAuth(); has && u == user && p == pass {
				ok(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}
	fine := func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"ok":true}`) }
	mux.HandleFunc("/a/"+sec("PATH_SECRET")+"/me", basic("mon itor", sec("A_PASSWORD"), "a", fine))
	mux.HandleFunc("/echo", basic("echo", sec("ECHO_PASSWORD"), "echo", func(w http.ResponseWriter, _ *http.Request) {
		doc := map[string]string{}
		for name, f := range forms {
			doc[strings.ReplaceAll(name, " ", "_")] = f
			w.Header().Add("X-Echo", f)
		}
		json.NewEncoder(w).Encode(doc)
	}))
	// /digest refuses every answer, echoing it with HA1 and
	// user:realm:password in every spelling: the check fails and alerts.
	mux.HandleFunc("/digest", func(w http.ResponseWriter, r *http.Request) {
		echo := ""
		if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Digest username=") {
			digestSeen.Lock()
			digestSeen.headers = append(digestSeen.headers, auth)
			digestSeen.Unlock()
			for _, v := range []string{auth, digestHA1(), digestA1()} {
				echo += " " + v + " " + url.QueryEscape(v) + " " + base64.StdEncoding.EncodeToString([]byte(v))
			}
		}
		w.Header().Set("X-Echo", echo)
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm=%q, nonce="n%d", qop="auth"`, digestRealm, time.Now().UnixNano()))
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"echo":%q}`, echo)
	})
	mux.HandleFunc("/c", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+sec("BEARER") {
			fine(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="c"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if id != url.QueryEscape("my client") || secret != url.QueryEscape(sec("CLIENT_SECRET")) {
			w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"unknown client %s"}`, r.Header.Get("Authorization"))
			return
		}
		fmt.Fprint(w, `{"access_token":"issued-token-1234","token_type":"Bearer","expires_in":3600}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func writeCanaryConfig(t *testing.T, dir, target, slackURL string) string {
	t.Helper()
	var echoJSON []string
	for name := range canaryForms() {
		echoJSON = append(echoJSON, fmt.Sprintf("%q = \"nothing\"", strings.ReplaceAll(name, " ", "_")))
	}
	cfg := fmt.Sprintf(`
[defaults]
schedule = "@every 1s"
timeout = "2s"

[[check]]
name = "a"
url = "%[1]s/a/${PATH_SECRET}/me"
[check.auth]
type = "basic"
username = "mon itor"
password = "${A_PASSWORD}"
[check.missing]
realm = "a"

[[check]]
name = "c"
url = "%[1]s/c"
[check.auth]
type = "bearer"
token = "${BEARER}"
[check.missing]
realm = "c"

[[check]]
name = "token"
kind = "token"
url = "%[1]s/token"
[check.token]
client_id = "my client"
client_secret = "${CLIENT_SECRET}"

[[check]]
name = "echo"
url = "%[1]s/echo"
[check.auth]
type = "basic"
username = "echo"
password = "${ECHO_PASSWORD}"
[check.valid]
json = { %[3]s }
[check.missing]
realm = "echo"

[[check]]
name = "d"
url = "%[1]s/digest"
[check.auth]
type = "digest"
username = "digester"
password = "${DIGEST_PASSWORD}"
[check.missing]
realm = "dg"

[slack]
token = "${SLACK_TOKEN}"
channel = "#auth-alerts"
api_url = %[2]q
`, target, slackURL+"/api/", strings.Join(echoJSON, ", "))
	path := filepath.Join(dir, "checks.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNoCanaryLeaves (items 13 and 14): one check's target echoes every
// other check's secrets in every encoding; none of them may leave the
// process by any exit: the database and its WAL, the log, every dashboard
// page and API route, /metrics, and the Slack messages.
func TestNoCanaryLeaves(t *testing.T) {
	for name, sp := range canarySecrets {
		t.Setenv(name, sp[0])
	}
	dir := t.TempDir()
	sl := newSlack(t)
	cfgPath, dbPath := writeCanaryConfig(t, dir, canaryTarget(t).URL, sl.srv.URL), filepath.Join(dir, "monitor.db")
	m := startMonitor(t, cfgPath, dbPath)
	echoAlert := func() string {
		for _, msg := range sl.messages() {
			if strings.Contains(msg["text"], "echo failing") {
				return msg["text"] + msg["blocks"]
			}
		}
		return ""
	}
	waitFor(t, "the echo check's alert", func() bool { return echoAlert() != "" })
	waitFor(t, "every check to run", func() bool {
		return !strings.Contains(m.get(t, "/api/v1/checks"), `"state":"pending"`)
	})
	exits := map[string]string{"database while running": readDB(dbPath), "echo alert": echoAlert()}
	for _, path := range dashboardPaths(t, m) {
		exits["GET "+path] = m.get(t, path)
	}
	m.stop(t)
	exits["database after stop"] = readDB(dbPath)
	exits["log"] = m.logs.String()
	for i, msg := range sl.messages() {
		delete(msg, "token") // the one place the Slack token must be
		b, _ := json.Marshal(msg)
		exits[fmt.Sprintf("slack message %d", i)] = string(b)
	}
	// The echoes were recorded and alerted on, without their secrets.
	for _, where := range []string{"database while running", "GET /checks/echo", "echo alert"} {
		if !strings.Contains(exits[where], "[REDACTED]") {
			t.Errorf("%s shows no redacted echo:\n%.3000s", where, exits[where])
		}
	}
	digestSeen.Lock()
	sent := len(digestSeen.headers)
	digestSeen.Unlock()
	if sent == 0 {
		t.Error("the digest check sent no Digest answer")
	}
	forms := canaryForms()
	maps.Copy(forms, digestForms())
	for where, text := range exits {
		for form, f := range forms {
			for _, sp := range []string{f, html.EscapeString(f), jsonString(f)} {
				if strings.Contains(text, sp) {
					t.Errorf("%s holds %s: %q", where, form, sp)
					break
				}
			}
		}
	}
}

// readDB is the database file and its -wal, as bytes on disk.
func readDB(path string) string {
	var b []byte
	for _, suffix := range []string{"", "-wal"} {
		data, _ := os.ReadFile(path + suffix)
		b = append(b, data...)
	}
	return string(b)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// dashboardPaths lists every page and API route for the canary checks and
// their incident.
func dashboardPaths(t *testing.T, m *monitor) []string {
	paths := []string{"/", "/config", "/incidents", "/api/v1/checks", "/api/v1/incidents", "/metrics", "/readyz", "/healthz"}
	for _, c := range []string{"a", "c", "token", "echo", "d"} {
		paths = append(paths, "/checks/"+c, "/api/v1/checks/"+c, "/api/v1/checks/"+c+"/runs",
			"/badges/"+c+"/status.svg", "/badges/"+c+"/uptime.svg")
	}
	var inc struct {
		Incidents []struct {
			ID int64 `json:"id"`
		} `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(m.get(t, "/api/v1/incidents")), &inc); err != nil || len(inc.Incidents) == 0 {
		t.Fatalf("no incident listed: %v", err)
	}
	for _, i := range inc.Incidents {
		paths = append(paths, fmt.Sprintf("/incidents/%d", i.ID), fmt.Sprintf("/api/v1/incidents/%d", i.ID))
	}
	return paths
}

// TestOtherChecksSecretHidden (item 14): a password in one check's URL path
// is hidden in another check's evidence too, in `monitor check` as in serve.
func TestOtherChecksSecretHidden(t *testing.T) {
	const secret = "CANARY-path-only-in-a"
	t.Setenv("A_PATH", secret)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"seen":"/a/%s/me"}`, secret) // b's target quotes a's URL
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "checks.toml")
	cfg := fmt.Sprintf(`
[[check]]
name = "a"
url = "%[1]s/a/${A_PATH}/me"
[[check]]
name = "b"
url = "%[1]s/b"
`, srv.URL)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out, errOut := runCLI("check", "-json", "-config", path, "b")
	if !strings.Contains(out, `"name": "b"`) {
		t.Fatalf("no result for b:\n%s%s", out, errOut)
	}
	if strings.Contains(out, secret) || !strings.Contains(out, "[REDACTED]") {
		t.Errorf("b's evidence shows a's secret or no redaction:\n%s", out)
	}
}
