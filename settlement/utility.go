package settlement

import (
	"math"
	"sort"
	"strconv"

	"github.com/entente-org/entente/rules"
)

// Value returns the party's value in [0,1] for one issue's value v (a
// string for an enumeration, an int64 for a range, a []string for a
// subset), before weighting:
//   - enumeration: the option's value; unlisted options score 0;
//   - range: linear between the listed points, flat beyond the first and
//     last; no points scores 0;
//   - subset: the sum of the chosen items' values, rescaled so that the
//     worst subset scores 0 and the best 1 (every subset scores 0 when all
//     are worth the same).
func (u *Utility) Value(is *Issue, v any) float64 {
	vals := u.Values[is.ID]
	switch is.Kind {
	case rules.Enum:
		s, _ := v.(string)
		return vals[s]
	case rules.Range:
		var x int64
		switch n := v.(type) {
		case int64:
			x = n
		case int:
			x = int64(n)
		}
		return rangeValue(vals, float64(x))
	case rules.Subset:
		set, _ := v.([]string)
		lo, hi, sum := 0.0, 0.0, 0.0
		for _, it := range is.Items {
			if w := vals[it]; w < 0 {
				lo += w
			} else {
				hi += w
			}
		}
		if hi <= lo {
			return 0
		}
		for _, it := range set {
			sum += vals[it]
		}
		return (sum - lo) / (hi - lo)
	}
	return 0
}

// rangeValue interpolates linearly between points, flat beyond them.
func rangeValue(vals map[string]float64, x float64) float64 {
	type pt struct{ x, y float64 }
	pts := make([]pt, 0, len(vals))
	for k, y := range vals {
		n, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			continue
		}
		pts = append(pts, pt{float64(n), y})
	}
	if len(pts) == 0 {
		return 0
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
	if x <= pts[0].x {
		return pts[0].y
	}
	last := pts[len(pts)-1]
	if x >= last.x {
		return last.y
	}
	for i := 1; i < len(pts); i++ {
		if x <= pts[i].x {
			a, b := pts[i-1], pts[i]
			if b.x == a.x {
				return b.y
			}
			return a.y + (b.y-a.y)*(x-a.x)/(b.x-a.x)
		}
	}
	return last.y
}

// Weight returns the normalised weight of an issue in the party's utility
// (its weight over the sum of positive weights; 0 when there is none).
func (u *Utility) Weight(issue string) float64 {
	total := 0.0
	for _, w := range u.Weights {
		if w > 0 {
			total += w
		}
	}
	w := u.Weights[issue]
	if total == 0 || w <= 0 || math.IsNaN(w) {
		return 0
	}
	return w / total
}

// Of returns the party's utility of a package: the weighted sum of the
// issues' values, weights normalised by their sum.
func (u *Utility) Of(s *Settlement, pkg rules.Package) float64 {
	total := 0.0
	for _, is := range s.Issues {
		if w := u.Weight(is.ID); w > 0 {
			total += w * u.Value(is, pkg[is.ID])
		}
	}
	return total
}
