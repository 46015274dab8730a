package genius_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/entente-org/entente/genius"
	"golang.org/x/tools/txtar"
)

// TestBadInput runs the cases of testdata/bad: each archive holds a domain
// and profiles (domain.xml, profile*.xml; a .ref file names a file of
// testdata instead), optional options, and want: every error of the
// import, or its warnings when it succeeds, one per line, each with file,
// line and column. Regenerate with: go test ./genius -run TestBadInput -update
func TestBadInput(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in testdata/bad: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := runArchive(t, a)
			i := -1
			for j, f := range a.Files {
				if f.Name == "want" {
					i = j
				}
			}
			if *update {
				if i < 0 {
					a.Files = append(a.Files, txtar.File{Name: "want"})
					i = len(a.Files) - 1
				}
				a.Files[i].Data = []byte(got)
				if err := os.WriteFile(path, txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if i < 0 {
				t.Fatalf("%s has no want (run: go test ./genius -run TestBadInput -update)", path)
			}
			if want := string(a.Files[i].Data); got != want {
				t.Errorf("import of %s =\n%s\nwant\n%s(if the change is intended, run: go test ./genius -run TestBadInput -update)", path, got, want)
			}
		})
	}
}

// runArchive imports the archive's files and returns the errors, or the
// warnings, as text.
func runArchive(t *testing.T, a *txtar.Archive) string {
	t.Helper()
	opts := genius.DefaultOptions()
	var domain *genius.File
	var profiles []*genius.File
	var errs []string
	parse := func(name string, src []byte) *genius.File {
		f, err := genius.Parse(name, src)
		if err != nil {
			var el genius.ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("Parse(%s) returned %T, want an ErrorList", name, err)
			}
			for _, e := range el {
				if e.Pos.File != name {
					t.Errorf("error %q names file %q, want %q", e, e.Pos.File, name)
				}
			}
			errs = append(errs, err.Error())
			return nil
		}
		return f
	}
	for _, f := range a.Files {
		src := f.Data
		name := f.Name
		if strings.HasSuffix(name, ".ref") {
			name = strings.TrimSpace(string(f.Data))
			src = readTestdata(t, name)
		}
		switch {
		case strings.HasPrefix(f.Name, "domain."):
			domain = parse(name, src)
		case strings.HasPrefix(f.Name, "profile"):
			profiles = append(profiles, parse(name, src))
		case f.Name == "options":
			for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
				k, v, _ := strings.Cut(line, " ")
				switch k {
				case "real-values":
					opts.RealValues, _ = strconv.Atoi(v)
				case "max-values":
					opts.MaxValues, _ = strconv.ParseInt(v, 10, 64)
				case "normalise-weights":
					opts.NormaliseWeights = true
				default:
					t.Fatalf("unknown option %q", line)
				}
			}
		}
	}
	if len(errs) > 0 {
		return strings.Join(errs, "\n") + "\n"
	}
	im, err := genius.Convert(domain, profiles, opts)
	if err != nil {
		var el genius.ErrorList
		if !errors.As(err, &el) {
			t.Fatalf("Convert returned %T (%v), want an ErrorList", err, err)
		}
		return err.Error() + "\n"
	}
	var b strings.Builder
	for _, w := range im.Warnings {
		b.WriteString(w.String() + "\n")
	}
	if b.Len() == 0 {
		return "ok\n"
	}
	return b.String()
}
