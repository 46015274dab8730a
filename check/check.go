// Package check runs every check of a settlement: the loader's validation,
// the vagueness lint, and the findings that need an engine (the veto
// analysis of package guarantee; the clause compiler and SAT solver of
// package dealspace for rules outside the compilable subset, red lines no
// package satisfies and constraints that contradict each other).
package check

import (
	"fmt"
	"strings"

	"github.com/entente-org/entente/guarantee"
	"github.com/entente-org/entente/settlement"
)

// Result is the outcome of checking one settlement file.
type Result struct {
	// Findings lists every finding, sorted by position.
	Findings settlement.Findings
	// Settlement is the loaded settlement; nil when the file is malformed.
	Settlement *settlement.Settlement
}

// OK reports whether the result has no error and, when strict, no warning.
func (r *Result) OK(strict bool) bool {
	if strict {
		return len(r.Findings) == 0
	}
	return r.Findings.Errors() == 0
}

// File loads the settlement at path and checks it. The error is a
// [*settlement.MalformedError] when the file cannot be read or is not YAML.
func File(path string, opts settlement.Options) (*Result, error) {
	s, fs, err := settlement.LoadFile(path, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Findings: Settlement(s, fs), Settlement: s}, nil
}

// Settlement checks a loaded settlement, given the loader's findings, and
// returns every finding sorted.
func Settlement(s *settlement.Settlement, loaded settlement.Findings) settlement.Findings {
	out := append(settlement.Findings(nil), loaded...)
	out = append(out, settlement.Lint(s)...)
	out = append(out, Vetoes(s)...)
	if loaded.Errors() == 0 {
		out = append(out, DealSpace(s)...)
	}
	out.Sort()
	return out
}

// Vetoes reports each guarantee whose decision rule lets the party it is
// meant to deter block its activation (the error deterred-veto).
func Vetoes(s *settlement.Settlement) settlement.Findings {
	var out settlement.Findings
	for _, g := range s.Guarantees {
		if g.Decision == nil || g.Deters == "" {
			continue
		}
		if guarantee.IsVeto(g.Decision, g.Deters) {
			vetoes := guarantee.VetoPlayers(g.Decision)
			out = append(out, settlement.Finding{
				Severity:  settlement.Error,
				Code:      "deterred-veto",
				Pos:       g.At("decision"),
				Guarantee: g.ID,
				Party:     g.Deters,
				Message: fmt.Sprintf("%s, the party guarantee %s is meant to deter, can block its activation: no coalition without %s activates it (veto players: %s)",
					g.Deters, g.ID, g.Deters, strings.Join(vetoes, ", ")),
				Hint: "take " + g.Deters + " out of the decision rule, or make it a quota that the others reach without " + g.Deters,
			})
		}
	}
	return out
}
