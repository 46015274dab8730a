package dealspace

import (
	"math/big"
	"slices"
)

// This file holds the analysis as the CLI's --json and the server's
// responses give it (DESIGN.md, "Results as JSON"): tagged types,
// marshalled unchanged by every face. Counts of packages are exact
// decimal strings; lists are never null.

// MaxList caps the Pareto-optimal packages a Deals lists: a frontier
// may hold 10^15 of them. With no limit, a larger frontier lists its
// first MaxList packages and says pareto_complete false.
const MaxList = 200_000

// Deals is the result of a deal-space analysis.
type Deals struct {
	File        string             `json:"file"`
	Packages    string             `json:"packages"`
	Feasible    *string            `json:"feasible"`
	Complete    bool               `json:"complete"`
	TimedOut    bool               `json:"timed_out"`
	Incomplete  []string           `json:"incomplete"`
	Parties     []string           `json:"parties"`
	Reservation map[string]float64 `json:"reservation"`
	// Pareto lists Pareto-optimal packages, one entry each, up to the
	// limit (or MaxList); ParetoComplete says whether it lists them all.
	// The counts are exact whatever the limit: ParetoPackages (a decimal
	// string) of packages, ParetoPoints of distinct utility vectors; both
	// are null when the frontier was not counted (a large frontier
	// listed lazily), unless the listing reached its end.
	Pareto         []ParetoEntry `json:"pareto"`
	ParetoComplete bool          `json:"pareto_complete"`
	ParetoPoints   *int          `json:"pareto_points"`
	ParetoPackages *string       `json:"pareto_packages"`
	Nash           *SolutionInfo `json:"nash"`
	Kalai          *SolutionInfo `json:"kalai"`
	Utilitarian    *SolutionInfo `json:"utilitarian"`
	// Best is each party's best utility over the bargaining set (Kalai's
	// reference point).
	Best map[string]float64 `json:"best,omitempty"`
	// Conflicts and Relaxations list the minimal conflicts and
	// relaxations up to the limit; the counts are of all found, and
	// …Complete says whether the list holds every one there is (false
	// when a limit cut it or the search was cut short).
	Conflicts           [][]RedLineRef   `json:"conflicts"`
	ConflictCount       int              `json:"conflict_count"`
	ConflictsComplete   bool             `json:"conflicts_complete"`
	Relaxations         []RelaxationInfo `json:"relaxations"`
	RelaxationCount     int              `json:"relaxation_count"`
	RelaxationsComplete bool             `json:"relaxations_complete"`
	SmallestRelaxing    int              `json:"smallest_relaxation,omitempty"`
}

// ParetoEntry is one Pareto-optimal package: its values and utilities,
// the index of its utility vector among the frontier's (by decreasing
// total utility), and how many packages give that vector.
type ParetoEntry struct {
	Package  map[string]any     `json:"package"`
	Utility  map[string]float64 `json:"utility"`
	Point    int                `json:"point"`
	Packages string             `json:"packages"`
}

// SolutionInfo is a bargaining solution: the package, its utilities and
// the value the solution maximises (one of product, min_ratio, sum).
type SolutionInfo struct {
	Package  map[string]any     `json:"package"`
	Utility  map[string]float64 `json:"utility"`
	Product  *float64           `json:"product,omitempty"`
	MinRatio *float64           `json:"min_ratio,omitempty"`
	Sum      *float64           `json:"sum,omitempty"`
}

