package ui

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
)

// ref finds the relative references of the UI's files: ES module imports
// and the src and href attributes of index.html.
var ref = regexp.MustCompile(`(?:from\s+'(\.{1,2}/[^']+)'|(?:src|href)="([^":#]+)")`)

// TestAssetsComplete checks that the embedded UI has index.html and that
// every file it refers to is embedded too, so that entente serve needs no
// Node. (web/test/ui.test.mjs checks that the assets are what web/ builds.)
func TestAssetsComplete(t *testing.T) {
	a := Assets()
	if _, err := fs.Stat(a, "index.html"); err != nil {
		t.Fatalf("index.html: %v", err)
	}
	n := 0
	err := fs.WalkDir(a, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".js") && !strings.HasPrefix(p, "vendor/") || strings.HasSuffix(p, ".html")) {
			return err
		}
		b, err := fs.ReadFile(a, p)
		if err != nil {
			return err
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			target := m[1] + m[2]
			if strings.HasPrefix(target, "data:") {
				continue
			}
			full := path.Join(path.Dir(p), target)
			if _, err := fs.Stat(a, full); err != nil {
				t.Errorf("%s refers to %s, which is not embedded", p, target)
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Errorf("found %d references in the UI's files; want the imports of app.js and more", n)
	}
}
