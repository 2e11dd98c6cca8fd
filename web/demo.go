package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxFormBytes bounds the demo form; it carries one short field.
const maxFormBytes = 1 << 10

// postDemoMode switches the sample API to the posted mode and goes back to the
// overview (post/redirect/get, so a reload does not post again).
func (h *handler) postDemoMode(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "cross-site request refused", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	mode := r.PostForm.Get("mode")
	if !slices.Contains(h.Demo.Modes(), mode) {
		http.Error(w, "unknown mode", http.StatusBadRequest)
		return
	}
	if err := h.Demo.SetMode(mode); err != nil {
		h.serverError(w, r, fmt.Errorf("set demo mode %q: %w", mode, err))
		return
	}
	h.Log.InfoContext(r.Context(), "sample API mode changed", "mode", mode)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// sameOrigin refuses cross-site form posts (CSRF). Browsers send Origin on
// POST and Sec-Fetch-Site on every request; a client that sends neither, such
// as curl, is not a browser that another site can drive, so it may post.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // includes "null", sent by sandboxed and privacy-sensitive contexts
	}
	return strings.EqualFold(u.Host, r.Host)
}
