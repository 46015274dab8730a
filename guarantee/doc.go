// Package guarantee analyses security guarantees: their decision rules as
// simple games (winning coalitions, veto players) and, given costs, whether
// the threat to respond is credible.
//
// # Veto players
//
// A decision rule ([settlement.Decision]) is a monotone simple game: adding
// a party to a winning coalition never makes it lose. A veto player is a
// member of every winning coalition; in a monotone game that is a voter
// without whom the grand coalition loses. [VetoPlayers] lists them and
// [IsVeto] tests one party, as `entente check` does for the party a
// guarantee is meant to deter (the finding deterred-veto):
//
//	d := &settlement.Decision{Kind: settlement.Unanimity, Members: []string{"UA", "RU", "GB"}}
//	guarantee.IsVeto(d, "RU") // true: the Istanbul 2022 pattern
package guarantee
