package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authmon/monitor/internal/store"
)

// maxNoteLen bounds a note, in characters: an update, not an essay.
const maxNoteLen = 2000

// statusAdminView is the admin page: the form (with what was typed, after
// a refused post) and the notes with their authors.
type statusAdminView struct {
	Cache      time.Duration
	Components []StatusComponent
	Notes      []statusAdminNote
	Form       noteForm
	Error      string
}

type statusAdminNote = store.StatusNote

// noteForm is what the form posts.
type noteForm struct {
	Component, Phase, Body string
}

// getStatusAdmin shows the admin page; ?component= (from an incident's
// page) preselects the component of the form.
func (h *handler) getStatusAdmin(w http.ResponseWriter, r *http.Request) {
	f := noteForm{Phase: notePhases[0]}
	if c := r.URL.Query().Get("component"); h.knownComponent(c) {
		f.Component = c
	}
	h.renderStatusAdmin(w, r, http.StatusOK, f, "")
}

// statusNoteLink is the admin page's address with the first component that
// shows check, or "" without a status page.
func (h *handler) statusNoteLink(check string) string {
	if h.StatusPage == nil {
		return ""
	}
	for _, c := range h.StatusPage.Components {
		if slices.Contains(c.Checks, check) {
			return "/status-admin?component=" + url.QueryEscape(c.Name)
		}
	}
	return "/status-admin"
}

// knownComponent reports whether name is "" (every component) or a
// component's name.
func (h *handler) knownComponent(name string) bool {
	return name == "" || slices.ContainsFunc(h.StatusPage.Components, func(c StatusComponent) bool { return c.Name == name })
}

// renderStatusAdmin shows the admin page; a refused post comes back with
// its text, so that nothing typed is lost.
func (h *handler) renderStatusAdmin(w http.ResponseWriter, r *http.Request, status int, f noteForm, problem string) {
	notes, err := h.StatusPage.notes.StatusNotes(r.Context(), h.Now().Add(-statusNoteDays*24*time.Hour), 100)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("status notes: %w", err))
		return
	}
	red := h.redactor()
	for i := range notes {
		notes[i].Body = red.String(notes[i].Body)
	}
	f.Body = red.String(f.Body)
	w.Header().Set("Cache-Control", "no-store")
	// With no-referrer, browsers post this page's form with "Origin: null",
	// which the CSRF check refuses as cross-site; same-origin still sends no
	// referrer to other sites.
	w.Header().Set("Referrer-Policy", "same-origin")
	h.render(w, r, status, pageStatusAdmin(statusAdminView{Cache: h.StatusPage.Cache,
		Components: h.StatusPage.Components, Notes: notes, Form: f, Error: problem}))
}

// postStatusNote publishes a note (the CSRF check is done by csrfProtect)
// and sends the browser back to the admin page.
func (h *handler) postStatusNote(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the form", http.StatusBadRequest)
		return
	}
	f := noteForm{Component: r.PostForm.Get("component"), Phase: r.PostForm.Get("phase"),
		Body: strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n"))}
	if err := h.validNote(f); err != nil {
		h.renderStatusAdmin(w, r, http.StatusBadRequest, f, err.Error())
		return
	}
	n := store.StatusNote{Created: h.Now().UTC(), Author: h.author(r), Component: f.Component, Phase: f.Phase, Body: f.Body}
	if _, err := h.StatusPage.notes.AddStatusNote(r.Context(), n); err != nil {
		h.serverError(w, r, fmt.Errorf("add status note: %w", err))
		return
	}
	h.StatusPage.cache.invalidate()
	h.Log.InfoContext(r.Context(), "status page note published", "author", n.Author, "component", n.Component,
		"phase", n.Phase)
	http.Redirect(w, r, "/status-admin", http.StatusSeeOther)
}

// validNote says what is wrong with a note, in words for the form.
func (h *handler) validNote(f noteForm) error {
	switch {
	case !h.knownComponent(f.Component):
		return errors.New("pick a component from the list (the configuration may have changed)")
	case !slices.Contains(notePhases, f.Phase):
		return errors.New("pick a phase from the list")
	case f.Body == "":
		return errors.New("write what customers should know")
	case utf8.RuneCountInString(f.Body) > maxNoteLen:
		return fmt.Errorf("at most %d characters, please: this one has %d", maxNoteLen, utf8.RuneCountInString(f.Body))
	case !utf8.ValidString(f.Body) || strings.ContainsFunc(f.Body, isControlText):
		return errors.New("the text contains control characters: type it again")
	case h.redactor().Contains(f.Body):
		return errors.New("the text contains a secret the monitor knows, which is now masked: remove it")
	}
	return nil
}

// isControlText reports control characters other than line breaks and tabs.
func isControlText(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f
}

// author is who posts, as the dashboard's authentication identified them:
// the proxy's user header from a trusted proxy, the Basic user name, or a
// bearer token. Without authentication nobody is known.
func (h *handler) author(r *http.Request) string {
	a := &authenticator{cfg: h.Auth}
	if hd := h.Auth.ProxyHeader; hd != "" && r.Header.Get(hd) != "" && a.fromTrustedProxy(r) {
		return truncateAuthor(r.Header.Get(hd))
	}
	if user, _, ok := r.BasicAuth(); ok && len(h.Auth.Users) > 0 {
		return truncateAuthor(user)
	}
	if scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Bearer") && len(h.Auth.Tokens) > 0 {
		return "an API token"
	}
	return "anonymous (the dashboard has no sign-in)"
}

func truncateAuthor(s string) string {
	s = strings.Map(func(r rune) rune {
		if isControlText(r) || r == '\n' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if len(s) > 100 {
		s = strings.ToValidUTF8(s[:100], "")
	}
	return s
}

// orEvery names a note's component, or every one.
func orEvery(component string) string {
	if component == "" {
		return "every component"
	}
	return component
}
