package settlement

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a settlement file: 1-based line and column (in
// characters). The zero Pos means "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as file:line:col, leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsValid reports whether the position names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Loc is the location of one element of the file: the position of the
// element itself and of each of its keys' values.
type Loc struct {
	Pos  Pos
	Keys map[string]Pos
	// Items holds the position of each item of a list value, or of each
	// key of a mapping value whose keys name things (weights, sides).
	Items map[string][]Pos
}

// Item returns the position of item i of key's value, or of the value.
func (l Loc) Item(key string, i int) Pos {
	if ps := l.Items[key]; i >= 0 && i < len(ps) {
		return ps[i]
	}
	return l.At(key)
}

// At returns the position of key's value, or of the element when the key is
// absent.
func (l Loc) At(key string) Pos {
	if p, ok := l.Keys[key]; ok {
		return p
	}
	return l.Pos
}

// Has reports whether the element gave key.
func (l Loc) Has(key string) bool {
	_, ok := l.Keys[key]
	return ok
}

// Severity is how serious a finding is.
type Severity string

// The severities of findings.
const (
	// Error marks what is undefined or wrong: the settlement cannot be
	// analysed as written.
	Error Severity = "error"
	// Warning marks what is vague or likely to fail in practice.
	Warning Severity = "warning"
)

// Finding is one error or vagueness found in a settlement, at a position.
type Finding struct {
	Severity Severity
	// Code is a stable identifier of the kind of finding (see docs/findings.md).
	Code    string
	Message string
	// Hint says what would fix it.
	Hint      string
	Pos       Pos
	Party     string
	Guarantee string
}

// Error formats the finding as file:line:col: severity[code]: message.
func (f Finding) Error() string {
	var b strings.Builder
	if f.Pos.File != "" || f.Pos.Line > 0 {
		b.WriteString(f.Pos.String())
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s[%s]: %s", f.Severity, f.Code, f.Message)
	if f.Hint != "" {
		b.WriteString(" (")
		b.WriteString(f.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Findings is a list of findings. As an error it reports every finding,
// one per line.
type Findings []Finding

// Error prints one finding per line.
func (fs Findings) Error() string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.Error()
	}
	return strings.Join(lines, "\n")
}

// Sort orders the findings by file, line, column, then code.
func (fs Findings) Sort() {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.Code < b.Code
	})
}

// Errors counts the findings of severity Error.
func (fs Findings) Errors() int {
	n := 0
	for _, f := range fs {
		if f.Severity == Error {
			n++
		}
	}
	return n
}

// Warnings counts the findings of severity Warning.
func (fs Findings) Warnings() int { return len(fs) - fs.Errors() }

// Codes returns the distinct codes of the findings, sorted.
func (fs Findings) Codes() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		if !seen[f.Code] {
			seen[f.Code] = true
			out = append(out, f.Code)
		}
	}
	sort.Strings(out)
	return out
}

// MalformedError reports a file that cannot be read or is not a YAML
// document: nothing in it can be checked. The CLI exits with status 2.
type MalformedError struct {
	Pos Pos
	Msg string
	Err error
}

// Error formats the error as file:line:col: msg.
func (e *MalformedError) Error() string {
	s := e.Pos.String() + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *MalformedError) Unwrap() error { return e.Err }

// quoteList formats names as a sorted, comma-separated list.
func quoteList(names []string) string {
	s := append([]string(nil), names...)
	sort.Strings(s)
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}
