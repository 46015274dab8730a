package dealspace_test

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
)

// This file checks the engine against a brute-force enumerator written
// here, which shares no code with it: it enumerates every package,
// evaluates the rules with CEL (rules.Rule.Eval) and the utilities with
// settlement.Utility.Of, and computes every result by definition.

const tol = 1e-9

// gen writes random small settlements.
type gen struct {
	r *rand.Rand
	// unvalued adds that many issues no party values (weight 0 for
	// everyone): each multiplies the packages that give one utility
	// vector, as far as the rules let it.
	unvalued int
	// split draws each rule over the first or the second half of the
	// issues only, so that the halves are often independent groups.
	split bool
}

// part returns the issues a rule may read: all of them, or with split
// one half chosen at random.
func (g *gen) part(is []genIssue) []genIssue {
	if !g.split || len(is) < 2 {
		return is
	}
	if g.r.Intn(2) == 0 {
		return is[:len(is)/2]
	}
	return is[len(is)/2:]
}

type genIssue struct {
	id   string
	kind rules.Kind
	opts []string // enum options or subset items
	min  int64
	max  int64
	step int64
	yaml string
}

func (g *gen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

func (g *gen) issues() []genIssue {
	n := 2 + g.r.Intn(3)
	var out []genIssue
	for i := 0; i < n; i++ {
		out = append(out, g.issue(fmt.Sprintf("i%d", i)))
	}
	return out
}

// issue writes one issue of a random kind.
func (g *gen) issue(id string) genIssue {
	switch g.r.Intn(3) {
	case 0:
		k := 2 + g.r.Intn(3)
		opts := []string{"a", "b", "c", "d"}[:k]
		return genIssue{id: id, kind: rules.Enum, opts: opts,
			yaml: fmt.Sprintf("{id: %s, options: [%s]}", id, strings.Join(opts, ", "))}
	case 1:
		step := int64(1 + g.r.Intn(3))
		min := int64(g.r.Intn(3)) - 1
		k := int64(2 + g.r.Intn(3))
		max := min + step*(k-1)
		return genIssue{id: id, kind: rules.Range, min: min, max: max, step: step,
			yaml: fmt.Sprintf("{id: %s, range: {min: %d, max: %d, step: %d}}", id, min, max, step)}
	}
	k := 2 + g.r.Intn(2)
	items := []string{"x", "y", "z"}[:k]
	return genIssue{id: id, kind: rules.Subset, opts: items,
		yaml: fmt.Sprintf("{id: %s, subset_of: [%s]}", id, strings.Join(items, ", "))}
}

// atom writes a random elementary rule over one or two issues.
func (g *gen) atom(is []genIssue) string {
	x := is[g.r.Intn(len(is))]
	switch x.kind {
	case rules.Enum:
		o := x.opts[g.r.Intn(len(x.opts))]
		switch g.r.Intn(3) {
		case 0:
			return fmt.Sprintf("%s == %q", x.id, o)
		case 1:
			return fmt.Sprintf("%s != %q", x.id, o)
		}
		return fmt.Sprintf("%s in [%q, %q]", x.id, o, x.opts[g.r.Intn(len(x.opts))])
	case rules.Range:
		v := x.min + x.step*int64(g.r.Intn(int((x.max-x.min)/x.step)+1))
		for _, y := range is {
			if y.kind == rules.Range && y.id != x.id && g.r.Intn(3) == 0 {
				return fmt.Sprintf("%s + %s %s %d", x.id, y.id, g.pick("<=", ">", "==", "!="), v+y.min)
			}
		}
		switch g.r.Intn(4) {
		case 0:
			return fmt.Sprintf("%s == %d", x.id, v)
		case 1:
			return fmt.Sprintf("%s %s %d", x.id, g.pick("<", "<=", ">", ">="), v)
		case 2:
			return fmt.Sprintf("%s * 2 - 1 %s %d", x.id, g.pick("<", ">="), v)
		}
		return fmt.Sprintf("%s != %d", x.id, v)
	}
	it := x.opts[g.r.Intn(len(x.opts))]
	switch g.r.Intn(4) {
	case 0:
		return fmt.Sprintf("%q in %s", it, x.id)
	case 1:
		return fmt.Sprintf("!(%q in %s)", it, x.id)
	case 2:
		return fmt.Sprintf("size(%s) %s %d", x.id, g.pick("<=", ">=", "=="), g.r.Intn(len(x.opts)+1))
	}
	return fmt.Sprintf("%s.exists(e, e == %q) == (size(%s) > 1)", x.id, it, x.id)
}

func (g *gen) rule(is []genIssue, depth int) string {
	if depth == 0 || g.r.Intn(3) == 0 {
		return g.atom(is)
	}
	switch g.r.Intn(4) {
	case 0:
		return fmt.Sprintf("(%s && %s)", g.rule(is, depth-1), g.rule(is, depth-1))
	case 1:
		return fmt.Sprintf("!(%s)", g.rule(is, depth-1))
	case 2:
		return fmt.Sprintf("(%s ? %s : %s)", g.rule(is, depth-1), g.rule(is, depth-1), g.rule(is, depth-1))
	}
	return fmt.Sprintf("(%s || %s)", g.rule(is, depth-1), g.rule(is, depth-1))
}

func (g *gen) val() string { return fmt.Sprintf("%.1f", float64(g.r.Intn(11))/10) }

func (g *gen) settlement() string {
	valued := g.issues()
	is := valued
	for k := 0; k < g.unvalued; k++ {
		is = append(is, g.issue(fmt.Sprintf("u%d", k)))
	}
	var b strings.Builder
	b.WriteString("entente: 1\nid: t\nparties:\n")
	np := 2 + g.r.Intn(2)
	for p := 0; p < np; p++ {
		fmt.Fprintf(&b, "  - {id: P%d, name: P%d, roles: [belligerent]}\n", p, p)
	}
	b.WriteString("issues:\n")
	for _, x := range is {
		b.WriteString("  - " + x.yaml + "\n")
	}
	if g.r.Intn(2) == 0 {
		fmt.Fprintf(&b, "constraints:\n  - {id: c0, rule: '%s'}\n", g.rule(g.part(is), 1))
	}
	b.WriteString("positions:\n")
	for p := 0; p < np; p++ {
		fmt.Fprintf(&b, "  - party: P%d\n", p)
		if k := g.r.Intn(3); k > 0 {
			b.WriteString("    red_lines:\n")
			for i := 0; i < k; i++ {
				fmt.Fprintf(&b, "      - {id: r%d, rule: '%s'}\n", i, g.rule(g.part(is), 2))
			}
		}
		if g.r.Intn(8) == 0 && p > 0 {
			continue // a position without a utility
		}
		b.WriteString("    utility:\n      weights: {")
		for i, x := range valued {
			if i > 0 {
				b.WriteString(", ")
			}
			w := g.r.Intn(4)
			if i == 0 {
				w = 1 + g.r.Intn(3)
			}
			fmt.Fprintf(&b, "%s: %d", x.id, w)
		}
		b.WriteString("}\n      values:\n")
		for _, x := range valued {
			fmt.Fprintf(&b, "        %s: {", x.id)
			switch x.kind {
			case rules.Enum:
				for i, o := range x.opts {
					if i > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "%s: %s", o, g.val())
				}
			case rules.Range:
				fmt.Fprintf(&b, "%d: %s, %d: %s", x.min, g.val(), x.min+x.step, g.val())
				if x.max > x.min+x.step && g.r.Intn(2) == 0 {
					fmt.Fprintf(&b, ", %d: %s", x.max, g.val())
				}
			case rules.Subset:
				for i, o := range x.opts {
					if i > 0 {
						b.WriteString(", ")
					}
					v := g.val()
					if g.r.Intn(3) == 0 {
						v = "-" + v
					}
					fmt.Fprintf(&b, "%s: %s", o, v)
				}
			}
			b.WriteString("}\n")
		}
		fmt.Fprintf(&b, "    reservation: %.3f\n", 0.1+float64(g.r.Intn(500))/1000)
	}
	return b.String()
}

