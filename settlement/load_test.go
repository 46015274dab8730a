package settlement

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadGood(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) == 0 {
		t.Fatal("no good settlements")
	}
	for _, f := range files {
		s, fs, err := LoadFile(f, DefaultOptions())
		if err != nil {
			t.Fatalf("LoadFile(%s) = %v", f, err)
		}
		if fs.Errors() > 0 {
			t.Errorf("LoadFile(%s): %v", f, fs)
		}
		if s.ID == "" || len(s.Issues) == 0 {
			t.Errorf("LoadFile(%s): empty settlement", f)
		}
	}
}

func TestModel(t *testing.T) {
	s, fs, err := LoadFile("testdata/good/minimal.yaml", DefaultOptions())
	if err != nil || fs.Errors() > 0 {
		t.Fatalf("load: %v %v", err, fs)
	}
	if got := s.Issue("trainers").Range; got != (Range{0, 20000, 1000}) {
		t.Errorf("trainers range = %+v", got)
	}
	if got := s.Issue("trainers").DomainSize(); got != 21 {
		t.Errorf("trainers domain = %v, want 21", got)
	}
	ru := s.Position("RU")
	if ru == nil || ru.Reservation != 0.35 || len(ru.RedLines) != 1 {
		t.Fatalf("RU position = %+v", ru)
	}
	pkg := map[string]any{"nato": "deferred", "trainers": int64(5000), "us_responses": []string{"arms"}}
	// RU: weights 5/7 and 2/7; nato deferred 0.4, trainers 5000 → 1 - 0.25.
	want := 5.0/7*0.4 + 2.0/7*0.75
	if got := ru.Utility.Of(s, pkg); !near(got, want) {
		t.Errorf("RU utility = %v, want %v", got, want)
	}
	ua := s.Position("UA")
	// UA: us_responses {arms} → 1/1.5 of the best subset.
	want = 3.0/5*0.5 + 2.0/5*(1/1.5)
	if got := ua.Utility.Of(s, pkg); !near(got, want) {
		t.Errorf("UA utility = %v, want %v", got, want)
	}
	ok, err := ua.RedLines[0].Rule.Compiled.Eval(pkg)
	if err != nil || !ok {
		t.Errorf("UA red line on %v = %v, %v; want true", pkg, ok, err)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

// TestRulePositions checks that positions inside rules map to the file:
// plain, quoted and block scalars.
func TestRulePositions(t *testing.T) {
	src := "entente: 1\nid: p\nissues:\n  - {id: nato, options: [a, b]}\nconstraints:\n" +
		"  - {id: c1, rule: 'nato == ''x'''}\n" + // single-quoted, doubled quotes
		"  - {id: c2, rule: \"nato == \\\"y\\\"\"}\n" + // double-quoted with escapes
		"  - id: c3\n    rule: |\n      nato == \"a\" ||\n        nato == \"z\"\n" + // block
		"  - id: c4\n    rule: nato == \"w\"\n" // plain
	_, fs, err := Parse("p.yaml", []byte(src), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		if f.Code == "rule-enum-literal" {
			got = append(got, f.Pos.String())
		}
	}
	want := []string{"p.yaml:6:29", "p.yaml:7:29", "p.yaml:11:17", "p.yaml:13:19"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("enum literal positions = %v, want %v\n%v", got, want, fs)
	}
}

func TestMalformed(t *testing.T) {
	big := bytes.Repeat([]byte("# padding\n"), (MaxFileSize/10)+1)
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "empty file"},
		{"syntax", "entente: 1\nid: [unclosed\n", "malformed YAML"},
		{"scalar", "just words\n", "a settlement is a mapping"},
		{"list", "- a\n- b\n", "a settlement is a mapping"},
		{"binary", "\x00\x01\x02entente", "binary data"},
		{"latin1", "id: caf\xe9\n", "not UTF-8"},
		{"two docs", "entente: 1\n---\nentente: 1\n", "second YAML document"},
		{"too big", string(big), "the limit"},
		{"tabs", "entente: 1\n\tid: x\n", "malformed YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("m.yaml", []byte(tt.src), DefaultOptions())
			var me *MalformedError
			if !errors.As(err, &me) {
				t.Fatalf("Parse = %v, want a MalformedError", err)
			}
			if !strings.Contains(me.Error(), tt.want) || !strings.HasPrefix(me.Error(), "m.yaml") {
				t.Errorf("Parse error = %q, want it to name m.yaml and say %q", me.Error(), tt.want)
			}
		})
	}
}

func TestFiftyMegabytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Repeat([]byte("x"), 1023)
	for i := 0; i < 50*1024; i++ {
		f.Write(line)
		f.Write([]byte("\n"))
	}
	f.Close()
	_, _, err = LoadFile(path, DefaultOptions())
	var me *MalformedError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("LoadFile(50 MB) = %v, want a size-limit error", err)
	}
}

func TestAliasBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("entente: 1\nid: a\nx: &a [1]\nparties: [")
	for i := 0; i < 10050; i++ {
		b.WriteString("*a, ")
	}
	b.WriteString("]\n")
	_, fs, err := Parse("a.yaml", []byte(b.String()), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fs {
		found = found || f.Code == "yaml-alias"
	}
	if !found {
		t.Errorf("no yaml-alias finding for 10,050 aliases: %v", fs.Codes())
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  bool
	}{
		{"72h", "72h0m0s", false},
		{"7d", "168h0m0s", false},
		{"2w", "336h0m0s", false},
		{"0d", "0s", false},
		{"7", "", true},
		{"7m", "", true},
		{"-1d", "", true},
		{"d", "", true},
		{"99999999w", "", true},
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		if (err != nil) != tt.err || (err == nil && d.String() != tt.want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %s (error %v)", tt.in, d, err, tt.want, tt.err)
		}
	}
}

// TestHugeRange is the input that once hung the fuzzer: a range whose
// span overflows int64 was counted as small and enumerated.
func TestHugeRange(t *testing.T) {
	src := "entente: 1\nid: x\nissues: [{id: a, range: {min: -9000000000000000000, max: 9000000000000000000, step: 1}}]\n" +
		"parties: [{id: P}]\npositions: [{party: P, red_lines: [{id: r, rule: 'a < 0 && a > 0'}]}]\n"
	s, fs, err := Parse("h.yaml", []byte(src), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := fs.Codes(); len(got) != 1 || got[0] != "issue-domain" {
		t.Errorf("findings = %v, want issue-domain (more than 2^40 values)", fs)
	}
	Lint(s) // must return at once
	if n := (Range{Min: -9e18, Max: 9e18, Step: 1}).Values(); n != 18e18+1 {
		t.Errorf("Values() = %d, want 18e18+1", n)
	}
}

func TestSubsetNegativeValues(t *testing.T) {
	src := "entente: 1\nid: n\nparties: [{id: RU}]\nissues: [{id: help, subset_of: [arms, ground_forces, sanctions]}]\n" +
		"positions: [{party: RU, utility: {weights: {help: 1}, values: {help: {ground_forces: -1, arms: -0.5, sanctions: 0.5}}}}]\n"
	s, fs, err := Parse("n.yaml", []byte(src), DefaultOptions())
	if err != nil || fs.Errors() > 0 {
		t.Fatalf("Parse: %v %v", err, fs)
	}
	u, is := s.Position("RU").Utility, s.Issue("help")
	tests := []struct {
		set  []string
		want float64
	}{
		{[]string{"arms", "ground_forces"}, 0},   // the worst subset
		{[]string{"sanctions"}, 1},               // the best
		{[]string{}, 1.5 / 2},                    // (0 - (-1.5)) / (0.5 - (-1.5))
		{[]string{"arms", "sanctions"}, 1.5 / 2}, // (0 + 1.5) / 2
	}
	for _, tt := range tests {
		if got := u.Value(is, tt.set); !near(got, tt.want) {
			t.Errorf("Value(%v) = %v, want %v", tt.set, got, tt.want)
		}
	}
}
