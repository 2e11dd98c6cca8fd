package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/authmon/monitor/internal/alert/slack"
	"github.com/authmon/monitor/internal/store"
)

// slackWindow is how far a request's X-Slack-Request-Timestamp may be from
// now: Slack's own recommendation. Older requests are replays.
const slackWindow = 5 * time.Minute

// maxSlackBody bounds an interactivity request.
const maxSlackBody = 64 << 10

// slackActions serves Slack's interactivity requests (the buttons of an
// incident's root message). It refuses any request whose signature does
// not verify with the signing secret, whose timestamp is outside the
// window, or whose signature it has already seen (a replay inside it).
type slackActions struct {
	secret []byte
	oc     OnCall
	log    *slog.Logger
	now    func() time.Time
	mu     sync.Mutex
	seen   map[string]time.Time // signature -> its timestamp, for the window
}

func newSlackActions(secret string, oc OnCall, log *slog.Logger, now func() time.Time) *slackActions {
	return &slackActions{secret: []byte(secret), oc: oc, log: log, now: now, seen: map[string]time.Time{}}
}

func (s *slackActions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSlackBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := s.verify(r.Header, body); err != nil {
		s.log.WarnContext(r.Context(), "slack action refused", "err", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "refused", http.StatusUnauthorized)
		return
	}
	who, action, value, err := parseSlackAction(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.do(r, who, action, value); err != nil {
		s.log.WarnContext(r.Context(), "slack action failed", "action", action, "err", err.Error())
	}
	w.WriteHeader(http.StatusOK) // Slack shows nothing for an empty 200; the outbox updates the message
}

// verify checks v0=HMAC-SHA256(secret, "v0:"+timestamp+":"+body), the
// timestamp's window, and that the signature is new.
func (s *slackActions) verify(h http.Header, body []byte) error {
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("unsigned request")
	}
	now := s.now()
	at := time.Unix(sec, 0)
	if now.Sub(at) > slackWindow || at.Sub(now) > slackWindow {
		return errors.New("timestamp outside the replay window")
	}
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	if !hmac.Equal([]byte(sig), []byte("v0="+hex.EncodeToString(m.Sum(nil)))) {
		return errors.New("bad signature")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.seen {
		if now.Sub(t) > slackWindow {
			delete(s.seen, k)
		}
	}
	if _, dup := s.seen[sig]; dup {
		return errors.New("replayed request")
	}
	s.seen[sig] = at
	return nil
}

// parseSlackAction reads who pressed which button of a block_actions
// payload.
func parseSlackAction(body []byte) (who, action, value string, err error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", "", "", errors.New("bad form")
	}
	var p struct {
		Type string `json:"type"`
		User struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"user"`
		Actions []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(form.Get("payload")), &p); err != nil || p.Type != "block_actions" || len(p.Actions) == 0 {
		return "", "", "", errors.New("not a block_actions payload")
	}
	who = p.User.Username
	if who == "" {
		who = p.User.ID
	}
	return "slack:" + truncateAuthor(who), p.Actions[0].ActionID, p.Actions[0].Value, nil
}

func (s *slackActions) do(r *http.Request, who, action, value string) error {
	switch action {
	case slack.ActionAck:
		id, ok := parseID(value)
		if !ok {
			return errors.New("bad incident id")
		}
		a, err := s.oc.Acknowledge(r.Context(), id, who)
		if err == nil {
			s.log.InfoContext(r.Context(), "incident acknowledged", "check", a.Check, "incident", id, "by", a.By)
		}
		if errors.Is(err, store.ErrResolved) {
			return nil
		}
		return err
	case slack.ActionSnooze:
		sn, err := s.oc.Snooze(r.Context(), value, slack.SnoozeButton, who)
		if err == nil {
			s.log.InfoContext(r.Context(), "check snoozed", "check", value, "until", sn.Until, "by", sn.By)
		}
		return err
	}
	return errors.New("unknown action")
}