// brute is the brute-force analysis.
type brute struct {
	s        *settlement.Settlement
	pkgs     []rules.Package
	ok       []bool   // satisfies the constraints
	mask     [][]bool // red lines each package satisfies
	util     [][]float64
	parties  []*settlement.Position // with a utility
	feasible int
}

func enumerate(s *settlement.Settlement) []rules.Package {
	out := []rules.Package{{}}
	for _, is := range s.Issues {
		var next []rules.Package
		for _, p := range out {
			for _, v := range settlement.Values(is) {
				q := rules.Package{}
				for k, x := range p {
					q[k] = x
				}
				q[is.ID] = v
				next = append(next, q)
			}
		}
		out = next
	}
	return out
}

func newBrute(t *testing.T, s *settlement.Settlement) *brute {
	b := &brute{s: s, pkgs: enumerate(s)}
	for _, p := range s.Positions {
		if p.Utility != nil {
			b.parties = append(b.parties, p)
		}
	}
	for _, pkg := range b.pkgs {
		ok := true
		for _, c := range s.Constraints {
			v, err := c.Rule.Compiled.Eval(pkg)
			if err != nil {
				t.Fatal(err)
			}
			ok = ok && v
		}
		var m []bool
		all := true
		for _, p := range s.Positions {
			for _, rl := range p.RedLines {
				v, err := rl.Rule.Compiled.Eval(pkg)
				if err != nil {
					t.Fatal(err)
				}
				m = append(m, v)
				all = all && v
			}
		}
		var u []float64
		for _, p := range b.parties {
			u = append(u, p.Utility.Of(s, pkg))
		}
		b.ok = append(b.ok, ok)
		b.mask = append(b.mask, m)
		b.util = append(b.util, u)
		if ok && all {
			b.feasible++
		}
	}
	return b
}

