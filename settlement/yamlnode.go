package settlement

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// nodes decodes yaml.Node trees strictly: unknown keys, wrong types and
// duplicate keys are findings at their position, and decoding goes on so
// that every error in a file is reported at once.
type nodes struct {
	file     string
	lines    []string // the file's lines, for mapping rule offsets
	findings *Findings
	budget   int // alias expansions left
}

func (d *nodes) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.file}
	}
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *nodes) errorf(n *yaml.Node, code, hint, format string, args ...any) {
	*d.findings = append(*d.findings, Finding{Severity: Error, Code: code,
		Message: fmt.Sprintf(format, args...), Hint: hint, Pos: d.pos(n)})
}

func (d *nodes) errorAt(p Pos, code, hint, format string, args ...any) {
	*d.findings = append(*d.findings, Finding{Severity: Error, Code: code,
		Message: fmt.Sprintf(format, args...), Hint: hint, Pos: p})
}

// resolve follows aliases, with a budget against alias bombs.
func (d *nodes) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		if d.budget <= 0 {
			d.errorf(n, "yaml-alias", "expand the alias by hand", "too many alias expansions")
			return nil
		}
		d.budget--
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		}
		return fmt.Sprintf("the string %q", clip(n.Value))
	}
	return "an alias"
}

func clip(s string) string {
	if len(s) > 40 {
		cut := 40
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return s[:cut] + "…"
	}
	return s
}

// field is one key of a mapping, as decoded.
type field struct {
	key   string
	kpos  Pos
	value *yaml.Node
}

// mapping checks that n is a mapping whose keys are all in valid, and
// returns its fields in order plus a Loc of the element. what names the
// element in messages ("party", "issue").
func (d *nodes) mapping(n *yaml.Node, what string, valid []string) ([]field, Loc, bool) {
	n = d.resolve(n)
	loc := Loc{Pos: d.pos(n), Keys: map[string]Pos{}, Items: map[string][]Pos{}}
	if n == nil {
		return nil, loc, false
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "wrong-type", "write it as key: value pairs", "%s must be a mapping, not %s", what, kindName(n))
		return nil, loc, false
	}
	ok := map[string]bool{}
	for _, v := range valid {
		ok[v] = true
	}
	var out []field
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "wrong-type", "keys are plain words", "a key of %s must be a word, not %s", what, kindName(k))
			continue
		}
		if valid != nil && !ok[k.Value] {
			d.errorf(k, "unknown-key", "valid keys: "+strings.Join(valid, ", "), "unknown key %q in %s", clip(k.Value), what)
			continue
		}
		if _, dup := loc.Keys[k.Value]; dup {
			d.errorf(k, "duplicate-key", "give each key once", "key %q given twice in %s", clip(k.Value), what)
			continue
		}
		vv := d.resolve(v)
		if vv == nil {
			vv = v
		}
		loc.Keys[k.Value] = d.pos(vv)
		out = append(out, field{key: k.Value, kpos: d.pos(k), value: vv})
	}
	return out, loc, true
}

// seq checks that n is a list and returns its items.
func (d *nodes) seq(n *yaml.Node, what string) []*yaml.Node {
	n = d.resolve(n)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "wrong-type", "write a list: [a, b] or one '- item' per line", "%s must be a list, not %s", what, kindName(n))
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if c = d.resolve(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// str decodes a scalar as text; numbers and dates are taken as written.
func (d *nodes) str(n *yaml.Node, what string) (string, bool) {
	n = d.resolve(n)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "wrong-type", "write a single value", "%s must be text, not %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// strs decodes a list of scalars.
func (d *nodes) strs(n *yaml.Node, what string) []string {
	var out []string
	for _, c := range d.seq(n, what) {
		if s, ok := d.str(c, "an item of "+what); ok {
			out = append(out, s)
		}
	}
	return out
}

// list decodes a list of scalars under key, recording each item's
// position in loc.
func (d *nodes) list(loc *Loc, key string, n *yaml.Node, what string) []string {
	vals, ps := d.strsPos(n, what)
	if loc.Items == nil {
		loc.Items = map[string][]Pos{}
	}
	loc.Items[key] = ps
	return vals
}

// strsPos decodes a list of scalars with the position of each.
func (d *nodes) strsPos(n *yaml.Node, what string) ([]string, []Pos) {
	var out []string
	var ps []Pos
	for _, c := range d.seq(n, what) {
		if s, ok := d.str(c, "an item of "+what); ok {
			out = append(out, s)
			ps = append(ps, d.pos(c))
		}
	}
	return out, ps
}

func (d *nodes) boolean(n *yaml.Node, what string) (bool, bool) {
	n = d.resolve(n)
	if n == nil {
		return false, false
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err == nil {
			return b, true
		}
	}
	d.errorf(n, "wrong-type", "write true or false", "%s must be true or false, not %s", what, kindName(n))
	return false, false
}

func (d *nodes) integer(n *yaml.Node, what string) (int64, bool) {
	n = d.resolve(n)
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		if v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return v, true
		}
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
		d.errorf(n, "wrong-type", "write a whole number between -2^63 and 2^63-1", "%s must be a whole number, not %s", what, n.Value)
		return 0, false
	}
	d.errorf(n, "wrong-type", "write a whole number", "%s must be a whole number, not %s", what, kindName(n))
	return 0, false
}

