package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// genius returns the path of a file of genius/testdata.
func geniusFile(name string) string {
	return filepath.Join("..", "..", "genius", "testdata", name)
}

// TestImportGenius imports the party domain to a file, checks the file
// with entente check, and refuses to overwrite it without --force.
func TestImportGenius(t *testing.T) {
	out := filepath.Join(t.TempDir(), "party.yaml")
	args := []string{"import", "genius", geniusFile("party/party_domain.xml"), geniusFile("party/party1_utility.xml"), geniusFile("party/party2_utility.xml"), "-o", out}
	stdout, stderr, code := run(t, args...)
	if code != 0 || stdout != "" {
		t.Fatalf("entente %s: exit %d, stdout %q\n%s", strings.Join(args, " "), code, stdout, stderr)
	}
	if want := "wrote " + out + ": 6 issues, 2 parties, 2 positions (0 warnings)"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
	if stdout, _, code := run(t, "check", out, "--strict"); code != 0 {
		t.Errorf("check --strict of the import: exit %d\n%s", code, stdout)
	}
	if _, stderr, code := run(t, args...); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("a second import over %s: exit %d, want 2 with a hint at --force\n%s", out, code, stderr)
	}
	if _, stderr, code := run(t, append(args, "--force")...); code != 0 {
		t.Errorf("import --force: exit %d\n%s", code, stderr)
	}
}

// TestImportGeniusStdout writes the settlement to standard output and the
// warnings to standard error; flags may follow the arguments.
func TestImportGeniusStdout(t *testing.T) {
	stdout, stderr, code := run(t, "import", "genius", geniusFile("car/car_domain.xml"), geniusFile("car/car_dealer_synthetic.xml"),
		"--real-values", "5", "--parties", "dealer")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	want, err := os.ReadFile(geniusFile("golden/car_5.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The golden file converts both car profiles; this run the dealer's.
	for _, line := range []string{"entente: 1", "    range: {min: 130000, max: 226660, step: 24165}", "  - party: dealer", "#   profile  " + geniusFile("car/car_dealer_synthetic.xml") + " -> party dealer"} {
		if !strings.Contains(stdout, line+"\n") {
			t.Errorf("stdout lacks %q", line)
		}
	}
	if !strings.Contains(string(want), "    range: {min: 130000, max: 226660, step: 24165}\n") {
		t.Errorf("the golden car_5.yaml has another range than this run")
	}
	for _, w := range []string{"warning: real issue \"Price\" is taken at 5 values", "warning: the discount factor 0.8"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

// TestImportGeniusJSON prints the JSON report.
func TestImportGeniusJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "nl.yaml")
	stdout, stderr, code := run(t, "import", "--json", "-o", out, "genius", geniusFile("nonlinear/S-1NIKFRT-2-domain.xml"), geniusFile("nonlinear/profile-1.xml"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var r importJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if !r.OK || r.Output != out || len(r.Issues) != 20 || r.Issues[0].Kind != "integer" || r.Issues[0].Values != 10 ||
		len(r.Parties) != 1 || r.Parties[0].Position || len(r.Warnings) != 1 || r.Warnings[0].Line != 27 || len(r.Errors) != 0 {
		t.Errorf("report = %+v", r)
	}
}

// TestImportGeniusErrors checks exit status 2, and that each problem is
// printed with file, line and column, or as JSON.
func TestImportGeniusErrors(t *testing.T) {
	dir := t.TempDir()
	notXML := filepath.Join(dir, "notes.xml")
	if err := os.WriteFile(notXML, []byte("weights: 0.5, 0.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	domain, profile := geniusFile("party/party_domain.xml"), geniusFile("party/party1_utility.xml")
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no format", []string{"import"}, "name the format to import: genius"},
		{"unknown format", []string{"import", "negmas", domain, profile}, `unknown format "negmas"`},
		{"no profile", []string{"import", "genius", domain}, "name the domain file, then one or more utility profiles"},
		{"missing file", []string{"import", "genius", domain, filepath.Join(dir, "none.xml")}, "no such file"},
		{"directory", []string{"import", "genius", domain, dir}, "is a directory"},
		{"not xml", []string{"import", "genius", domain, notXML}, notXML + ":1:1: text outside the root element"},
		{"swapped", []string{"import", "genius", profile, domain}, profile + ":1:1: this file is a utility profile"},
		{"other domain", []string{"import", "genius", domain, geniusFile("travel/travel_fanny.xml")}, "is it a profile of another domain?"},
		{"bad option", []string{"import", "genius", domain, profile, "--real-values", "1"}, "a real issue is taken at 2 to 10001 values"},
		{"parties", []string{"import", "genius", domain, profile, "--parties", "a,b"}, "2 party ids for 1 profiles"},
		{"json without -o", []string{"import", "genius", domain, profile, "--json"}, "--json prints a report"},
		{"unknown flag", []string{"import", "genius", domain, profile, "--bogus"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, tc.args...)
			if code != 2 {
				t.Errorf("entente %s: exit %d, want 2", strings.Join(tc.args, " "), code)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
	// With --json, the errors are in the report.
	out := filepath.Join(dir, "out.yaml")
	stdout, _, code := run(t, "import", "genius", domain, notXML, "-o", out, "--json")
	var r importJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != 2 {
		t.Fatalf("exit %d, %v\n%s", code, err, stdout)
	}
	if r.OK || len(r.Errors) != 1 || r.Errors[0].File != notXML || r.Errors[0].Line != 1 || r.Errors[0].Column != 1 {
		t.Errorf("report = %+v", r)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed import wrote %s", out)
	}
}