// count returns the packages satisfying the constraints and the kept red lines.
func (b *brute) count(keep []bool) int {
	n := 0
	for i := range b.pkgs {
		if !b.ok[i] {
			continue
		}
		good := true
		for r, k := range keep {
			if k && !b.mask[i][r] {
				good = false
				break
			}
		}
		if good {
			n++
		}
	}
	return n
}

func (b *brute) feasibleIdx(i int) bool {
	if !b.ok[i] {
		return false
	}
	for _, v := range b.mask[i] {
		if !v {
			return false
		}
	}
	return true
}

func (b *brute) bargaining(i int) bool {
	if !b.feasibleIdx(i) {
		return false
	}
	for p, pos := range b.parties {
		if b.util[i][p] <= pos.Reservation {
			return false
		}
	}
	return true
}

// index finds a package among the enumerated ones.
func (b *brute) index(pkg rules.Package) int {
	for i, p := range b.pkgs {
		same := true
		for k, v := range p {
			if fmt.Sprint(v) != fmt.Sprint(pkg[k]) {
				same = false
				break
			}
		}
		if same {
			return i
		}
	}
	return -1
}

func TestAgainstBruteForce(t *testing.T) {
	g := &gen{r: rand.New(rand.NewSource(20250818))}
	const want = 2500
	checked, infeasible, withFrontier := againstBruteForce(t, g, want, 0)
	if infeasible < want/5 || infeasible > want*3/5 {
		t.Errorf("%d of %d settlements infeasible, want about a third", infeasible, checked)
	}
	t.Logf("checked %d settlements: %d infeasible, %d with a frontier", checked, infeasible, withFrontier)
}

// TestFrontierPackagesAgainstBruteForce adds to each generated settlement
// issues that no party values, so that many packages give each utility
// vector (as many as the rules over those issues allow), and checks the
// frontier package by package.
func TestFrontierPackagesAgainstBruteForce(t *testing.T) {
	for _, unvalued := range []int{1, 2} {
		t.Run(fmt.Sprintf("unvalued=%d", unvalued), func(t *testing.T) {
			g := &gen{r: rand.New(rand.NewSource(20251009 + int64(unvalued))), unvalued: unvalued}
			const want = 300
			checked, _, withFrontier := againstBruteForce(t, g, want, 10000)
			if withFrontier < want/3 {
				t.Errorf("only %d of %d settlements have a frontier", withFrontier, checked)
			}
		})
	}
}

