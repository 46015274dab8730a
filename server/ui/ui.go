// Package ui embeds the web UI's built assets (the web/ directory is their
// source; npm builds and tests them, and nothing of Node is needed to run
// entente serve).
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
