// Package dealspace analyses the deal space of a settlement exactly: how
// many packages (one value per issue) satisfy every constraint and red
// line; when none does, which red lines collide (minimal conflicts) and
// which minimal sets of red lines, dropped, open room, and how much; when
// some do, the Pareto frontier of the parties' utilities and the Nash,
// Kalai–Smorodinsky and utilitarian packages. Nothing is sampled or
// approximated: counts are exact integers (math/big), and every result is
// checked in the tests against a brute-force enumerator.
//
// # Semantics
//
// The definitions are DESIGN.md's:
//
//   - A feasible package satisfies every constraint and every red line.
//   - The bargaining set holds the feasible packages that give every party
//     with a utility strictly more than its reservation. The Nash package
//     maximises the product of (utility − reservation) over it; the
//     Kalai–Smorodinsky package maximises the smallest (utility −
//     reservation) / (best − reservation), best being each party's highest
//     utility over the bargaining set; the utilitarian package maximises
//     the sum of utilities over it. All three are nil when it is empty.
//   - The Pareto frontier holds the feasible packages that no feasible
//     package improves for every party weakly and for one strictly. It is
//     a set of packages: when several packages give the same
//     Pareto-optimal utilities (issues nobody values, options valued
//     alike), each of them is on the frontier. [Frontier] holds the
//     distinct utility vectors (Points, each with its exact number of
//     packages) and enumerates the packages lazily ([Frontier.All],
//     [Frontier.Of]), each exactly once, so that a frontier of 10^15
//     packages costs only what is taken from it. It is empty when nothing
//     is feasible.
//   - A conflict is a minimal set of red lines that no package satisfies
//     together with the constraints; a relaxation is a minimal set of red
//     lines whose removal makes the others satisfiable, with the number of
//     packages it opens. Both are reported only when nothing is feasible.
//
// A party's position may omit its utility: its red lines count, and it
// has no axis in the utility vectors. Utilities are computed by
// settlement.Utility (linear additive); inside the engine they are held in
// fixed point ([Scale]) so that sums are exact, and two utilities that
// differ by less than 1e-9 are equal (a package "gives more than its
// reservation" when it gives more by at least that).
//
// # Method
//
// [New] compiles every rule into clauses over issue-value literals
// ([rules.Rule.Clauses]) and splits each issue into engine variables (an
// enumeration or range issue is one variable, a subset issue one boolean
// variable per item) whose values are grouped into classes that no
// literal tells apart; a range of a million values read only by `x <=
// 5000` has two classes. Classes are split further, for optimisation, into
// values the utilities tell apart.
//
//   - Counting, bargaining and the frontier use a multi-valued decision
//     diagram compiled top down in a variable order chosen to keep few
//     clauses open across each layer; a node's state is the set of open,
//     unsatisfied clauses, so equivalent prefixes share a node. Counting
//     is one bottom-up pass. The bargaining solutions come from branch and
//     bound over the diagram: each node knows every party's best possible
//     remaining utility, which bounds the objectives and prunes packages
//     that cannot clear a reservation, and a prefix no better for anyone
//     than one already explored from the same node is dropped. The
//     frontier is computed bottom up: the non-dominated suffix vectors of
//     a node are the non-dominated sums of an edge's value and a
//     non-dominated vector of its child. Each vector kept remembers every
//     way it is reached (edge, value class, child vector), merging equal
//     ones, so its count is exact and its packages are enumerated depth
//     first from the root's vectors without materialising them.
//   - When the whole frontier would take more than Options.FrontierWork
//     (vector sums and dominance comparisons), it is not counted
//     ([Frontier.Counted] is false) and is listed lazily instead, from
//     the issues' independent groups: variables that no chain of rules
//     (constraints, red lines) links. Utilities are additive per
//     variable, so a package's utility vector is the sum of one vector
//     per group, and a package is Pareto-optimal only if each group's
//     part is Pareto-optimal within its group. Each group gets its own
//     diagram and its whole (small) frontier, as above. The sums of one
//     point per group (combinations) are enumerated best first by
//     decreasing sum of utilities from a heap, each combination reached
//     from exactly one predecessor; as a vector dominates another only
//     if its sum is higher (up to the tolerance of ties), a sum is on
//     the frontier exactly when no point emitted before it dominates it
//     (a sort-filter skyline), so the points come out in the counted
//     frontier's order, none skipped and none dominated. A sum given by
//     several combinations is one point whose packages are all of
//     theirs: its count is the sum over those combinations of the
//     product of the groups' counts, exact. The first N points cost the
//     groups' frontiers and the combinations whose sum is at least the
//     N-th point's; nothing of the rest. Counting the product's frontier
//     would need all of it: its number of points is not the product of
//     the groups' numbers (sums of Pareto points may be dominated), so
//     it is counted only by the whole computation.
//   - Conflicts and relaxations come from MARCO over the red lines, with
//     the SAT solver gophersat (github.com/crillab/gophersat) deciding
//     whether a set of red lines can be met together; what each relaxation
//     opens is counted with a decision diagram of the remaining rules.
//
// # Budgets and cancellation
//
// [Analyze] takes a context and [Options]: a cancelled or expired context,
// or a budget exceeded ([ErrBudgetExceeded]), stops the analysis cleanly;
// the [Result] then holds what was found and names the rest in
// Result.Incomplete. Typed errors say why a settlement cannot be analysed
// at all: [ErrNoPositions], [*RuleError] (a rule outside the clause
// compiler's subset), [*DomainError] (an issue whose utilities tell apart
// more than [MaxValueClasses] values) and [*ConstraintsError]
// (constraints that contradict each other).
//
// The package imports the settlement model and the rules compiler, never
// store, server or cmd.
//
// # Example
//
//	s, findings, err := settlement.LoadFile("settlement.yaml", settlement.DefaultOptions())
//	if err != nil || findings.Errors() > 0 {
//		log.Fatal(err, findings)
//	}
//	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
//	defer cancel()
//	res, err := dealspace.Analyze(ctx, s, dealspace.DefaultOptions())
//	if res == nil {
//		log.Fatal(err) // cannot be analysed
//	}
//	fmt.Println(res.Feasible, "of", res.Packages, "packages are feasible")
//	for _, c := range res.Conflicts {
//		fmt.Println("conflict:", c)
//	}
//	if res.Nash != nil {
//		fmt.Println("Nash:", res.Space().Describe(res.Nash.Package), res.Nash.Utility)
//	}
//	if res.Frontier != nil { // nil when cut short
//		// The first 20 Pareto-optimal packages (res.Frontier.Packages of
//		// them when res.Frontier.Counted()).
//		n := 0
//		for point, pkg := range res.Frontier.All() {
//			fmt.Println(point, res.Space().Describe(pkg.Package), pkg.Utility)
//			if n++; n == 20 {
//				break
//			}
//		}
//	}
package dealspace