// againstBruteForce compares the engine with the brute force on want
// generated settlements (of at most maxPackages packages, when set).
func againstBruteForce(t *testing.T, g *gen, want, maxPackages int) (checked, infeasible, withFrontier int) {
	t.Helper()
	shared := 0 // frontier vectors given by more than one package
	for attempt := 0; checked < want && attempt < 20*want; attempt++ {
		src := g.settlement()
		s, fs, err := settlement.Parse("t.yaml", []byte(src), settlement.DefaultOptions())
		if err != nil || fs.Errors() > 0 {
			t.Fatalf("generated settlement does not load: %v %v\n%s", err, fs, src)
		}
		if maxPackages > 0 && len(enumerate(s)) > maxPackages {
			continue
		}
		b := newBrute(t, s)
		// Skip what the engine rightly refuses (contradictory
		// constraints) and near-ties with a reservation, where float and
		// fixed-point arithmetic may disagree on "more than".
		if b.count(nil) == 0 || nearTie(b) {
			continue
		}
		checked++
		res, err := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
		if err != nil {
			t.Fatalf("Analyze: %v\n%s", err, src)
		}
		compare(t, b, res, src)
		if b.feasible == 0 {
			infeasible++
		} else if res.Frontier != nil {
			withFrontier++
			for _, p := range res.Frontier.Points {
				if p.Packages.Cmp(big.NewInt(1)) > 0 {
					shared++
				}
			}
		}
		if t.Failed() {
			return
		}
	}
	if checked < want {
		t.Fatalf("checked only %d settlements", checked)
	}
	t.Logf("%d frontier vectors given by several packages", shared)
	return
}

func nearTie(b *brute) bool {
	for i := range b.pkgs {
		for p, pos := range b.parties {
			if math.Abs(b.util[i][p]-pos.Reservation) < 1e-6 {
				return true
			}
		}
	}
	return false
}

func compare(t *testing.T, b *brute, res *dealspace.Result, src string) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format+"\nsettlement:\n%s", append(args, src)...)
	}
	if res.Packages.Cmp(big.NewInt(int64(len(b.pkgs)))) != 0 {
		fail("packages = %v, want %d", res.Packages, len(b.pkgs))
	}
	if res.Feasible.Cmp(big.NewInt(int64(b.feasible))) != 0 {
		fail("feasible = %v, want %d", res.Feasible, b.feasible)
		return
	}
	if b.feasible == 0 {
		if f := res.Frontier; f == nil || len(f.Points) != 0 || f.Packages.Sign() != 0 {
			fail("the frontier of an infeasible space is %+v, want an empty one", f)
		}
		compareConflicts(t, b, res, fail)
		return
	}
	if len(res.Conflicts) > 0 || len(res.Relaxations) > 0 {
		fail("conflicts or relaxations in a feasible space")
	}
	compareSolutions(b, res, fail)
	compareFrontier(b, res, fail)
}

func compareConflicts(t *testing.T, b *brute, res *dealspace.Result, fail func(string, ...any)) {
	n := len(res.RedLines)
	sat := func(set uint) bool {
		keep := make([]bool, n)
		for r := 0; r < n; r++ {
			keep[r] = set&(1<<r) != 0
		}
		return b.count(keep) > 0
	}
	var muses, mcses []string
	opens := map[string]int{}
	full := uint(1)<<n - 1
	for set := uint(0); set <= full; set++ {
		if !sat(set) {
			minimal := true
			for r := 0; r < n; r++ {
				if set&(1<<r) != 0 && !sat(set&^(1<<r)) {
					minimal = false
				}
			}
			if minimal {
				muses = append(muses, setKey(set, res.RedLines))
			}
			continue
		}
		// Dropping the complement makes the rest satisfiable; minimal when
		// dropping any smaller set does not (adding one back breaks it).
		drop := full &^ set
		minimal := true
		for r := 0; r < n; r++ {
			if drop&(1<<r) != 0 && sat(set|1<<r) {
				minimal = false
			}
		}
		if minimal {
			k := setKey(drop, res.RedLines)
			mcses = append(mcses, k)
			keep := make([]bool, n)
			for r := 0; r < n; r++ {
				keep[r] = set&(1<<r) != 0
			}
			opens[k] = b.count(keep)
		}
	}
	var got []string
	for _, c := range res.Conflicts {
		got = append(got, linesKey(c))
	}
	if !sameSet(got, muses) {
		fail("conflicts = %v, want %v", got, muses)
	}
	got = nil
	for i, r := range res.Relaxations {
		k := linesKey(r.Drop)
		got = append(got, k)
		if w, ok := opens[k]; ok && r.Opens.Cmp(big.NewInt(int64(w))) != 0 {
			fail("relaxation %s opens %v, want %d", k, r.Opens, w)
		}
		if i > 0 && r.Opens.Cmp(res.Relaxations[i-1].Opens) > 0 {
			fail("relaxations not ranked by packages opened: %v", res.Relaxations)
		}
	}
	if !sameSet(got, mcses) {
		fail("relaxations = %v, want %v", got, mcses)
	}
}

