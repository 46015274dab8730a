// Package guarantee analyses security guarantees: their decision rules as
// simple games (winning coalitions, veto players, power indices) and,
// given costs, whether the threat to respond is credible and how far each
// cost must move for the answer to change.
//
// # Decision rules as simple games
//
// A decision rule ([settlement.Decision]) is a monotone simple game:
// adding a party to a winning coalition never makes it lose. [Compile]
// turns it into a [Game]: every basic rule is a weighted threshold game
// over the voters (unanimity of m parties is a quota of m with weights 1,
// any is a quota of 1, a quota keeps its weights), and all_of/any_of
// combine their verdicts, to any depth. A coalition's state is the vector
// of the basic rules' weight sums, each capped at its quota; the state
// decides whether the coalition wins. Compile rejects, with a
// [*RuleError] at the rule's position, what the settlement validator
// also rejects: empty sets, negative or fractional weights, a quota above
// the total weight.
//
// # Veto players
//
// A veto player is a member of every winning coalition; in a monotone
// game that is a voter without whom the grand coalition loses.
// [VetoPlayers] lists them and [IsVeto] tests one party, as `entente
// check` does for the party a guarantee is meant to deter (the finding
// deterred-veto), so the check and the engine share one analysis:
//
//	d := &settlement.Decision{Kind: settlement.Unanimity, Members: []string{"UA", "RU", "GB"}}
//	guarantee.IsVeto(d, "RU") // true: the Istanbul 2022 pattern
//
// # Power indices
//
// [Game.Power] gives each voter's swings, normalised Banzhaf index and
// Shapley–Shubik index as exact rationals (math/big). It never enumerates
// coalitions or orderings: a generating function counts coalitions by
// size and state, C[k][s], one voter at a time; the counts without voter
// i follow by deletion; voter i is pivotal for the losing states its
// weight lifts to winning ones, and an ordering in which i follows exactly
// such a coalition of k voters occurs k!(n−1−k)! times. For one weighted
// rule the states are the weight sums below the quota (the classic
// dynamic programme over weights); for a composition they are the joint
// vectors of its rules' sums, so the work is n² × (product of the quotas
// + 1), not 2^n. [Game.MinimalWinning] lists minimal winning coalitions
// up to a limit and counts them exactly (by a generating function for one
// weighted rule, by a pruned search, within a budget, for compositions).
//
// # Credibility
//
// [NewCredibility] builds the credibility game of DESIGN.md: the deterred
// party attacks or refrains; after an attack the voters, in the order of
// `guarantors` and then of first appearance in the rule ([Movers]), each
// respond or abstain seeing the earlier choices; the guarantee activates
// if the responders win. [Credibility.Solve] finds the subgame-perfect
// plan by backward induction over (stage, state), with the passive choice
// (refrain, abstain) for an indifferent player; Outcome.Activated and
// Responders describe the plan after an attack whether or not the
// attacker attacks. [Credibility.Sensitivity] moves one cost with the
// others fixed: costs enter payoffs linearly, so the equilibrium changes
// only where one player's comparison ties; it returns the exact
// intervals, and the nearest threshold up and down, saying whether the
// new verdict holds at the threshold itself. [Credibility.EFG] writes the
// game for Gambit (package efg).
//
// [Analyze] runs all of it for one guarantee within the limits of
// [Options]; parts that exceed them report a [*TooLargeError].
//
// # Example
//
// Under the April 2022 Istanbul draft (unanimity of seven guarantors,
// Russia among them) Russia abstains, the guarantee never activates and
// the attacker attacks; under the communiqué (any guarantor) the United
// Kingdom alone responds and the attack is deterred.
package guarantee
