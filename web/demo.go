package web

import (
	"fmt"
	"net/http"
	"slices"
)

// maxFormBytes bounds the demo form; it carries one short field.
const maxFormBytes = 1 << 10

// postDemoMode switches the sample API to the posted mode and goes back to the
// overview (post/redirect/get, so a reload does not post again). csrfGuard
// has already refused cross-origin posts and posts without the page's token.
func (h *handler) postDemoMode(w http.ResponseWriter, r *http.Request) {
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
