package genius_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entente-org/entente/genius"
	"github.com/entente-org/entente/settlement"
	"golang.org/x/tools/txtar"
)

// seeds returns every Genius file of testdata and every file of the bad
// archives.
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	xmls, _ := filepath.Glob(filepath.Join("testdata", "*", "*.xml"))
	for _, p := range xmls {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, src)
	}
	archives, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.txtar"))
	for _, p := range archives {
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".xml") {
				out = append(out, f.Data)
			}
		}
	}
	return out
}

// checkImport converts and checks the invariants: an error is an
// ErrorList of positioned messages (never an internal error), and a
// settlement loads without error.
func checkImport(t *testing.T, domain *genius.File, profiles []*genius.File) {
	im, err := genius.Convert(domain, profiles, genius.DefaultOptions())
	if err != nil {
		var el genius.ErrorList
		if !errors.As(err, &el) || len(el) == 0 {
			t.Fatalf("Convert = %v, want an ErrorList", err)
		}
		for _, e := range el {
			if e.Msg == "" || e.Pos.File == "" {
				t.Fatalf("error without message or file: %#v", e)
			}
		}
		return
	}
	s, fs, err := settlement.Parse("fuzz.yaml", im.YAML(), settlement.DefaultOptions())
	if err != nil || fs.Errors() > 0 || len(s.Issues) != len(im.Issues) || len(s.Parties) != len(profiles) {
		t.Fatalf("the settlement does not load: %v %v\n%s", err, fs, im.YAML())
	}
}

// FuzzParse feeds arbitrary bytes to Parse, and what parses to Convert as
// a domain (alone, and with itself as a profile) and as a profile of the
// party domain. Nothing may panic; errors are positioned; a settlement
// loads.
func FuzzParse(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	party, err := os.ReadFile(filepath.Join("testdata", "party", "party_domain.xml"))
	if err != nil {
		f.Fatal(err)
	}
	partyDomain, err := genius.Parse("party_domain.xml", party)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := genius.Parse("fuzz.xml", src)
		if err != nil {
			var el genius.ErrorList
			if !errors.As(err, &el) || len(el) == 0 {
				t.Fatalf("Parse = %v, want an ErrorList", err)
			}
			for _, e := range el {
				if e.Msg == "" || e.Pos.File != "fuzz.xml" {
					t.Fatalf("error without message or file: %#v", e)
				}
			}
			return
		}
		checkImport(t, file, nil)
		checkImport(t, file, []*genius.File{file})
		checkImport(t, partyDomain, []*genius.File{file})
	})
}

// FuzzImport converts arbitrary pairs of a domain and a profile, seeded
// with the smaller pairs of testdata (the fuzzer minimises slowly on large
// inputs).
func FuzzImport(f *testing.F) {
	for _, c := range cases {
		d, err := os.ReadFile(filepath.Join("testdata", c.domain))
		if err != nil {
			f.Fatal(err)
		}
		p, err := os.ReadFile(filepath.Join("testdata", c.profiles[0]))
		if err != nil {
			f.Fatal(err)
		}
		if len(d)+len(p) < 6000 {
			f.Add(d, p)
		}
	}
	f.Fuzz(func(t *testing.T, d, p []byte) {
		df, err := genius.Parse("domain.xml", d)
		if err != nil {
			return
		}
		pf, err := genius.Parse("profile.xml", p)
		if err != nil {
			return
		}
		checkImport(t, df, []*genius.File{pf})
	})
}
