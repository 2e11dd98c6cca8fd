package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// statusCache holds the latest rendering of the status page. One mutex
// makes concurrent visitors of a stale page wait for a single rendering
// rather than each reading the store.
type statusCache struct {
	mu       sync.Mutex
	built    time.Time // when html and json were rendered
	ok       bool      // html and json hold a rendering
	dirty    bool      // a note was added since: render again on the next visit
	failedAt time.Time // the last rendering that failed while there was none to serve
	html     statusBody
	json     statusBody
}

// statusBody is one rendered representation and its validator.
type statusBody struct {
	body []byte
	etag string
}

// errStatusUnavailable is served while the store cannot be read and no
// earlier rendering exists.
var errStatusUnavailable = errors.New("status page: store unavailable")

// statusRenderTimeout bounds one rendering, which outlives the request that
// started it: other visitors wait for it.
const statusRenderTimeout = 10 * time.Second

func newStatusBody(b []byte) statusBody {
	sum := sha256.Sum256(b)
	// Weak: the same body may be sent gzip-compressed or not.
	return statusBody{body: b, etag: `W/"` + hex.EncodeToString(sum[:12]) + `"`}
}

// invalidate makes the next visit render the page again, keeping the old
// rendering to serve should that fail.
func (c *statusCache) invalidate() {
	c.mu.Lock()
	c.dirty = true
	c.mu.Unlock()
}

// statusBodies returns the current rendering of the page, rendering it when
// it is older than the page's cache period. A failed rendering serves the
// previous one for another period; with none, visitors get an error until
// a period has passed, so a broken store is not read per request either.
func (h *handler) statusBodies(ctx context.Context) (html, js statusBody, err error) {
	p := h.StatusPage
	c := &p.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := h.Now()
	age := now.Sub(c.built)
	if c.ok && !c.dirty && age >= 0 && age < p.Cache {
		return c.html, c.json, nil
	}
	if !c.ok && !c.failedAt.IsZero() && now.Sub(c.failedAt) >= 0 && now.Sub(c.failedAt) < p.Cache {
		return statusBody{}, statusBody{}, errStatusUnavailable
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusRenderTimeout)
	defer cancel()
	html, js, err = h.renderStatus(rctx, now)
	switch {
	case err == nil:
		c.html, c.json, c.built, c.ok, c.dirty = html, js, now, true, false
		return html, js, nil
	case c.ok:
		h.Log.ErrorContext(ctx, "status page: serving the previous rendering", "err", err)
		c.built, c.dirty = now, false
		return c.html, c.json, nil
	}
	h.Log.ErrorContext(ctx, "status page: cannot render", "err", err)
	c.failedAt = now
	return statusBody{}, statusBody{}, errStatusUnavailable
}

// serveStatusBody answers with a cached body, or 304 when the client holds
// it already. Caches and browsers may keep it for the page's period.
func (h *handler) serveStatusBody(w http.ResponseWriter, r *http.Request, b statusBody, contentType string) {
	hd := w.Header()
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(h.StatusPage.Cache/time.Second)))
	hd.Set("ETag", b.etag)
	if etagMatches(r.Header.Get("If-None-Match"), b.etag) {
		hd.Add("Vary", "Accept-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeBody(w, r, http.StatusOK, contentType, bytes.NewBuffer(b.body))
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2).
func etagMatches(header, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
