package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestLogNotifier(t *testing.T) {
	calm := event(KindCalm, "login-api", 0)
	calm.Status = StatusPassing
	tests := []struct {
		ev        Event
		wantLevel string
	}{
		{event(KindOpened, "login-api", 12, bypass()), "WARN"},
		{event(KindUpdated, "login-api", 12, bypass()), "WARN"},
		{event(KindReminder, "login-api", 12, bypass()), "WARN"},
		{event(KindResolved, "login-api", 12, bypass()), "INFO"},
		{event(KindFlapping, "login-api", 12), "INFO"},
		{calm, "INFO"},
		{Event{Kind: KindTest, Check: "login-api"}, "INFO"},
	}
	for _, tt := range tests {
		t.Run(string(tt.ev.Kind), func(t *testing.T) {
			var buf bytes.Buffer
			n := LogNotifier{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
			th, err := n.Notify(context.Background(), Delivery{ID: 9, Event: tt.ev})
			if err != nil || th != (Thread{}) {
				t.Fatalf("Notify = %+v, %v; want a zero Thread and no error", th, err)
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("log is not one JSON record: %v: %s", err, buf.String())
			}
			want := map[string]any{"level": tt.wantLevel, "check": "login-api", "kind": string(tt.ev.Kind),
				"severity": tt.ev.Severity.String(), "alert": RenderText(tt.ev),
				"incident": float64(tt.ev.IncidentID), "delivery": float64(9)}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("%s = %v, want %v", k, rec[k], v)
				}
			}
		})
	}
}
