package slack

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/authmon/monitor/internal/alert"
)

const (
	// lookupSkew is how much earlier than its event a message may be
	// timestamped by Slack: clock skew between the monitor and Slack. The
	// message cannot be older than that.
	lookupSkew = 5 * time.Minute
	// lookupLimit is the page size asked of conversations.* methods.
	lookupLimit = 200
	// lookupPages bounds the pages of history or replies read per lookup.
	lookupPages = 3
	// listPages bounds the pages of conversations.list read to resolve a
	// channel name.
	listPages = 10
	// lookupTimeout bounds a whole lookup, so the post keeps most of the
	// attempt's time.
	lookupTimeout = 5 * time.Second
	// lookupSettle is how long the lookup waits first: the request of the
	// dead attempt may still be in Slack's hands, its message not yet
	// visible, when a quick restart looks for it. Slack answers
	// chat.postMessage well within this.
	lookupSettle = 2 * time.Second
)

// channelIDPattern matches channel IDs (public, private, direct), which the
// conversations.* methods need where chat.postMessage also takes a name.
var channelIDPattern = regexp.MustCompile(`^[CGD][A-Z0-9]+$`)

// alreadyPosted looks for the message an interrupted attempt at d may have
// posted: in the thread threadTS, or among the top-level messages of channel
// when threadTS is "". It finds it by the block_id of its first block, which
// names the delivery. It first waits lookupSettle, for the dead attempt's
// request to land. For a delivery not in flight it makes no request.
//
// A failed lookup counts as not found and is logged: posting twice beats
// not posting. Besides chat:write the lookup needs the scopes
// channels:history and groups:history (to read the channel or thread) and
// channels:read and groups:read (to resolve a channel name to its ID).
func (s *Notifier) alreadyPosted(ctx context.Context, channel, threadTS string, d alert.Delivery) (alert.Thread, bool) {
	if !d.InFlight || !sleep(ctx, s.settle) {
		return alert.Thread{}, false
	}
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	found, err := s.findPosted(lctx, channel, threadTS, d)
	if err != nil {
		if ctx.Err() == nil {
			s.logger().Warn("slack lookup of an interrupted delivery failed, posting it again",
				alert.DeliveryAttrs(d, s.classify("slack lookup", err))...)
		}
		return alert.Thread{}, false
	}
	return found, found.TS != ""
}

// findPosted does the lookup of alreadyPosted; a zero alert.Thread means
// not found.
func (s *Notifier) findPosted(ctx context.Context, channel, threadTS string, d alert.Delivery) (alert.Thread, error) {
	id, err := s.channelID(ctx, channel)
	if err != nil {
		return alert.Thread{}, err
	}
	oldest := ""
	if !d.Event.At.IsZero() {
		oldest = strconv.FormatInt(d.Event.At.Add(-lookupSkew).Unix(), 10) + ".000000"
	}
	fetch := func(cursor string) ([]slackapi.Message, string, error) {
		if threadTS != "" {
			msgs, _, next, err := s.client.GetConversationRepliesContext(ctx, &slackapi.GetConversationRepliesParameters{
				ChannelID: id, Timestamp: threadTS, Cursor: cursor, Limit: lookupLimit, Oldest: oldest, Inclusive: true})
			return msgs, next, err
		}
		resp, err := s.client.GetConversationHistoryContext(ctx, &slackapi.GetConversationHistoryParameters{
			ChannelID: id, Cursor: cursor, Limit: lookupLimit, Oldest: oldest, Inclusive: true})
		if err != nil {
			return nil, "", err
		}
		return resp.Messages, resp.ResponseMetaData.NextCursor, nil
	}
	// The thread's parent is skipped: chat.update gives the root the
	// block_id of the delivery that updated it, the one looked up.
	ts, err := findMessage(fetch, alert.BlockID(d.ID), threadTS)
	if err != nil || ts == "" {
		return alert.Thread{}, err
	}
	return alert.Thread{Channel: id, TS: ts}, nil
}

// findMessage reads up to lookupPages pages from fetch and returns the ts of
// the first message whose first block has the block_id want, other than the
// message skipTS; "" if there is none.
func findMessage(fetch func(cursor string) ([]slackapi.Message, string, error), want, skipTS string) (string, error) {
	cursor := ""
	for range lookupPages {
		msgs, next, err := fetch(cursor)
		if err != nil {
			return "", err
		}
		for _, m := range msgs {
			if m.Timestamp != skipTS && len(m.Blocks.BlockSet) > 0 && m.Blocks.BlockSet[0].ID() == want {
				return m.Timestamp, nil
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return "", nil
}

// channelID returns the ID of channel, which is an ID already or a name
// with or without "#", resolved once through conversations.list.
func (s *Notifier) channelID(ctx context.Context, channel string) (string, error) {
	if channelIDPattern.MatchString(channel) {
		return channel, nil
	}
	name := strings.ToLower(strings.TrimPrefix(channel, "#"))
	s.mu.Lock()
	id, ok := s.channelIDs[name]
	s.mu.Unlock()
	if ok {
		return id, nil
	}
	return s.resolveChannel(ctx, name)
}

// resolveChannel pages through the channels the token can see, caching
// every name met, until it meets name.
func (s *Notifier) resolveChannel(ctx context.Context, name string) (string, error) {
	params := &slackapi.GetConversationsParameters{ExcludeArchived: true, Limit: lookupLimit,
		Types: []string{"public_channel", "private_channel"}}
	for range listPages {
		chans, next, err := s.client.GetConversationsContext(ctx, params)
		if err != nil {
			return "", err
		}
		s.mu.Lock()
		for _, c := range chans {
			s.channelIDs[strings.ToLower(c.Name)] = c.ID
		}
		id, ok := s.channelIDs[name]
		s.mu.Unlock()
		if ok {
			return id, nil
		}
		if next == "" {
			break
		}
		params.Cursor = next
	}
	return "", fmt.Errorf("slack: channel %q not found by conversations.list", name)
}

// sleep waits for d or the end of ctx, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// logger is Log or the default logger.
func (s *Notifier) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
