package settlement

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// schemaURL is the schema's $id, under which the test registers it.
const schemaURL = "https://github.com/entente-org/entente/settlement/schema.json"

// schemaStarter is the starter settlement that entente init writes.
const schemaStarter = "../cmd/entente/starter/settlement.yaml"

// schemaFull uses every key of the format (with part.yaml, zones.geojson
// and line.geojson beside it).
const schemaFull = "testdata/schema/full.yaml"

// schemaCompile compiles the embedded schema, checking it against the
// draft 2020-12 meta-schema on the way.
func schemaCompile(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		t.Fatalf("AddResource: %v", err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		t.Fatalf("schema.json does not compile: %v", err)
	}
	return sch
}

// schemaInstance converts a YAML document to the JSON value an editor's
// YAML language server validates: mapping keys become strings (utility
// values are keyed by integers: {0: 1, 20000: 0}) and timestamps become the
// text they were written as (date: 2025-08-19).
func schemaInstance(src []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(schemaNormalise(v))
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

func schemaNormalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = schemaNormalise(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if t, ok := k.(time.Time); ok {
				k = schemaTime(t)
			}
			out[fmt.Sprint(k)] = schemaNormalise(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = schemaNormalise(e)
		}
		return out
	case time.Time:
		return schemaTime(x)
	}
	return v
}

// schemaTime writes a YAML timestamp back as text: a date when it is
// midnight UTC, else RFC 3339.
func schemaTime(t time.Time) string {
	if t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour)) {
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339Nano)
}

// schemaValidate validates a YAML document. An included file (no entente
// key) is validated as if it stated entente and id, which only the root
// file may.
func schemaValidate(sch *jsonschema.Schema, src []byte, fragment bool) error {
	inst, err := schemaInstance(src)
	if err != nil {
		return fmt.Errorf("converting YAML to JSON: %w", err)
	}
	if m, ok := inst.(map[string]any); ok && fragment {
		if _, ok := m["entente"]; !ok {
			m["entente"] = json.Number("1")
		}
		if _, ok := m["id"]; !ok {
			m["id"] = "included"
		}
	}
	return sch.Validate(inst)
}

// schemaStructural are the finding codes for what the schema states: the
// decoder's and the validator's findings about keys, types, enumerations,
// domains, decision forms, durations, times, required keys, identifiers
// and bounds. The rest (references between ids, duplicate ids, rules that
// do not compile, files, lint) is beyond a JSON Schema.
var schemaStructural = map[string]bool{
	"unknown-key": true, "wrong-type": true, "duplicate-key": true, "issue-domain": true,
	"decision-form": true, "decision-empty": true, "bad-duration": true, "unknown-response": true,
	"unknown-role": true, "bad-time": true, "missing-key": true, "missing-id": true, "bad-id": true,
	"unsupported-format": true, "bad-value": true,
}

func schemaStructuralFindings(found Findings) Findings {
	var out Findings
	for _, f := range found {
		if schemaStructural[f.Code] {
			out = append(out, f)
		}
	}
	return out
}

func TestSchemaIsJSON(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal(Schema(), &v); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	if v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", v["$schema"])
	}
	schemaCompile(t)
	s := Schema()
	s[0] = 'x'
	if Schema()[0] != '{' {
		t.Error("Schema returns the embedded slice itself; callers could modify it")
	}
}

// TestSchemaAcceptsSettlements validates every example, every good test
// settlement and the starter of entente init. Files in subdirectories of
// testdata/good may be included ones, validated as fragments.
func TestSchemaAcceptsSettlements(t *testing.T) {
	sch := schemaCompile(t)
	roots, _ := filepath.Glob("../examples/*/settlement.yaml")
	if len(roots) == 0 {
		t.Log("no examples yet under ../examples")
	}
	good, _ := filepath.Glob("testdata/good/*.yaml")
	roots = append(roots, good...)
	roots = append(roots, schemaFull, schemaStarter)
	var fragments []string
	_ = filepath.WalkDir("testdata/good", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Dir(path) != "testdata/good" &&
			(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			fragments = append(fragments, path)
		}
		return nil
	})
	fragments = append(fragments, "testdata/schema/part.yaml")
	for i, f := range append(roots, fragments...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := schemaValidate(sch, src, i >= len(roots)); err != nil {
			t.Errorf("%s does not validate against the schema:\n%v", f, err)
		}
	}
	// The schema and the decoder agree on the files that use every key.
	for _, f := range []string{schemaFull, schemaStarter} {
		_, found, err := LoadFile(f, DefaultOptions())
		if err != nil {
			t.Fatalf("LoadFile(%s): %v", f, err)
		}
		if bad := schemaStructuralFindings(found); len(bad) > 0 {
			t.Errorf("LoadFile(%s): %v", f, bad)
		}
	}
}