func (d *nodes) number(n *yaml.Node, what string) (float64, bool) {
	n = d.resolve(n)
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil {
			if v, err2 := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err2 == nil {
				f, err = float64(v), nil
			}
		}
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, true
		}
		d.errorf(n, "wrong-type", "write a finite number such as 0.5", "%s must be a finite number, not %s", what, n.Value)
		return 0, false
	}
	d.errorf(n, "wrong-type", "write a number such as 0.5", "%s must be a number, not %s", what, kindName(n))
	return 0, false
}

// rule decodes a CEL expression and the position of each of its runes.
func (d *nodes) rule(n *yaml.Node, what string) (Rule, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return Rule{Pos: d.pos(n)}, false
	}
	r := Rule{Expr: s, Pos: d.pos(n)}
	r.runes = d.mapRunes(n, s)
	if len(r.runes) > 0 {
		r.Pos = r.runes[0]
	}
	return r, true
}

// mapRunes aligns the decoded value of a scalar with its raw text in the
// file, giving the file position of every rune of the value. Escapes,
// doubled quotes, folded lines and block indentation are skipped over.
// It returns nil when the raw text cannot be aligned.
func (d *nodes) mapRunes(n *yaml.Node, value string) []Pos {
	if n.Line < 1 || n.Line > len(d.lines) {
		return nil
	}
	line, col := n.Line-1, n.Column-1 // 0-based; col in runes
	raw := []rune(d.lines[line])
	// next returns the rune at the cursor, or '\n' once when the cursor
	// passes the end of a line (moving it to the next line's start).
	next := func() (rune, bool) {
		if col >= len(raw) {
			line++
			if line >= len(d.lines) {
				return 0, false
			}
			raw, col = []rune(d.lines[line]), 0
			return '\n', true
		}
		return raw[col], true
	}
	advance := func() {
		if col < len(raw) {
			col++
		}
	}
	switch n.Style {
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		advance() // opening quote
	case yaml.LiteralStyle, yaml.FoldedStyle:
		col = len(raw) // the header line
	}
	out := make([]Pos, 0, len(value))
	for _, v := range value {
		for {
			r, ok := next()
			if !ok {
				return nil
			}
			if r == '\n' && v != '\n' && n.Style != yaml.LiteralStyle {
				// A folded line break; it stands for a space in the value.
				if v == ' ' {
					out = append(out, Pos{File: d.file, Line: line + 1, Col: 1})
					break
				}
				continue
			}
			if r == '\n' {
				if v == '\n' {
					out = append(out, Pos{File: d.file, Line: line, Col: 1})
					break
				}
				continue
			}
			if n.Style == yaml.DoubleQuotedStyle && r == '\\' {
				p := Pos{File: d.file, Line: line + 1, Col: col + 1}
				advance()
				e, _ := next()
				advance()
				switch e {
				case 'x':
					col += 2
				case 'u':
					col += 4
				case 'U':
					col += 8
				}
				out = append(out, p)
				break
			}
			if r == v {
				out = append(out, Pos{File: d.file, Line: line + 1, Col: col + 1})
				advance()
				if n.Style == yaml.SingleQuotedStyle && r == '\'' {
					advance() // the doubled quote
				}
				break
			}
			if r == ' ' || r == '\t' {
				advance()
				continue
			}
			return nil
		}
	}
	return out
}
