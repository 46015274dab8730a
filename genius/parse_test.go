package genius_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/entente-org/entente/genius"
	"golang.org/x/text/encoding/charmap"
)

// TestParseReal checks what Parse reads from real Genius files.
func TestParseReal(t *testing.T) {
	for _, tc := range []struct {
		file                        string
		root, typ, objective        string
		issues, weights             int
		reservation, discount       string
		nonlinear, preferences      bool
		firstIssue                  string
		firstItems, firstEvaluation string
	}{
		{file: "party/party_domain.xml", root: "negotiation_template", objective: "Party", issues: 6,
			firstIssue: "Food", firstItems: "Chips and Nuts|Finger-Food|Handmade Food|Catering", firstEvaluation: "-"},
		{file: "party/party1_utility.xml", root: "utility_space", objective: "Party", issues: 6, weights: 6, preferences: true,
			firstIssue: "Food", firstItems: "Chips and Nuts|Finger-Food|Handmade Food|Catering", firstEvaluation: "3"},
		{file: "england_zimbabwe/Zimbabwe10.xml", root: "utility_space", typ: "UNCERTAIN", objective: "conflict", issues: 5, weights: 5,
			reservation: "0.84001", discount: "1", preferences: true, firstIssue: "Size of Fund",
			firstItems: "$100 Billion|$50 Billion|$10 billion|No agreement", firstEvaluation: "9"},
		{file: "travel/travel_fanny.xml", root: "utility_space", objective: "root", issues: 7, weights: 7, reservation: "0", preferences: true,
			firstIssue: "Atmosphere", firstEvaluation: "52",
			firstItems: "Cultural heritage|Local traditions|Political stability|Security (personal)|Liveliness|Turistic activities|Hospitality"},
		{file: "nonlinear/profile-1.xml", root: "utility_space", typ: "nonlinear", objective: "root", issues: 20,
			reservation: "0.2", discount: "0.9", nonlinear: true, preferences: true, firstIssue: "c1-i20"},
		{file: "car/car_domain.xml", root: "negotiation_template", objective: "Car", issues: 5, firstIssue: "CD player",
			firstItems: "good|fairly good|standard|meager|none", firstEvaluation: "-"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := parseFile(t, tc.file)
			got := fmt.Sprintf("%s %q %q %d %d %s %s %v %v", f.Root, f.Type, f.Objective, len(f.Issues), len(f.Weights),
				numStr(f.Reservation), numStr(f.Discount), f.Nonlinear != nil, f.HasPreferences())
			want := fmt.Sprintf("%s %q %q %d %d %s %s %v %v", tc.root, tc.typ, tc.objective, tc.issues, tc.weights,
				orDash(tc.reservation), orDash(tc.discount), tc.nonlinear, tc.preferences)
			if got != want {
				t.Errorf("Parse(%s) = %s, want %s", tc.file, got, want)
			}
			is := f.Issues[0]
			if is.Name != tc.firstIssue {
				t.Errorf("first issue %q, want %q", is.Name, tc.firstIssue)
			}
			var items []string
			for _, it := range is.Items {
				items = append(items, it.Value)
			}
			if got := strings.Join(items, "|"); got != tc.firstItems {
				t.Errorf("items %q, want %q", got, tc.firstItems)
			}
			if len(is.Items) > 0 {
				if got := numStr(is.Items[0].Evaluation); got != tc.firstEvaluation {
					t.Errorf("first evaluation %s, want %s", got, tc.firstEvaluation)
				}
			}
		})
	}
}