// schemaBase is a small valid settlement that the bad documents break.
const schemaBase = `entente: 1
id: bad
title: A settlement the test breaks
parties:
  - {id: A, roles: [belligerent]}
  - {id: B, roles: [belligerent]}
  - {id: G, roles: [guarantor]}
issues:
  - {id: x, options: [a, b]}
  - {id: n, range: {min: 0, max: 10, step: 2}}
positions:
  - party: A
    utility:
      weights: {x: 1, n: 1}
      values:
        x: {a: 1}
        n: {0: 0, 10: 1}
    reservation: 0.2
guarantees:
  - id: g
    beneficiary: A
    deters: B
    guarantors: [G]
    trigger: {description: an attack, monitor: t}
    decision: {any: [G]}
    obligations:
      G: {responses: [sanctions], within: 72h}
monitoring:
  ceasefire: {from: 2025-09-01T00:00:00Z}
  triggers:
    - {id: t, side: B, window: 7d, threshold: 1, guarantee: g}
`

func TestSchemaRejects(t *testing.T) {
	sch := schemaCompile(t)
	if err := schemaValidate(sch, []byte(schemaBase), false); err != nil {
		t.Fatalf("the base document does not validate: %v", err)
	}
	if _, found, err := Parse("base.yaml", []byte(schemaBase), DefaultOptions()); err != nil || found.Errors() > 0 {
		t.Fatalf("the base document does not load: %v %v", err, found)
	}
	tests := []struct {
		name, old, new, code string
	}{
		{"unknown top-level key", "title:", "colour: blue\ntitle:", "unknown-key"},
		{"unknown party key", "{id: A, roles: [belligerent]}", "{id: A, roles: [belligerent], flag: red}", "unknown-key"},
		{"unknown obligation key", "within: 72h}", "within: 72h, deadline: 3d}", "unknown-key"},
		{"unknown decision form", "{any: [G]}", "{all_of: [{any: [G]}, {every: [G]}]}", "unknown-key"},
		{"title is a list", "title: A settlement the test breaks", "title: [a, b]", "wrong-type"},
		{"reservation is text", "reservation: 0.2", "reservation: high", "wrong-type"},
		{"ambiguity is text", "guarantors: [G]", "guarantors: [G]\n    ambiguity: \"no\"", "wrong-type"},
		{"parties is a mapping", "parties:\n  - {id: A, roles: [belligerent]}\n", "parties:\n  - [A, belligerent]\n", "wrong-type"},
		{"range bound is text", "max: 10", "max: ten", "wrong-type"},
		{"two domains", "{id: x, options: [a, b]}", "{id: x, options: [a, b], range: {min: 0, max: 3}}", "issue-domain"},
		{"no domain", "{id: x, options: [a, b]}", "{id: x}", "issue-domain"},
		{"no options", "{id: x, options: [a, b]}", "{id: x, options: []}", "issue-domain"},
		{"option twice", "{id: x, options: [a, b]}", "{id: x, options: [a, a, b]}", "issue-domain"},
		{"step 0", "step: 2", "step: 0", "issue-domain"},
		{"issue id not an identifier", "{id: x, options", "{id: x-y, options", "bad-id"},
		{"issue id a CEL word", "{id: x, options", "{id: size, options", "bad-id"},
		{"bad within", "within: 72h", "within: 3 days", "bad-duration"},
		{"within in minutes", "within: 72h", "within: 30m", "bad-duration"},
		{"window without unit", "window: 7d", "window: 7", "bad-duration"},
		{"unknown response", "[sanctions]", "[sanctions, blockade]", "unknown-response"},
		{"unknown role", "[guarantor]", "[guarantor, ally]", "unknown-role"},
		{"two decision forms", "{any: [G]}", "{any: [G], unanimity: [G]}", "decision-form"},
		{"quota without weights", "{any: [G]}", "{quota: 1}", "decision-form"},
		{"weights without quota", "{any: [G]}", "{weights: {G: 1}}", "decision-form"},
		{"empty unanimity", "{any: [G]}", "{unanimity: []}", "decision-empty"},
		{"empty all_of", "{any: [G]}", "{all_of: []}", "decision-empty"},
		{"fractional quota", "{any: [G]}", "{quota: 0.5, weights: {G: 1}}", "bad-value"},
		{"value above 1", "x: {a: 1}", "x: {a: 2}", "bad-value"},
		{"negative weight", "weights: {x: 1, n: 1}", "weights: {x: 1, n: -1}", "bad-value"},
		{"reservation above 1", "reservation: 0.2", "reservation: 1.5", "bad-value"},
		{"format 2", "entente: 1", "entente: 2", "unsupported-format"},
		{"no format", "entente: 1\n", "", "missing-key"},
		{"no id", "id: bad\n", "", "missing-key"},
		{"position without party", "  - party: A\n", "  - note: whose?\n", "missing-key"},
		{"trigger without window", "window: 7d, ", "", "missing-key"},
		{"guarantee without id", "  - id: g\n", "  - title: nameless\n", "missing-id"},
		{"party without id", "{id: A, roles: [belligerent]}", "{name: A, roles: [belligerent]}", "missing-id"},
		{"bad ceasefire", "from: 2025-09-01T00:00:00Z", "from: next monday", "bad-time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(schemaBase, tt.old) {
				t.Fatalf("the base has no %q", tt.old)
			}
			src := []byte(strings.Replace(schemaBase, tt.old, tt.new, 1))
			if err := schemaValidate(sch, src, false); err == nil {
				t.Errorf("the schema accepts:\n%s", src)
			}
			_, found, err := Parse("bad.yaml", src, DefaultOptions())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !slices.Contains(found.Codes(), tt.code) {
				t.Errorf("the decoder reports %v, want %s:\n%v", found.Codes(), tt.code, found)
			}
		})
	}
}

