// Package settlement is the model of a peace settlement and its loader: a
// YAML file (which may include others) stating the parties, the negotiable
// issues, each party's red lines and preferences, the security guarantees
// and the monitoring terms. The engines (dealspace, guarantee, monitor)
// read the model; this package imports no engine.
//
// # The file format
//
// A settlement file is a YAML mapping in format 1 (see [Format]):
//
//	entente: 1
//	id: example
//	sources:     [{id: s1, publisher: ..., date: 2025-08-19, title: ..., url: ...}]
//	parties:     [{id: UA, name: Ukraine, roles: [belligerent]}]
//	issues:      [{id: nato, options: [excluded, open]}]   # or range: {min, max, step}, or subset_of: [...]
//	constraints: [{id: c1, rule: 'nato != "open"'}]         # CEL over the issues
//	positions:   [{party: UA, red_lines: [...], utility: {weights: ..., values: ...}, reservation: 0.2}]
//	guarantees:  [{id: g, guarantors: [...], decision: {unanimity: [...]}, obligations: {...}}]
//	monitoring:  {ceasefire: {from: 2025-09-01}, zones: zones.geojson, violations: [...], triggers: [...]}
//
// Keys are decoded strictly: an unknown key, a key given twice or a value
// of the wrong kind is an error that names the keys that would be valid.
// Every rule is a CEL expression compiled by package rules against the
// settlement's issues (or, for monitoring, against an event). The key
// names are a contract that examples and other tools rely on: keys may be
// added, never renamed. DESIGN.md ("The settlement file (format 1)") states
// that contract and the semantics results depend on; docs/settlement.md is
// the reference of every key, and docs/findings.md explains every finding.
// [Schema] returns the same format as a JSON Schema, for editors.
//
// # Loading and checking
//
// [Parse] decodes a settlement from bytes, with no I/O beyond the files it
// includes (read through [Options].ReadFile); [LoadFile] reads a file and
// calls it. Both return the model, as complete as the input allows, and
// every problem at once as [Findings]: each [Finding] has a severity, a
// stable code, a message, a hint and the file, line and column it is
// about. Only input that cannot be read as a YAML mapping at all is an
// error, a [*MalformedError]. Parse runs [Validate], which reports what is
// undefined or wrong (missing and duplicate ids, references that do not
// resolve, rules that do not compile); [Lint] adds the warnings about what
// is vague or self-defeating (a guarantee with no trigger, decision rule,
// obligation or deadline). Findings that need an engine, such as a
// deterred party's veto, come from package check, which runs them all.
//
// # Example
//
//	s, findings, err := settlement.LoadFile("examples/ukraine-2025/settlement.yaml", settlement.DefaultOptions())
//	if err != nil {
//		return err // unreadable, or not a YAML mapping
//	}
//	findings = append(findings, settlement.Lint(s)...)
//	findings.Sort()
//	for _, f := range findings {
//		fmt.Println(f) // file:line:col: severity[code]: message (hint)
//	}
package settlement