func numStr(n *genius.Number) string {
	if n == nil {
		return "-"
	}
	return fmt.Sprint(n.Value)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// TestParsePositions checks the line and column of attributes, in a file
// whose start tags span several lines and are indented with tabs.
func TestParsePositions(t *testing.T) {
	f := parseFile(t, "party/party2_utility.xml")
	// <item index="1" description="Buy bags…" value="Chips and Nuts" cost="100" evaluation="1">
	// is on lines 6-8; its evaluation attribute's value starts on line 8.
	ev := f.Issues[0].Items[0].Evaluation
	if got, want := ev.Pos.String(), "party/party2_utility.xml:8:51"; got != want {
		t.Errorf("position of the first evaluation = %s, want %s", got, want)
	}
	if got, want := f.Issues[1].Pos.String(), "party/party2_utility.xml:24:3"; got != want {
		t.Errorf("position of issue 2 = %s, want %s", got, want)
	}
	// "d’oeuvres" has a 3-byte character: columns count characters.
	src := []byte("<utility_space>\n<x a=\"d’oeuvres\"/><reservation value=\"x\"/></utility_space>")
	_, err := genius.Parse("p.xml", src)
	if err == nil || !strings.HasPrefix(err.Error(), "p.xml:2:39: ") {
		t.Errorf("Parse = %v, want an error at p.xml:2:39", err)
	}
}

// TestEncodings reads the encodings Genius files come in.
func TestEncodings(t *testing.T) {
	domain := `<negotiation_template><utility_space><objective index="0" name="Caf%s">
<issue index="1" name="Boisson" type="discrete"><item index="1" value="Th%s"/><item index="2" value="Caf%s"/></issue>
</objective></utility_space></negotiation_template>`
	latin, err := charmap.ISO8859_1.NewEncoder().String(fmt.Sprintf(domain, "é", "é", "é"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		src  []byte
		want string // the first item, or the error
	}{
		{"utf-8", []byte(fmt.Sprintf(domain, "é", "é", "é")), "Thé"},
		{"bom", append([]byte{0xEF, 0xBB, 0xBF}, fmt.Sprintf(domain, "é", "é", "é")...), "Thé"},
		{"latin-1", append([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?>`+"\n"), latin...), "Thé"},
		{"windows-1252", append([]byte(`<?xml version="1.0" encoding="windows-1252"?>`+"\n"), latin...), "Thé"},
		{"declared utf-8", []byte(`<?xml version="1.0" encoding="UTF-8"?>` + fmt.Sprintf(domain, "é", "é", "é")), "Thé"},
		{"latin-1 undeclared", []byte(latin), "d.xml:1:70: not well-formed XML: invalid UTF-8"},
		{"utf-16", []byte{0xFF, 0xFE, '<', 0}, "d.xml: the file is UTF-16 text; Genius files are UTF-8 XML: convert it to UTF-8"},
		{"shift-jis", []byte(`<?xml version="1.0" encoding="Shift_JIS"?><a/>`), `d.xml: the XML declaration names the encoding "Shift_JIS"`},
		{"nul", []byte("<a>\x00</a>"), "d.xml:1:4: the file holds a NUL byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := genius.Parse("d.xml", tc.src)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = f.Issues[0].Items[0].Value
			}
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("Parse = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLimits checks that pathological nesting is refused with a message.
func TestLimits(t *testing.T) {
	deep := strings.Repeat("<objective>", 100) + strings.Repeat("</objective>", 100)
	_, err := genius.Parse("deep.xml", []byte(deep))
	if err == nil || !strings.Contains(err.Error(), "nested more than 64 deep") {
		t.Errorf("Parse(100 nested elements) = %v, want a nesting error", err)
	}
	var el genius.ErrorList
	if !errors.As(err, &el) || len(el) != 1 || el[0].Pos.Line != 1 || el[0].Pos.Col != 705 {
		t.Errorf("Parse(100 nested elements) = %#v, want one error at 1:705", err)
	}
}

// TestIDs checks how names become ids.
func TestIDs(t *testing.T) {
	for _, tc := range []struct{ in, issue, party string }{
		{"Food", "food", "Food"},
		{"Size of Fund", "size_of_fund", "Size_of_Fund"},
		{"c1-i20", "c1_i20", "c1-i20"},
		{"Type", "type_", "Type"},
		{"in", "in_", "in"},
		{"2nd phase", "issue_2nd_phase", "2nd_phase"},
		{"Café crème", "cafe_creme", "Cafe_creme"},
		{"  $4.37 ", "issue_4_37", "4_37"},
		{"日本", "issue", "party"},
		{"anac/y2010/party1_utility.xml", "anac_y2010_party1_utility_xml", "party1_utility"},
		{`C:\genius\Zimbabwe10.xml`, "c_genius_zimbabwe10_xml", "Zimbabwe10"},
		{"profile-1.XML", "profile_1_xml", "profile-1"},
	} {
		if got := genius.IssueID(tc.in); got != tc.issue {
			t.Errorf("IssueID(%q) = %q, want %q", tc.in, got, tc.issue)
		}
		if got := genius.PartyID(tc.in); got != tc.party {
			t.Errorf("PartyID(%q) = %q, want %q", tc.in, got, tc.party)
		}
	}
}

// TestNamesKept converts issue and item names that settlement ids and
// YAML must handle: CEL words, repeated ids, YAML 1.1 booleans, numbers,
// quotes, newlines. The settlement loads (Convert checks it) and keeps
// every name.
func TestNamesKept(t *testing.T) {
	names := []string{"int", "Int", "in", "size", "event", "Type", "yes", "No", "1", "1.5", "null", "~", `"quoted"`, "a: b", "#hash", "- dash", "line\nbreak", " padded "}
	var d, p bytes.Buffer
	d.WriteString(`<negotiation_template><utility_space><objective index="0" name="Names">`)
	p.WriteString(`<utility_space><objective index="0" name="Names">`)
	for i, n := range names {
		esc := strings.NewReplacer(`"`, "&quot;", "\n", "&#10;", "<", "&lt;", "&", "&amp;").Replace(n)
		fmt.Fprintf(&d, `<issue index="%d" name="%s" type="discrete"><item value="%s"/><item value="other"/></issue>`, i+1, esc, esc)
		fmt.Fprintf(&p, `<issue index="%d" name="%s" type="discrete"><item value="%s" evaluation="1"/><item value="other" evaluation="2"/></issue><weight index="%d" value="%g"/>`, i+1, esc, esc, i+1, 1/float64(len(names)))
	}
	d.WriteString(`</objective></utility_space></negotiation_template>`)
	p.WriteString(`</objective></utility_space>`)
	df, err := genius.Parse("names.xml", d.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	pf, err := genius.Parse("names_profile.xml", p.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	im, err := genius.Convert(df, []*genius.File{pf}, genius.DefaultOptions())
	if err != nil {
		t.Fatalf("Convert = %v", err)
	}
	ids := map[string]bool{}
	for i, is := range im.Issues {
		if is.From.Name != names[i] || is.Options[0] != names[i] {
			t.Errorf("issue %d: name %q option %q, want %q", i, is.From.Name, is.Options[0], names[i])
		}
		if ids[is.ID] {
			t.Errorf("id %q given twice", is.ID)
		}
		ids[is.ID] = true
	}
	if !ids["int_"] || !ids["int__2"] {
		t.Errorf("ids %v lack int_ and int__2", ids)
	}
}

// TestPartyIDsUnique gives two profiles of one file name distinct ids.
func TestPartyIDsUnique(t *testing.T) {
	d := parseFile(t, "party/party_domain.xml")
	p := parseFile(t, "party/party1_utility.xml")
	im, err := genius.Convert(d, []*genius.File{p, p, p}, genius.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, party := range im.Parties {
		ids = append(ids, party.ID)
	}
	if got, want := strings.Join(ids, " "), "party1_utility party1_utility-2 party1_utility-3"; got != want {
		t.Errorf("party ids %q, want %q", got, want)
	}
}