// TestSchemaMutants breaks the file that uses every key one node at a
// time (an unknown key in each mapping; each scalar made a mapping, null
// or a number; each integer made a fraction; each list made null) and
// checks that the schema rejects a mutant exactly when the decoder reports
// a structural finding.
func TestSchemaMutants(t *testing.T) {
	sch := schemaCompile(t)
	src, err := os.ReadFile(schemaFull)
	if err != nil {
		t.Fatal(err)
	}
	type mutation struct {
		name  string
		apply func(n *yaml.Node, key string) bool // false: not applicable
	}
	scalar := func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode }
	mutations := []mutation{
		{"unknown key", func(n *yaml.Node, _ string) bool {
			if n.Kind != yaml.MappingNode {
				return false
			}
			n.Content = append(n.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "zz_unknown"},
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"})
			return true
		}},
		{"mapping for scalar", func(n *yaml.Node, _ string) bool {
			if !scalar(n) {
				return false
			}
			*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "zz"},
				{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"}}}
			return true
		}},
		{"null for scalar", func(n *yaml.Node, _ string) bool {
			if !scalar(n) {
				return false
			}
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
			return true
		}},
		{"null for list", func(n *yaml.Node, _ string) bool {
			if n.Kind != yaml.SequenceNode {
				return false
			}
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
			return true
		}},
		{"fraction for integer", func(n *yaml.Node, _ string) bool {
			if !scalar(n) || n.Tag != "!!int" {
				return false
			}
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: "0.5"}
			return true
		}},
		// Rules and PA-X codes are stricter in the schema than in the
		// decoder: a number can never be a valid rule or code, and the
		// decoder's findings for them (rule-not-bool, pax-unknown) are not
		// structural.
		{"number for text", func(n *yaml.Node, key string) bool {
			if !scalar(n) || n.Tag != "!!str" || key == "rule" || key == "pax" {
				return false
			}
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "7"}
			return true
		}},
	}
	// walk visits every value node (not the keys) in document order, with
	// the key of the nearest enclosing mapping entry.
	var walk func(n *yaml.Node, key string, visit func(*yaml.Node, string))
	walk = func(n *yaml.Node, key string, visit func(*yaml.Node, string)) {
		visit(n, key)
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, key, visit)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], n.Content[i].Value, visit)
			}
		}
	}
	var orig yaml.Node
	if err := yaml.Unmarshal(src, &orig); err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, m := range mutations {
		for i := 0; ; i++ {
			doc := schemaClone(&orig)
			j, applied, where := 0, false, ""
			walk(doc.Content[0], "", func(n *yaml.Node, key string) {
				if j == i {
					where = fmt.Sprintf("line %d col %d (%s)", n.Line, n.Column, key)
					applied = m.apply(n, key)
				}
				j++
			})
			if i >= j {
				break
			}
			if !applied {
				continue
			}
			tried++
			out, err := yaml.Marshal(doc)
			if err != nil {
				t.Fatalf("%s at %s: %v", m.name, where, err)
			}
			_, found, err := Parse(schemaFull, out, DefaultOptions())
			if err != nil {
				t.Errorf("%s at %s: Parse: %v", m.name, where, err)
				continue
			}
			decoderRejects := schemaStructuralFindings(found)
			schemaErr := schemaValidate(sch, out, false)
			if (len(decoderRejects) > 0) != (schemaErr != nil) {
				t.Errorf("%s at %s: decoder findings %v; schema error %v", m.name, where, decoderRejects, schemaErr)
			}
		}
	}
	if tried < 500 {
		t.Errorf("only %d mutants", tried)
	}
}

