package web

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Live refresh: /events is a server-sent event stream that says when a run
// was recorded, and static/live.js re-fetches the page it is on when told.
// The stream polls one cheap query (the newest run's id) rather than hooking
// into the store's writer, so it needs nothing from the rest of the monitor.
var (
	// livePoll is how often a stream looks for new runs.
	livePoll = 2 * time.Second
	// liveKeepAlive is how often an idle stream sends a comment, so that
	// proxies do not close it as idle.
	liveKeepAlive = 25 * time.Second
	// liveMaxAge ends a stream after a while; the browser reconnects by
	// itself, and a tab left open for days does not hold one connection
	// forever.
	liveMaxAge = 10 * time.Minute
)

// liveWriteWindow bounds each write to the stream: the server's write
// timeout would otherwise cut every stream after its first 30 seconds, and
// a client that stops reading must not hold the handler.
const liveWriteWindow = 10 * time.Second

// getEvents streams "ready" (with the newest run id) at once, then "runs"
// whenever a new run was recorded, until the client goes away.
func (h *handler) getEvents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	last, err := h.Store.LatestRunID(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	// Before the first event: a client that saw it may shut the server down
	// at once, and a hook registered after Shutdown began is never run.
	shutdown := serverShutdown(r)
	rc := http.NewResponseController(w)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // nginx: pass events through at once
	w.WriteHeader(http.StatusOK)
	send := func(msg string) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(liveWriteWindow)) // unsupported by test recorders: fine
		if _, err := io.WriteString(w, msg); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(fmt.Sprintf("retry: 5000\nevent: ready\ndata: %d\n\n", last)) {
		return
	}
	poll, end := time.NewTicker(livePoll), time.NewTimer(liveMaxAge)
	defer poll.Stop()
	defer end.Stop()
	quiet := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-shutdown:
			return
		case <-end.C:
			return
		case <-poll.C:
		}
		id, err := h.Store.LatestRunID(ctx)
		if err != nil {
			if ctx.Err() == nil {
				h.Log.WarnContext(ctx, "live refresh stream ends", "err", err)
			}
			return
		}
		msg := ""
		switch {
		case id != last:
			last, msg = id, fmt.Sprintf("event: runs\ndata: %d\n\n", id)
		case time.Since(quiet) >= liveKeepAlive:
			msg = ": still here\n\n"
		}
		if msg == "" {
			continue
		}
		if !send(msg) {
			return
		}
		quiet = time.Now()
	}
}

// shutdowns holds, per server, a channel closed when the server shuts down.
// http.Server.Shutdown waits for every request to finish and tells handlers
// nothing, so without it an open stream would hold a graceful stop until
// its timeout.
var shutdowns sync.Map // *http.Server -> chan struct{}

// serverShutdown is closed when the server serving r shuts down; nil (never
// ready) when r carries no server, as in tests that call the handler
// directly.
func serverShutdown(r *http.Request) <-chan struct{} {
	srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok {
		return nil
	}
	ch := make(chan struct{})
	got, loaded := shutdowns.LoadOrStore(srv, ch)
	if !loaded {
		srv.RegisterOnShutdown(func() {
			shutdowns.Delete(srv)
			close(ch)
		})
	}
	return got.(chan struct{})
}
