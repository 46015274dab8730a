package genius

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// commentWidth is where comments are wrapped.
const commentWidth = 88

// render writes the settlement file. Nodes are built by hand so that keys
// keep their order, strings are quoted where YAML needs it, and comments
// carry what the settlement's keys cannot.
func (im *Import) render() []byte {
	root := mapping(false)
	add(root, "entente", intNode(1))
	add(root, "id", str(im.ID))
	add(root, "title", str(im.Title))
	add(root, "description", str(im.Description))

	parties := &yaml.Node{Kind: yaml.SequenceNode}
	for _, p := range im.Parties {
		n := mapping(false)
		add(n, "id", str(p.ID))
		add(n, "name", str(baseName(p.Profile.Name)))
		roles := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		roles.Content = append(roles.Content, str("belligerent"))
		add(n, "roles", roles)
		note := "Genius utility profile " + p.Profile.Name
		if p.Utility == nil {
			note += "; no position: its utility is not additive"
		}
		add(n, "note", str(note))
		if p.Utility == nil {
			n.HeadComment = comment(p.Notes)
		}
		parties.Content = append(parties.Content, n)
	}
	add(root, "parties", parties)

	issues := &yaml.Node{Kind: yaml.SequenceNode}
	for _, is := range im.Issues {
		n := mapping(false)
		add(n, "id", str(is.ID))
		add(n, "name", str(is.From.Name))
		if is.Grid != nil {
			g := is.Grid
			desc := fmt.Sprintf("Genius real issue from %s to %s, taken at %d values", num(g.Low), num(g.High), g.N)
			if g.N > 1 {
				desc += fmt.Sprintf(" %s apart", num((g.High-g.Low)/float64(g.N-1)))
			}
			add(n, "description", str(desc+"; "+g.describe(is.From.Name)+"."))
		}
		note := fmt.Sprintf("Genius %s issue %d", is.Kind, is.From.Index)
		if o := im.Domain.Objective; o != "" && !strings.EqualFold(o, "root") && !strings.EqualFold(o, "any") {
			note += fmt.Sprintf(" of objective %q", o)
		}
		add(n, "note", str(note))
		switch is.Kind {
		case Discrete:
			opts := &yaml.Node{Kind: yaml.SequenceNode}
			for i, v := range is.Options {
				o := str(v)
				if d := oneLine(is.From.Items[i].Description); d != "" && d != v && !strings.ContainsAny(v, "\n\r") {
					o.LineComment = d
				}
				opts.Content = append(opts.Content, o)
			}
			add(n, "options", opts)
		default:
			r := mapping(true)
			add(r, "min", intNode(is.Min))
			add(r, "max", intNode(is.Max))
			add(r, "step", intNode(is.Step))
			add(n, "range", r)
		}
		issues.Content = append(issues.Content, n)
	}
	add(root, "issues", issues)

	positions := &yaml.Node{Kind: yaml.SequenceNode}
	for _, p := range im.Parties {
		if p.Utility == nil {
			continue
		}
		n := mapping(false)
		n.HeadComment = comment(p.Notes)
		add(n, "party", str(p.ID))
		u := mapping(false)
		w := mapping(false)
		vals := mapping(false)
		for k, is := range im.Issues {
			add(w, is.ID, floatNode(p.Utility.Weights[k]))
			if len(p.Utility.Values[k]) == 0 {
				continue
			}
			v := mapping(false)
			for _, pt := range p.Utility.Values[k] {
				key := str(pt.Key)
				if is.Kind != Discrete {
					key = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: pt.Key}
				}
				v.Content = append(v.Content, key, floatNode(pt.Value))
			}
			add(vals, is.ID, v)
		}
		add(u, "weights", w)
		if len(vals.Content) > 0 {
			add(u, "values", vals)
		}
		add(n, "utility", u)
		if p.Reservation != nil {
			add(n, "reservation", floatNode(*p.Reservation))
		}
		add(n, "note", str("from the Genius utility profile "+p.Profile.Name))
		positions.Content = append(positions.Content, n)
	}
	if len(positions.Content) > 0 {
		add(root, "positions", positions)
	}

	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}, HeadComment: im.header()}
	var b bytes.Buffer
	e := yaml.NewEncoder(&b)
	e.SetIndent(2)
	if err := e.Encode(doc); err != nil {
		// The nodes are built above from valid strings and numbers: an
		// encoding error is a bug.
		panic(fmt.Sprintf("genius: encoding the settlement: %v", err))
	}
	e.Close()
	return b.Bytes()
}

// header is the comment at the top of the file.
func (im *Import) header() string {
	lines := []string{
		"Imported by `entente import genius` from Genius negotiation files:",
		"  domain   " + im.Domain.Name,
	}
	for _, p := range im.Parties {
		lines = append(lines, fmt.Sprintf("  profile  %s -> party %s", p.Profile.Name, p.ID))
	}
	equals := "equals the Genius utility of its profile on every package"
	if im.rescaled {
		equals = "equals the Genius utility of its profile on every package, except where a warning below says the weights were divided by their sum"
	}
	lines = append(lines, wrap("How Genius terms map to the settlement: docs/genius.md. Each position's utility "+
		"(weights divided by their sum) "+equals+": discrete "+
		"evaluations are divided by the issue's largest evaluation, as Genius does, and integer and real "+
		"evaluators become points joined by straight lines.", "")...)
	if len(im.Warnings) == 0 {
		lines = append(lines, "Every Genius term of these files is expressed.")
		return strings.Join(lines, "\n")
	}
	lines = append(lines, "", "Not expressed, or read leniently (also printed as warnings):")
	for _, w := range im.Warnings {
		lines = append(lines, wrap("- "+w.Pos.String()+": "+w.Msg, "  ")...)
	}
	return strings.Join(lines, "\n")
}

// comment returns notes as a comment: one wrapped paragraph, or a list
// when there are several.
func comment(notes []string) string {
	if len(notes) == 1 {
		return strings.Join(wrap(notes[0], ""), "\n")
	}
	var lines []string
	for _, n := range notes {
		lines = append(lines, wrap("- "+n, "  ")...)
	}
	return strings.Join(lines, "\n")
}

// wrap splits text into lines of at most commentWidth characters; lines
// after the first begin with indent.
func wrap(text, indent string) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
			if len(lines) > 0 {
				line = indent + w
			}
		case len(line)+1+len(w) > commentWidth:
			lines = append(lines, line)
			line = indent + w
		default:
			line += " " + w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

var space = regexp.MustCompile(`\s+`)

// oneLine folds white space, so that a description fits a line comment.
func oneLine(s string) string { return strings.TrimSpace(space.ReplaceAllString(s, " ")) }

func mapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

// yaml11 lists plain words that YAML 1.1 readers take for booleans or
// null; they are double-quoted so that every reader sees text.
var yaml11 = regexp.MustCompile(`^(?i:y|n|yes|no|on|off|true|false|null|~)$`)

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11.MatchString(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func intNode(v int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)}
}

// floatNode writes x in the shortest form that reads back as x.
func floatNode(x float64) *yaml.Node {
	s := num(x)
	tag := "!!float"
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s}
}