// RedLineRef names a red line and where it is written.
type RedLineRef struct {
	Party   string `json:"party"`
	RedLine string `json:"red_line"`
	Source  string `json:"source"`
	Rule    string `json:"rule"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	// Other marks, in a view redacted for one party (entente serve), a
	// red line of another party: every other field is then empty.
	Other   bool   `json:"other,omitempty"`
	Message string `json:"message,omitempty"`
}

// RelaxationInfo is a minimal relaxation: the red lines dropped and the
// packages that dropping them opens.
type RelaxationInfo struct {
	Drop  []RedLineRef `json:"drop"`
	Opens string       `json:"opens"`
	Size  int          `json:"size"`
}

// Listed is a frontier package as listed: the index of its point, the
// package, and the point.
type Listed struct {
	Point    int
	Solution *Solution
	At       *FrontierPoint
}

// Listing is the first packages of a frontier.
type Listing struct {
	Rows []Listed
	// Capped says that no limit was asked but the most packages listed
	// did not list them all.
	Capped bool
	// Points and Packages are the frontier's counts: exact when it was
	// counted, or when the listing reached its end; else nil.
	Points   *int
	Packages *big.Int
}

// List takes the first limit packages of the frontier (0: up to most,
// which is MaxList when 0), lazily.
func (f *Frontier) List(limit, most int) Listing {
	var l Listing
	if f == nil {
		return l
	}
	if most <= 0 {
		most = MaxList
	}
	n := limit
	if n <= 0 || n > most {
		n = most
	}
	ended := true
	for pi, s := range f.All() {
		if len(l.Rows) == n {
			ended = false
			break
		}
		pt, _ := f.Point(pi)
		l.Rows = append(l.Rows, Listed{pi, s, pt})
	}
	if f.Counted() {
		np := len(f.Points)
		l.Points, l.Packages = &np, f.Packages
	} else if ended {
		np := 0
		if len(l.Rows) > 0 {
			np = l.Rows[len(l.Rows)-1].Point + 1
		}
		l.Points, l.Packages = &np, big.NewInt(int64(len(l.Rows)))
	}
	l.Capped = limit <= 0 && (l.Packages == nil || l.Packages.Cmp(big.NewInt(int64(len(l.Rows)))) > 0)
	return l
}

// Deals gives the result as a Deals: file names the settlement, l is
// the frontier's listing, limit bounds the conflicts and relaxations
// listed (0: all), timedOut says the analysis ran out of time.
func (r *Result) Deals(file string, l Listing, limit int, timedOut bool) *Deals {
	j := &Deals{File: file, Packages: r.Packages.String(), Complete: len(r.Incomplete) == 0, TimedOut: timedOut,
		Incomplete: append([]string{}, r.Incomplete...), Parties: append([]string{}, r.Parties...),
		Reservation: map[string]float64{}, Pareto: []ParetoEntry{}, Conflicts: [][]RedLineRef{}, Relaxations: []RelaxationInfo{}}
	if r.Feasible != nil {
		s := r.Feasible.String()
		j.Feasible = &s
	}
	for i, p := range r.Parties {
		j.Reservation[p] = r.Reservation[i]
	}
	util := func(u []float64) map[string]float64 {
		m := map[string]float64{}
		for i, p := range r.Parties {
			m[p] = u[i]
		}
		return m
	}
	if r.Frontier != nil {
		j.ParetoPoints = l.Points
		if l.Packages != nil {
			s := l.Packages.String()
			j.ParetoPackages = &s
			j.ParetoComplete = l.Packages.Cmp(big.NewInt(int64(len(l.Rows)))) == 0
		}
		for _, row := range l.Rows {
			j.Pareto = append(j.Pareto, ParetoEntry{Package: row.Solution.Package, Utility: util(row.Solution.Utility), Point: row.Point,
				Packages: row.At.Packages.String()})
		}
	}
	sol := func(s *Solution) *SolutionInfo {
		if s == nil {
			return nil
		}
		return &SolutionInfo{Package: s.Package, Utility: util(s.Utility)}
	}
	if j.Nash = sol(r.Nash); j.Nash != nil {
		v := r.Nash.Value
		j.Nash.Product = &v
	}
	if j.Kalai = sol(r.Kalai); j.Kalai != nil {
		v := r.Kalai.Value
		j.Kalai.MinRatio = &v
		j.Best = util(r.Best)
	}
	if j.Utilitarian = sol(r.Utilitarian); j.Utilitarian != nil {
		v := r.Utilitarian.Value
		j.Utilitarian.Sum = &v
	}
	j.ConflictCount = len(r.Conflicts)
	for i, c := range r.Conflicts {
		if limit > 0 && i >= limit {
			break
		}
		j.Conflicts = append(j.Conflicts, refs(c))
	}
	j.ConflictsComplete = len(j.Conflicts) == len(r.Conflicts) && !slices.Contains(r.Incomplete, "conflicts")
	j.RelaxationCount = len(r.Relaxations)
	j.SmallestRelaxing = SmallestDrop(r.Relaxations)
	for i, x := range r.Relaxations {
		if limit > 0 && i >= limit {
			break
		}
		j.Relaxations = append(j.Relaxations, RelaxationInfo{Drop: refs(x.Drop), Opens: x.Opens.String(), Size: len(x.Drop)})
	}
	j.RelaxationsComplete = len(j.Relaxations) == len(r.Relaxations) && !slices.Contains(r.Incomplete, "relaxations") && !slices.Contains(r.Incomplete, "conflicts")
	return j
}

// SmallestDrop returns the fewest red lines any relaxation drops, or 0
// when there is none.
func SmallestDrop(rs []Relaxation) int {
	n := 0
	for _, x := range rs {
		if n == 0 || len(x.Drop) < n {
			n = len(x.Drop)
		}
	}
	return n
}

func refs(ls []RedLine) []RedLineRef {
	out := []RedLineRef{}
	for _, l := range ls {
		out = append(out, RedLineRef{Party: l.Party, RedLine: l.ID, Source: l.Source, Rule: l.Rule,
			File: l.Pos.File, Line: l.Pos.Line, Column: l.Pos.Col})
	}
	return out
}
