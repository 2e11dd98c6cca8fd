package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

func TestLogNotifier(t *testing.T) {
	tests := []struct {
		name      string
		ev        Event
		wantLevel string
	}{
		{"regressed", regressed("login-api", bypassFailure()), "WARN"},
		{"recovered", Event{Kind: KindRecovered, Check: "login-api", At: t0.Add(time.Hour), Since: t0}, "INFO"},
		{"test", Event{Kind: KindTest, Check: "login-api"}, "INFO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			n := LogNotifier{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
			if err := n.Notify(context.Background(), tt.ev); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("log is not one JSON record: %v: %s", err, buf.String())
			}
			want := map[string]any{"level": tt.wantLevel, "check": "login-api", "kind": string(tt.ev.Kind),
				"severity": tt.ev.Severity.String(), "alert": RenderText(tt.ev)}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("%s = %v, want %v", k, rec[k], v)
				}
			}
		})
	}
}
