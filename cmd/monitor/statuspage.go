package main

import (
	"github.com/authmon/monitor/internal/config"
	"github.com/authmon/monitor/web"
)

// statusPage builds the public status page of [status_page], or nil when
// the section is absent. It is read at start: a reload keeps the page as
// it was (restart to change it).
func statusPage(p *config.StatusPage, notes web.StatusNotes) *web.StatusPage {
	if p == nil {
		return nil
	}
	comps := make([]web.StatusComponent, len(p.Components))
	for i, c := range p.Components {
		comps[i] = web.StatusComponent{Name: c.Name, Description: c.Description, Checks: c.Checks}
	}
	return web.NewStatusPage(p.Title, p.Cache, comps, notes)
}
