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
	out = append(out, Costs(s)...)
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

// Costs reports each guarantee that gives credibility costs but not all
// those its credibility game needs (the warning credibility-incomplete):
// the aggressor's gain and cost_if_opposed and each voter's
// cost_of_response and cost_of_inaction. The list is the one the engine
// uses ([guarantee.MissingCosts]), so the finding and the null
// credibility of `entente guarantee` always agree.
func Costs(s *settlement.Settlement) settlement.Findings {
	var out settlement.Findings
	for _, g := range s.Guarantees {
		miss := guarantee.MissingCosts(g)
		if len(miss) == 0 {
			continue
		}
		parts := make([]string, len(miss))
		for i, m := range miss {
			parts[i] = m.String()
		}
		f := settlement.Finding{
			Severity:  settlement.Warning,
			Code:      "credibility-incomplete",
			Pos:       g.At("credibility"),
			Guarantee: g.ID,
			Message: fmt.Sprintf("guarantee %s gives credibility costs but not those of %s: its credibility game cannot be solved",
				g.ID, strings.Join(parts, "; ")),
			Hint: "give the aggressor gain and cost_if_opposed, and every voter of the decision rule cost_of_response and cost_of_inaction",
		}
		if len(miss) == 1 && !miss[0].Aggressor {
			f.Party = miss[0].Party
		}
		out = append(out, f)
	}
	return out
}
