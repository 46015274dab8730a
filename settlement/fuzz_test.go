package settlement

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the loader panic, and that a file
// that loads without errors loads again to the same findings.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/good/*.yaml", "testdata/bad/*.yaml", "../examples/*/settlement.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(src)
			}
		}
	}
	f.Add([]byte("entente: 1\nid: x\nissues: [{id: a, options: [x]}]\nconstraints: [{id: c, rule: 'a == \"x\"'}]\n"))
	f.Add([]byte("entente: 1\nguarantees: [{id: g, decision: {all_of: [{any: [A]}, {quota: 2, weights: {A: 1}}]}}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := Options{ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist }}
		s, fs, err := Parse("fuzz.yaml", src, opts)
		if err != nil {
			return
		}
		Lint(s)
		_, fs2, err := Parse("fuzz.yaml", src, opts)
		if err != nil || len(fs2) != len(fs) {
			t.Fatalf("second parse differs: %v, %d vs %d findings", err, len(fs2), len(fs))
		}
	})
}
