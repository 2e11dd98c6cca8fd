package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/authmon/monitor/internal/store"
)

// getEvidence serves one run's full evidence: the fragment alone when the
// check page asks for it (HX-Request, as htmx sends it), otherwise a page.
// A run's evidence never changes once recorded, so the browser may keep it.
func (h *handler) getEvidence(w http.ResponseWriter, r *http.Request) {
	c, ok := h.findCheck(r.PathValue("name"))
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !ok || err != nil || id <= 0 {
		h.notFound(w, r)
		return
	}
	run, err := h.Store.Run(r.Context(), c.Name, id)
	if errors.Is(err, store.ErrNotFound) { // pruned, or another check's run
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Add("Vary", "HX-Request")
	if r.Header.Get("HX-Request") == "true" {
		h.render(w, r, http.StatusOK, runEvidence(run))
		return
	}
	h.render(w, r, http.StatusOK, h.page("Run "+idText(run.ID)+" of "+c.Name, pageEvidence(c.Name, run)))
}

// idNum is a run id as an attribute value.
func idNum(id int64) string { return strconv.FormatInt(id, 10) }
