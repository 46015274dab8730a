package genius

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/entente-org/entente/rules"
	"golang.org/x/text/unicode/norm"
)

// fold lower-cases s, drops accents (é → e) and maps every run of
// characters other than ASCII letters and digits to one sep.
func fold(s string, sep rune, lower bool) string {
	var b strings.Builder
	pending := false
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue // a combining accent
		}
		if lower {
			r = unicode.ToLower(r)
		}
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if pending && b.Len() > 0 {
				b.WriteRune(sep)
			}
			pending = false
			b.WriteRune(r)
			continue
		}
		pending = true
	}
	return b.String()
}

// IssueID turns a Genius issue name into a settlement issue id: lower
// case, accents dropped, other characters folded to "_"; an id that would
// start with a digit gets "issue_" in front, and a CEL word "_" behind.
// "Size of Fund" → "size_of_fund", "c1-i20" → "c1_i20", "Type" → "type_".
func IssueID(name string) string {
	id := fold(name, '_', true)
	switch {
	case id == "":
		id = "issue"
	case id[0] >= '0' && id[0] <= '9':
		id = "issue_" + id
	}
	if rules.Reserved(id) {
		id += "_"
	}
	return id
}

// PartyID turns a profile's file name into a party id: the base name
// without ".xml", with other characters than letters, digits, "_" and "-"
// folded to "_". "anac/party1_utility.xml" → "party1_utility".
func PartyID(file string) string {
	base := baseName(file)
	var b strings.Builder
	for _, part := range strings.FieldsFunc(base, func(r rune) bool { return r == '-' }) {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(fold(strings.ReplaceAll(part, "_", " "), '_', false))
	}
	if b.Len() == 0 {
		return "party"
	}
	return b.String()
}

// baseName returns a file name without directories and without .xml.
func baseName(file string) string {
	base := path.Base(strings.ReplaceAll(file, "\\", "/"))
	if ext := path.Ext(base); strings.EqualFold(ext, ".xml") {
		base = base[:len(base)-len(ext)]
	}
	return base
}

// unique returns id, or id with the smallest suffix sep+"2", sep+"3"...
// that is not yet taken, and marks the result taken.
func unique(id, sep string, taken map[string]bool) string {
	out := id
	for n := 2; taken[out]; n++ {
		out = fmt.Sprintf("%s%s%d", id, sep, n)
	}
	taken[out] = true
	return out
}
