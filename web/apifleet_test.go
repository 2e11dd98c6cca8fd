package web

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/store"
)

func TestAPIFleetSingleMonitor(t *testing.T) {
	h, _ := newTestHandler(t)
	var raw map[string]any
	getJSON(t, h, "/api/v1/fleet", http.StatusOK, &raw)
	if raw["fleet"] != false || raw["self"] != nil {
		t.Errorf("fleet %v, self %v: want false and null", raw["fleet"], raw["self"])
	}
	for _, k := range []string{"instances", "schedule"} {
		if l, ok := raw[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %v, want []", k, raw[k])
		}
	}
	var body struct{ Checks []apiCheck }
	getJSON(t, h, "/api/v1/checks", http.StatusOK, &body)
	for _, c := range body.Checks {
		if c.Locations == nil || len(c.Locations) != 0 {
			t.Errorf("%s: locations %v, want []", c.Name, c.Locations)
		}
	}
}

func TestAPIFleet(t *testing.T) {
	self := standing()
	self.ConfigSHA, self.Claiming = oldSHA, false
	h := New(Deps{Store: newFleetStore(t), Checks: fixed(fleetChecks()), Now: func() time.Time { return t0 },
		Fleet: func() store.Standing { return self }})
	var f apiFleet
	getJSON(t, h, "/api/v1/fleet", http.StatusOK, &f)
	if !f.Fleet || f.ConfigSHA != fleetSHA {
		t.Errorf("fleet %v, config %q", f.Fleet, f.ConfigSHA)
	}
	want := apiSelf{Instance: "mon-eu-1", Location: "eu-west", DatabaseReachable: true, ConfigSHA: oldSHA,
		ConfigDiffers: true, Heartbeat: t0.Add(-time.Second)}
	if f.Self == nil || *f.Self != want {
		t.Errorf("self %+v\nwant %+v", f.Self, want)
	}
	var ids, differs []string
	for _, in := range f.Instances {
		ids = append(ids, in.ID)
		if in.ConfigDiffers {
			differs = append(differs, in.ID)
		}
	}
	if !slices.Equal(ids, []string{"mon-eu-1", "mon-us-1", "mon-ap-1"}) || !slices.Equal(differs, []string{"mon-us-1"}) {
		t.Errorf("instances %v, differing %v", ids, differs)
	}
	if in := f.Instances[0]; !in.Live || in.SlotsRun != 1200 || in.LateP99MS != 180 || !in.Claiming {
		t.Errorf("mon-eu-1 = %+v", in)
	}
	if len(f.Schedule) != 3 || f.Schedule[0].LeaseOwner != "mon-eu-1" || f.Schedule[1].LeaseOwner != "" ||
		f.Schedule[1].Skipped != 3 {
		t.Errorf("schedule %+v", f.Schedule)
	}
}

func TestAPICheckLocations(t *testing.T) {
	st := newFleetStore(t)
	res := basicRun(t0.Add(-time.Second))
	res.Location, res.Slot = "us-east", t0.Add(-time.Second)
	eval := func(prev alert.State, res checks.Result, runID int64) (alert.State, *alert.Incident, []alert.Event) {
		return alert.Decide(prev, res, runID, testPolicy())
	}
	if _, _, err := st.RecordRun(context.Background(), res, eval); err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Store: st, Checks: fixed(fleetChecks()), Now: func() time.Time { return t0 }, Fleet: standing})
	var d apiCheckDetail
	getJSON(t, h, "/api/v1/checks/api-basic", http.StatusOK, &d)
	type loc struct{ location, status, instance, failing string }
	var got []loc
	for _, l := range d.Locations {
		ids := ""
		for _, f := range l.Failing {
			ids += f.Probe + "/" + f.Assertion
		}
		got = append(got, loc{l.Location, l.Status, l.Instance, ids})
	}
	want := []loc{{"ap-south", "stale", "mon-ap-1", ""}, {"eu-west", "passing", "mon-eu-1", ""},
		{"us-east", "failing", "mon-us-1", "missing/B1"}}
	if !slices.Equal(got, want) {
		t.Errorf("locations %+v\nwant %+v", got, want)
	}
	var list struct{ Checks []apiCheck }
	getJSON(t, h, "/api/v1/checks", http.StatusOK, &list)
	byName := map[string][]apiLocation{}
	for _, c := range list.Checks {
		byName[c.Name] = c.Locations
	}
	if l := byName["api-basic"]; len(l) != 3 || l[2].Status != "failing" {
		t.Errorf("api-basic in the list: %+v", l)
	}
	if l := byName["api-bearer"]; len(l) != 1 || l[0].Location != "eu-west" || l[0].Status != "passing" {
		t.Errorf("api-bearer in the list: %+v", l)
	}
	if l := byName[pendingName]; len(l) != 0 {
		t.Errorf("a check without results: %+v", l)
	}
	var runs struct{ Runs []apiRun }
	getJSON(t, h, "/api/v1/checks/api-basic/runs?limit=2", http.StatusOK, &runs)
	if runs.Runs[0].Location != "us-east" || runs.Runs[1].Location != "" {
		t.Errorf("run locations %q, %q; want us-east and none", runs.Runs[0].Location, runs.Runs[1].Location)
	}
}

func TestAPIFleetNeedsAuth(t *testing.T) {
	h := New(Deps{Store: newFleetStore(t), Checks: fixed(fleetChecks()), Fleet: standing,
		Auth: AuthConfig{Tokens: [][32]byte{tokenDigest(testToken)}}})
	if rec := do(t, h, "/api/v1/fleet", "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("without a token: status %d, want 401", rec.Code)
	}
	rec := do(t, h, "/api/v1/fleet", "", map[string]string{"Authorization": "Bearer " + testToken})
	if rec.Code != http.StatusOK {
		t.Errorf("with the token: status %d, want 200", rec.Code)
	}
}