func setKey(set uint, lines []dealspace.RedLine) string {
	var l []dealspace.RedLine
	for r := range lines {
		if set&(1<<r) != 0 {
			l = append(l, lines[r])
		}
	}
	return linesKey(l)
}

func linesKey(l []dealspace.RedLine) string {
	var s []string
	for _, x := range l {
		s = append(s, x.String())
	}
	sort.Strings(s)
	return strings.Join(s, "+")
}

func sameSet(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, " ") == strings.Join(b, " ")
}

func compareSolutions(b *brute, res *dealspace.Result, fail func(string, ...any)) {
	np := len(b.parties)
	var bargain []int
	for i := range b.pkgs {
		if b.bargaining(i) {
			bargain = append(bargain, i)
		}
	}
	if np == 0 || len(bargain) == 0 {
		if res.Nash != nil || res.Kalai != nil || res.Utilitarian != nil {
			fail("solutions with an empty bargaining set: %+v", res.Nash)
		}
		return
	}
	if res.Nash == nil || res.Kalai == nil || res.Utilitarian == nil {
		fail("no solution although %d packages are in the bargaining set", len(bargain))
		return
	}
	best := make([]float64, np)
	for p := range best {
		best[p] = math.Inf(-1)
		for _, i := range bargain {
			best[p] = math.Max(best[p], b.util[i][p])
		}
	}
	objectives := []struct {
		name string
		sol  *dealspace.Solution
		f    func(u []float64) float64
	}{
		{"utilitarian", res.Utilitarian, func(u []float64) float64 {
			s := 0.0
			for _, x := range u {
				s += x
			}
			return s
		}},
		{"nash", res.Nash, func(u []float64) float64 {
			prod := 1.0
			for p, x := range u {
				prod *= x - b.parties[p].Reservation
			}
			return prod
		}},
		{"kalai", res.Kalai, func(u []float64) float64 {
			m := math.Inf(1)
			for p, x := range u {
				m = math.Min(m, (x-b.parties[p].Reservation)/(best[p]-b.parties[p].Reservation))
			}
			return m
		}},
	}
	for _, o := range objectives {
		want := math.Inf(-1)
		for _, i := range bargain {
			want = math.Max(want, o.f(b.util[i]))
		}
		i := b.index(o.sol.Package)
		if i < 0 || !b.bargaining(i) {
			fail("%s package %v is not in the bargaining set", o.name, o.sol.Package)
			continue
		}
		if got := o.f(b.util[i]); math.Abs(got-want) > tol {
			fail("%s package %v has value %g, want %g", o.name, o.sol.Package, got, want)
		}
		for p := range o.sol.Utility {
			if math.Abs(o.sol.Utility[p]-b.util[i][p]) > tol {
				fail("%s utility of %s = %g, want %g", o.name, b.parties[p].Party, o.sol.Utility[p], b.util[i][p])
			}
		}
	}
	for p := range best {
		if math.Abs(res.Best[p]-best[p]) > tol {
			fail("best utility of %s over the bargaining set = %g, want %g", b.parties[p].Party, res.Best[p], best[p])
		}
	}
}

// pareto returns, by definition, the feasible packages that no feasible
// package weakly improves for every party and strictly for one (by more
// than tol). Packages are compared through their distinct utility
// vectors, which is the same comparison done once per vector.
func (b *brute) pareto() []int {
	var vecs [][]float64
	of := map[int]int{} // package -> its vector
	byKey := map[string]int{}
	for i := range b.pkgs {
		if !b.feasibleIdx(i) {
			continue
		}
		k := fmt.Sprint(b.util[i])
		v, ok := byKey[k]
		if !ok {
			v = len(vecs)
			byKey[k] = v
			vecs = append(vecs, b.util[i])
		}
		of[i] = v
	}
	dominated := make([]bool, len(vecs))
	for v, u := range vecs {
		for _, w := range vecs {
			ge, gt := true, false
			for p := range b.parties {
				d := w[p] - u[p]
				if d < -tol {
					ge = false
				}
				if d > tol {
					gt = true
				}
			}
			if ge && gt {
				dominated[v] = true
				break
			}
		}
	}
	var out []int
	for i := range b.pkgs {
		if v, ok := of[i]; ok && !dominated[v] {
			out = append(out, i)
		}
	}
	return out
}

