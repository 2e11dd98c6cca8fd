package slack

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"
)

// fakeMethods are the Web API methods the fake Slack serves.
var fakeMethods = map[string]bool{
	"chat.postMessage": true, "chat.update": true,
	"conversations.history": true, "conversations.replies": true, "conversations.list": true,
}

// fakeMessage is a message in the fake Slack's one channel.
type fakeMessage struct {
	Thread  string // the parent's ts for a reply, "" at the top level
	TS      string
	BlockID string // of the first block; "" for a message without blocks
}

// fakeChannel is what conversations.list lists.
type fakeChannel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// encode is the message as conversations.history and .replies return it.
func (m fakeMessage) encode() map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": "fallback"}
	if m.Thread != "" {
		out["thread_ts"] = m.Thread
	}
	if m.BlockID != "" {
		out["blocks"] = []any{map[string]any{"type": "section", "block_id": m.BlockID,
			"text": map[string]any{"type": "mrkdwn", "text": "x"}}}
	}
	return out
}

// since reports whether m is not older than the oldest ts asked ("" all).
func (m fakeMessage) since(oldest string) bool {
	if oldest == "" {
		return true
	}
	ts, _ := strconv.ParseFloat(m.TS, 64)
	floor, _ := strconv.ParseFloat(oldest, 64)
	return ts >= floor
}

// seed adds a message as if posted earlier (by anyone), under f.mu.
func (f *fakeSlack) seed(m fakeMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, m)
}

// updated applies a chat.update: the message now carries the blocks of the
// delivery that updated it, as in the real Slack. Called under f.mu.
func (f *fakeSlack) updated(req request) {
	for i := range f.msgs {
		if f.msgs[i].TS == req.Form["ts"] {
			f.msgs[i].BlockID = firstBlockID(req.Form["blocks"])
		}
	}
}

// conversations answers conversations.history (top-level messages, newest
// first), .replies (the parent, then its replies, oldest first) and .list,
// a page at a time. Called under f.mu.
func (f *fakeSlack) conversations(req request) string {
	var items []any
	key := "messages"
	switch req.method() {
	case "conversations.list":
		key = "channels"
		for _, c := range f.channels {
			items = append(items, c)
		}
	case "conversations.history":
		for i := len(f.msgs) - 1; i >= 0; i-- {
			if m := f.msgs[i]; m.Thread == "" && m.since(req.Form["oldest"]) {
				items = append(items, m.encode())
			}
		}
	case "conversations.replies":
		for _, m := range f.msgs {
			if m.TS == req.Form["ts"] || (m.Thread == req.Form["ts"] && m.since(req.Form["oldest"])) {
				items = append(items, m.encode())
			}
		}
	}
	from, _ := strconv.Atoi(req.Form["cursor"])
	limit, _ := strconv.Atoi(req.Form["limit"])
	to, next := min(from+cmp.Or(f.pageSize, limit, 100), len(items)), ""
	if to < len(items) {
		next = strconv.Itoa(to)
	}
	b, _ := json.Marshal(map[string]any{"ok": true, key: items[min(from, to):to], "has_more": next != "",
		"response_metadata": map[string]string{"next_cursor": next}})
	return string(b)
}

// lookups lists the conversations.* requests as "method channel".
func (f *fakeSlack) lookups() []string {
	var out []string
	for _, r := range f.requests() {
		if strings.HasPrefix(r.method(), "conversations.") {
			out = append(out, strings.TrimSpace(r.method()+" "+r.Form["channel"]))
		}
	}
	return out
}

// firstBlockID is the block_id of the first of the blocks JSON, or "".
func firstBlockID(blocks string) string {
	var bs []struct {
		BlockID string `json:"block_id"`
	}
	if json.Unmarshal([]byte(blocks), &bs) != nil || len(bs) == 0 {
		return ""
	}
	return bs[0].BlockID
}
