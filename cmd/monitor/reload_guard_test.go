package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateNeverPanics: a zone prefix with nothing after it used to
// panic inside the cron parser and crash validate.
func TestValidateNeverPanics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tz.toml")
	os.WriteFile(path, []byte("[[check]]\nname = \"a\"\nurl = \"https://example.com/\"\nschedule = \"TZ=UTC\"\n"), 0o600)
	code, _, errOut := runCLI("validate", "-config", path)
	if code != exitConfig || !strings.Contains(errOut, path+`:4: check[0].schedule: invalid schedule "TZ=UTC": a time zone prefix needs a zone and a schedule after it`) {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// TestReloadKeepsChecksOnBadInput sends SIGHUP to a running serve with a
// schedule that used to panic the cron parser (killing serve) and then with
// an empty file (which used to stop every check, logged at INFO). Both are
// refused: serve keeps running the previous checks, logs the refusal at
// ERROR and shows it on the dashboard.
func TestReloadKeepsChecksOnBadInput(t *testing.T) {
	dir := t.TempDir()
	target, srv := newHitTarget(t)
	path := filepath.Join(dir, "checks.toml")
	reloadConfig(t, path, srv.URL, probe{name: "kept"})
	m := startMonitor(t, path, filepath.Join(dir, "m.db"))
	defer m.stop(t)
	waitFor(t, "the first run", func() bool { return len(target.times("/kept")) > 0 })

	reloadConfig(t, path, srv.URL, probe{name: "kept"})
	zoned := "[[check]]\nname = \"zoned\"\nurl = \"" + srv.URL + "/zoned\"\nschedule = \"TZ=UTC\"\n"
	if f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0); err != nil {
		t.Fatal(err)
	} else {
		f.WriteString(zoned)
		f.Close()
	}
	sighup(t)
	waitFor(t, "the refused schedule on the dashboard", func() bool {
		return strings.Contains(m.get(t, "/"), `check[1].schedule: invalid schedule &#34;TZ=UTC&#34;`)
	})

	os.WriteFile(path, nil, 0o600)
	sighup(t)
	waitFor(t, "the refused empty file on the dashboard", func() bool {
		page := m.get(t, "/")
		return strings.Contains(page, "the file defines no [[check]]") && strings.Contains(page, `data-check="kept"`)
	})
	if !strings.Contains(m.logs.String(), "level=ERROR msg=\"config reload: "+path+": check: the file defines no [[check]]") {
		t.Errorf("the empty file is not logged at ERROR:\n%s", m.logs.String())
	}
	runs := len(target.times("/kept"))
	waitFor(t, "the kept check to run on", func() bool { return len(target.times("/kept")) > runs })
}