// key writes a package as its values in issue order.
func (b *brute) key(pkg rules.Package) string {
	var sb strings.Builder
	for _, is := range b.s.Issues {
		fmt.Fprintf(&sb, "%s=%v;", is.ID, pkg[is.ID])
	}
	return sb.String()
}

// compareFrontier checks the frontier as a set of packages: every
// package the brute force finds Pareto-optimal comes out of
// Frontier.All exactly once, nothing else does, each with its utilities
// and under a point that gives them; and the points are the distinct
// vectors of those packages, each with its exact count.
func compareFrontier(b *brute, res *dealspace.Result, fail func(string, ...any)) {
	f := res.Frontier
	if f == nil {
		fail("no frontier")
		return
	}
	near := func(a, b []float64) bool {
		for p := range a {
			if math.Abs(a[p]-b[p]) > 1e-7 {
				return false
			}
		}
		return true
	}
	want := map[string]int{} // Pareto-optimal package -> index
	for _, i := range b.pareto() {
		want[b.key(b.pkgs[i])] = i
	}
	// Clusters of equal utilities among them, with their sizes.
	type cluster struct {
		u []float64
		n int
	}
	var clusters []cluster
	for _, i := range b.pareto() {
		found := false
		for k := range clusters {
			if near(clusters[k].u, b.util[i]) {
				clusters[k].n++
				found = true
				break
			}
		}
		if !found {
			clusters = append(clusters, cluster{b.util[i], 1})
		}
	}
	seen := map[string]bool{}
	perPoint := make([]int, len(f.Points))
	last := -1
	for pi, sol := range f.All() {
		if pi < last {
			fail("All yields point %d after point %d", pi, last)
			return
		}
		if pi != last && len(perPoint) > pi {
			// The point's own package is the first one Of yields.
			if k, w := b.key(sol.Package), b.key(f.Points[pi].Package); k != w {
				fail("point %d's package is %s, but the first package of the point is %s", pi, w, k)
			}
		}
		last = pi
		k := b.key(sol.Package)
		i, ok := want[k]
		switch {
		case seen[k]:
			fail("frontier package %s listed twice", k)
		case !ok:
			fail("frontier package %s (utilities %v) is not Pareto-optimal by brute force", k, sol.Utility)
		case !near(b.util[i], sol.Utility):
			fail("frontier package %s has utilities %v, want %v", k, sol.Utility, b.util[i])
		case !near(b.util[i], f.Points[pi].Utility):
			fail("frontier package %s (utilities %v) listed under point %d, %v", k, b.util[i], pi, f.Points[pi].Utility)
		}
		seen[k] = true
		perPoint[pi]++
		if len(seen) > len(want)+1 {
			fail("the frontier lists more than the %d Pareto-optimal packages", len(want))
			return
		}
	}
	for k := range want {
		if !seen[k] {
			fail("Pareto-optimal package %s is missing from the frontier (%d listed, want %d)", k, len(seen), len(want))
			break
		}
	}
	if f.Packages.Cmp(big.NewInt(int64(len(want)))) != 0 {
		fail("frontier packages = %v, want %d", f.Packages, len(want))
	}
	matched := 0
	for pi, pt := range f.Points {
		if pt.Packages.Cmp(big.NewInt(int64(perPoint[pi]))) != 0 {
			fail("point %d (%v) counts %v packages, Of yields %d", pi, pt.Utility, pt.Packages, perPoint[pi])
		}
		for _, c := range clusters {
			if near(c.u, pt.Utility) && c.n == perPoint[pi] {
				matched++
				break
			}
		}
		if pi > 0 {
			if a, b := sumOf(f.Points[pi-1].Utility), sumOf(pt.Utility); a < b-1e-7 {
				fail("points not by decreasing sum of utilities: %v before %v", f.Points[pi-1].Utility, pt.Utility)
			}
		}
	}
	if matched != len(clusters) || len(f.Points) != len(clusters) {
		fail("frontier has %d points (%d matched), want %d: %v", len(f.Points), matched, len(clusters), clusters)
	}
}

func sumOf(u []float64) float64 {
	s := 0.0
	for _, x := range u {
		s += x
	}
	return s
}