// schemaClone deep-copies a node tree without aliases.
func schemaClone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = schemaClone(x)
	}
	return &c
}

// TestSchemaKeys checks the schema's keys against the decoder's lists and
// that every object with properties rejects other keys and every property
// has a description.
func TestSchemaKeys(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(Schema(), &root); err != nil {
		t.Fatal(err)
	}
	defs := root["$defs"].(map[string]any)
	props := func(s map[string]any) []string {
		p, _ := s["properties"].(map[string]any)
		var out []string
		for k := range p {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	sorted := func(s []string) []string {
		s = slices.Clone(s)
		sort.Strings(s)
		return s
	}
	def := func(name string) map[string]any { return defs[name].(map[string]any) }
	checks := []struct {
		what   string
		schema []string
		want   []string
	}{
		{"top level", props(root), topFields.keys},
		{"guarantee", props(def("guarantee")), guaranteeFields.keys},
		{"monitoring", props(def("monitoring")), monitoringFields.keys},
	}
	var forms []string
	for _, f := range def("decision")["oneOf"].([]any) {
		forms = append(forms, props(f.(map[string]any))...)
	}
	checks = append(checks, struct {
		what   string
		schema []string
		want   []string
	}{"decision", sorted(forms), decisionFields.keys})
	for _, c := range checks {
		if !slices.Equal(c.schema, sorted(c.want)) {
			t.Errorf("%s keys: schema %v, decoder %v", c.what, c.schema, sorted(c.want))
		}
	}
	var visit func(path string, v any)
	visit = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if p, ok := x["properties"].(map[string]any); ok {
				if x["additionalProperties"] != false {
					t.Errorf("%s: properties without additionalProperties: false", path)
				}
				for k, ps := range p {
					d, _ := ps.(map[string]any)["description"].(string)
					if strings.TrimSpace(d) == "" {
						t.Errorf("%s.%s has no description", path, k)
					}
				}
			}
			for k, e := range x {
				visit(path+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				visit(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	visit("#", root)
	enum := func(v any) []string {
		var out []string
		for _, e := range v.(map[string]any)["enum"].([]any) {
			out = append(out, e.(string))
		}
		return out
	}
	prop := func(d, p string) map[string]any {
		return def(d)["properties"].(map[string]any)[p].(map[string]any)
	}
	var roles, ladder []string
	for _, r := range Roles {
		roles = append(roles, string(r))
	}
	for _, r := range Ladder {
		ladder = append(ladder, string(r))
	}
	if got := enum(prop("party", "roles")["items"]); !slices.Equal(got, roles) {
		t.Errorf("roles: schema %v, model %v", got, roles)
	}
	if got := enum(prop("obligation", "responses")["items"]); !slices.Equal(got, ladder) {
		t.Errorf("responses: schema %v, model %v", got, ladder)
	}
}
