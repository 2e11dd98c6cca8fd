package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
	alertslack "github.com/authmon/monitor/internal/alert/slack"
)

// outageSlack is an incoming webhook on loopback that answers 503 while down
// and otherwise records, per check, the incident numbers it was sent.
type outageSlack struct {
	down atomic.Bool
	mu   sync.Mutex
	got  map[string][]int64
	n    int
}

var outageMessage = regexp.MustCompile(`Incident #(\d+) opened .* (c\d+) failing`)

func (o *outageSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if o.down.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var msg struct{ Text string }
	_ = json.Unmarshal(body, &msg)
	m := outageMessage.FindStringSubmatch(msg.Text)
	if m == nil {
		http.Error(w, "unexpected message "+msg.Text, http.StatusBadRequest)
		return
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	o.mu.Lock()
	o.got[m[2]] = append(o.got[m[2]], id)
	o.n++
	o.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

func (o *outageSlack) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n
}

// TestOutageDrain covers item 4 end to end and gives its figure: 200
// notifications queued during a 10-minute Slack outage (fast-forwarded:
// each minute is one Drain against a Slack answering 503), then Slack
// recovers and an alert is raised behind the oldest retry. Every one must
// arrive once, in order per check, without waiting out the outage's
// backoffs (up to 5 minutes each). The drain time is logged:
//
//	go test ./internal/store -run TestOutageDrain -v
func TestOutageDrain(t *testing.T) {
	engines(t, func(t *testing.T) {
		const checks, perCheck = 20, 10
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s, _ := openTemp(t)
		slack := &outageSlack{got: map[string][]int64{}}
		slack.down.Store(true)
		srv := httptest.NewServer(slack)
		t.Cleanup(srv.Close)
		queue := func(check string, id int64) {
			now := time.Now()
			ev := alert.Event{Kind: alert.KindOpened, Check: check, IncidentID: id, At: now, Since: now}
			if _, err := s.Enqueue(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		for i := range perCheck {
			for c := range checks {
				queue(fmt.Sprintf("c%02d", c), int64(i+1))
			}
		}
		var offset atomic.Int64 // the outage's fast-forward
		clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		notifier := alertslack.New(alertslack.Config{WebhookURL: srv.URL + "/services/T/B/x"}, srv.Client())
		snd := alert.NewSender(s, notifier, slog.New(slog.DiscardHandler), clock)
		for range 10 {
			if err := snd.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			offset.Add(int64(time.Minute))
		}
		if st, err := s.DeliveryStatus(ctx); err != nil || !st.Failing() || st.Waiting != checks*perCheck {
			t.Fatalf("during the outage: %+v, %v; want failing, %d waiting", st, err, checks*perCheck)
		}

		slack.down.Store(false)
		start := time.Now()
		queue("c00", perCheck+1) // raised just after Slack recovered
		done := make(chan struct{})
		go func() { defer close(done); snd.Run(ctx) }()
		snd.Wake()
		want := checks*perCheck + 1
		for deadline := time.Now().Add(time.Minute); slack.count() < want && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		drain := time.Since(start)
		// Slack has them all; the sender records the last one as sent just
		// after its answer: wait for that (bounded) before stopping it.
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if st, err := s.DeliveryStatus(ctx); err == nil && st.Waiting == 0 {
				break
			}
		}
		cancel()
		<-done
		if n := slack.count(); n != want {
			t.Fatalf("%d of %d notifications delivered within a minute of the recovery", n, want)
		}
		t.Logf("drain after a 10-minute outage: %d notifications delivered %s after Slack recovered", want, drain.Round(time.Millisecond))
		for check, ids := range slack.got {
			for i, id := range ids {
				if id != int64(i+1) {
					t.Fatalf("%s received incidents %v, want 1, 2, 3, … once each, in order", check, ids)
				}
			}
		}
		if st, err := s.DeliveryStatus(context.Background()); err != nil || st.Failing() || st.Waiting != 0 {
			t.Fatalf("after the drain: %+v, %v", st, err)
		}
	})
}
