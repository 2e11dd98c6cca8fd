// Package web serves the dashboard: an overview of every configured check with
// its probe matrix and open incidents, a page of evidence per check, the
// incidents with their notifications, and the switch of the built-in sample
// API. It only reads the store; it never runs checks.
package web

import "embed"

// The generated *_templ.go files are committed, so building needs no generator.
//go:generate go tool templ generate -path .

// staticFS holds the stylesheet. It is embedded so the binary is the whole app.
//
//go:embed static
var staticFS embed.FS
