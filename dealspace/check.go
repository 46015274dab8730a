package dealspace

import (
	"github.com/entente-org/entente/settlement"
)

// Contradictions is what Contradictions finds in a settlement.
type Contradictions struct {
	// RedLines lists the red lines no package satisfies, each on its own
	// (without the constraints and other red lines).
	RedLines []RedLine
	// Constraints is a minimal set of constraints that no package
	// satisfies together; nil when the constraints are satisfiable.
	Constraints []*settlement.Constraint
}

// FindContradictions decides, exactly and with no bound on the size of
// the space, which red lines no package can satisfy on its own and
// whether the constraints contradict each other. It needs the same
// preconditions as New (every rule compiled and inside the clause
// compiler's subset) but no positions, and fails as New does.
func FindContradictions(s *settlement.Settlement) (*Contradictions, error) {
	sp, err := newSpace(s)
	if err != nil {
		return nil, err
	}
	p := newSATProblem(sp)
	out := &Contradictions{}
	noHard := make([]bool, len(p.hardSel))
	for r := range sp.red {
		keep := make([]bool, len(sp.red))
		keep[r] = true
		if ok, _ := p.solveSome(noHard, keep); !ok {
			out.RedLines = append(out.RedLines, sp.redLines[r])
		}
	}
	out.Constraints = sp.hardConflict(p)
	return out, nil
}
