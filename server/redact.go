package server

import (
	"sort"

	"github.com/entente-org/entente/dealspace"
)

// nobody is the party of a view redacted for every party: what observers
// see of a published deal-space result.
const nobody = "\x00"

// otherRedLine is how a party sees a red line of another party.
var otherRedLine = dealspace.RedLineRef{Other: true, Message: "a red line of another party"}

// redactDeals returns d as party may see it: its own utilities,
// reservation and red lines only; every other party's red line is "a red
// line of another party"; the bargaining values (product, min ratio,
// sum) and the best utilities, computed from every party's utilities,
// are left out; the frontier is ordered by the party's own utility. With party nobody, no utility or red line is shown.
func redactDeals(d *dealspace.Deals, party string) *dealspace.Deals {
	out := *d
	keep := func(m map[string]float64) map[string]float64 {
		r := map[string]float64{}
		if v, ok := m[party]; ok {
			r[party] = v
		}
		return r
	}
	out.Reservation = keep(d.Reservation)
	out.Best = nil
	out.Pareto = make([]dealspace.ParetoEntry, len(d.Pareto))
	for i, e := range d.Pareto {
		e.Utility = keep(e.Utility)
		out.Pareto[i] = e
	}
	if party != nobody {
		// The frontier's order, its points and their package counts come
		// from every party's utilities: a party gets the packages by its
		// own utility, best first, its points numbered by that utility,
		// and no counts.
		sort.SliceStable(out.Pareto, func(i, j int) bool { return out.Pareto[i].Utility[party] > out.Pareto[j].Utility[party] })
		point := -1
		for i := range out.Pareto {
			if i == 0 || out.Pareto[i].Utility[party] != out.Pareto[i-1].Utility[party] {
				point++
			}
			out.Pareto[i].Point = point
			out.Pareto[i].Packages = ""
		}
	}
	sol := func(s *dealspace.SolutionInfo) *dealspace.SolutionInfo {
		if s == nil {
			return nil
		}
		return &dealspace.SolutionInfo{Package: s.Package, Utility: keep(s.Utility)}
	}
	out.Nash, out.Kalai, out.Utilitarian = sol(d.Nash), sol(d.Kalai), sol(d.Utilitarian)
	refs := func(ls []dealspace.RedLineRef) []dealspace.RedLineRef {
		r := make([]dealspace.RedLineRef, len(ls))
		for i, l := range ls {
			if l.Party != party {
				l = otherRedLine
			}
			r[i] = l
		}
		return r
	}
	out.Conflicts = make([][]dealspace.RedLineRef, len(d.Conflicts))
	for i, c := range d.Conflicts {
		out.Conflicts[i] = refs(c)
	}
	out.Relaxations = make([]dealspace.RelaxationInfo, len(d.Relaxations))
	for i, x := range d.Relaxations {
		x.Drop = refs(x.Drop)
		out.Relaxations[i] = x
	}
	return &out
}
