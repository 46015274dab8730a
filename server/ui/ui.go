// Package ui embeds the web UI: the ES modules and CSS in assets/, written
// there (no build), and Leaflet vendored under assets/vendor/leaflet by
// web/build.mjs. npm only vendors and tests; nothing of Node is needed to
// run entente serve.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed all:assets
var assets embed.FS

// Assets returns the UI's files, index.html at the root.
func Assets() fs.FS {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}
