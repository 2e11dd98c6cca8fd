package webhook

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestPayloadLocations: a fleet's notification names each location's view;
// a single monitor's has an empty list, never null.
func TestPayloadLocations(t *testing.T) {
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	ev := alert.Event{Kind: alert.KindOpened, Check: "api", At: at, Locations: []alert.LocationStatus{
		{Location: "eu", Status: "failing", At: at}, {Location: "us", Status: "stale"}}}
	b, err := json.Marshal(NewPayload(alert.Delivery{ID: 1, Event: ev}))
	if err != nil {
		t.Fatal(err)
	}
	want := `"locations":[{"location":"eu","status":"failing","at":"2026-12-05T09:00:00Z"},{"location":"us","status":"stale"}]`
	if !strings.Contains(string(b), want) {
		t.Fatalf("body %s\nwant %s", b, want)
	}
	ev.Locations = nil
	b, _ = json.Marshal(NewPayload(alert.Delivery{ID: 2, Event: ev}))
	if !strings.Contains(string(b), `"locations":[]`) {
		t.Fatalf("single monitor: %s", b)
	}
}
