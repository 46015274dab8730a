package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
)

// DealSpace reports what the deal-space engine finds wrong in a settlement
// that validates: constraints and red lines outside what the clause
// compiler supports (rule-unsupported), red lines that no package
// satisfies on their own (red-line-unsatisfiable) and constraints that
// contradict each other (constraints-unsatisfiable). All three are exact,
// with no bound on the size of the space.
func DealSpace(s *settlement.Settlement) settlement.Findings {
	var out settlement.Findings
	unsupported := func(r *settlement.Rule, what, party string) {
		if r.Compiled == nil {
			return
		}
		_, err := r.Compiled.Clauses()
		var ue *rules.UnsupportedError
		if errors.As(err, &ue) {
			out = append(out, settlement.Finding{
				Severity: settlement.Error,
				Code:     "rule-unsupported",
				Pos:      r.At(ue.Offset),
				Party:    party,
				Message:  fmt.Sprintf("%s: %s, so the deal-space engine cannot analyse it exactly", what, ue.Msg),
				Hint:     "rewrite it with what the engine compiles: " + rules.Supported,
			})
		}
	}
	for _, c := range s.Constraints {
		unsupported(&c.Rule, "constraint "+c.ID, "")
	}
	for _, p := range s.Positions {
		for _, rl := range p.RedLines {
			unsupported(&rl.Rule, "red line "+rl.ID+" of "+p.Party, p.Party)
		}
	}
	if len(out) > 0 {
		return out
	}
	c, err := dealspace.FindContradictions(s)
	if err != nil {
		return out // reported by deals, with its reason
	}
	for _, l := range c.RedLines {
		rl := redLine(s, l)
		if rl == nil {
			continue
		}
		out = append(out, settlement.Finding{
			Severity: settlement.Error,
			Code:     "red-line-unsatisfiable",
			Pos:      rl.Rule.Pos,
			Party:    l.Party,
			Message:  fmt.Sprintf("red line %s of %s is satisfied by no package: no deal can ever meet it", l.ID, l.Party),
			Hint:     "no value of " + strings.Join(rl.Rule.Compiled.Issues(), ", ") + " satisfies it; check the rule",
		})
	}
	if c.Constraints != nil {
		var ids []string
		for _, x := range c.Constraints {
			ids = append(ids, x.ID)
		}
		for _, x := range c.Constraints {
			msg := fmt.Sprintf("constraint %s is satisfied by no package: there is no deal to analyse", x.ID)
			if len(ids) > 1 {
				msg = fmt.Sprintf("constraints %s contradict each other: no package satisfies them together, so there is no deal to analyse", strings.Join(ids, ", "))
			}
			out = append(out, settlement.Finding{
				Severity: settlement.Error,
				Code:     "constraints-unsatisfiable",
				Pos:      x.Rule.Pos,
				Message:  msg,
				Hint:     "constraints make a package coherent; drop or correct one of them",
			})
		}
	}
	return out
}

func redLine(s *settlement.Settlement, l dealspace.RedLine) *settlement.RedLine {
	p := s.Position(l.Party)
	if p == nil {
		return nil
	}
	for _, rl := range p.RedLines {
		if rl.ID == l.ID {
			return rl
		}
	}
	return nil
}
