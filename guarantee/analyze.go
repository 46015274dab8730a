package guarantee

import (
	"context"
	"errors"

	"github.com/entente-org/entente/settlement"
)

// Options bounds the work of [Analyze]. Use [DefaultOptions] and change
// what you need.
type Options struct {
	// MaxCells bounds the tables of the power indices and of the
	// credibility game, in 64-bit words (bytes for the game).
	MaxCells int64
	// ListLimit is the number of minimal winning coalitions listed; 0
	// lists them all (as far as MaxNodes allows).
	ListLimit int
	// MaxNodes bounds the search that counts the minimal winning
	// coalitions of a composition.
	MaxNodes int64
	// Thresholds asks for the sensitivity of the credibility game to each
	// cost.
	Thresholds bool
}

// DefaultOptions returns limits that keep one analysis within about a
// second and 256 MiB on a laptop: 2^25 words of tables, 20 coalitions
// listed, 2^22 search nodes, thresholds on.
func DefaultOptions() Options {
	return Options{MaxCells: 1 << 25, ListLimit: 20, MaxNodes: 1 << 22, Thresholds: true}
}

// Report is the analysis of one guarantee. Each part that could not be
// computed has its error instead (a [*RuleError], a [*TooLargeError],
// [ErrNoCosts], [ErrMissingCosts] wrapped with the names).
type Report struct {
	Guarantee *settlement.Guarantee
	// Rule is the decision rule in words.
	Rule string
	// Voters lists the voters in order of first appearance.
	Voters []string
	// CanActivate reports whether some coalition activates it.
	CanActivate bool
	// VetoPlayers and DeterredVeto come from [VetoPlayers] and [IsVeto],
	// the analysis `entente check` uses for deterred-veto.
	VetoPlayers  []string
	DeterredVeto bool
	Game         *Game
	GameErr      error
	Power        *Power
	PowerErr     error
	Minimal      *Minimal
	MinimalErr   error
	// Credibility is the game, Outcome its equilibrium, Sensitivities
	// the thresholds of each cost (in the order of [Credibility.Params]).
	Credibility    *Credibility
	Outcome        *Outcome
	Sensitivities  []*Sensitivity
	CredibilityErr error
	// Missing lists the costs the game lacks (see [MissingCosts]).
	Missing []Missing
}

// Analyze analyses a guarantee: its decision rule as a simple game (veto
// players, minimal winning coalitions, swings, Banzhaf and Shapley–Shubik
// indices) and, when it gives costs, its credibility game and how far
// each cost must move to change the answer. It fails only when ctx is
// done; every other problem is recorded in the report.
func Analyze(ctx context.Context, g *settlement.Guarantee, opts Options) (*Report, error) {
	r := &Report{Guarantee: g, Rule: Describe(g.Decision), Missing: MissingCosts(g)}
	if g.Decision == nil {
		r.GameErr = &RuleError{Pos: g.Pos, Msg: "the guarantee has no decision rule: nobody is bound to decide that it is triggered"}
		r.PowerErr, r.MinimalErr, r.CredibilityErr = r.GameErr, r.GameErr, r.GameErr
		return r, nil
	}
	r.Voters = g.Decision.Voters()
	r.CanActivate = CanActivate(g.Decision)
	if r.CanActivate {
		r.VetoPlayers = VetoPlayers(g.Decision)
	}
	r.DeterredVeto = g.Deters != "" && IsVeto(g.Decision, g.Deters)
	game, err := Compile(g.Decision)
	if err != nil {
		r.GameErr, r.PowerErr, r.MinimalErr, r.CredibilityErr = err, err, err, err
		return r, nil
	}
	r.Game = game
	if r.Power, r.PowerErr = game.Power(ctx, opts.MaxCells); ctxDone(ctx, r.PowerErr) {
		return nil, r.PowerErr
	}
	if r.Minimal, r.MinimalErr = game.MinimalWinning(ctx, opts.ListLimit, opts.MaxNodes, opts.MaxCells); ctxDone(ctx, r.MinimalErr) {
		return nil, r.MinimalErr
	}
	c, err := NewCredibility(g, game)
	if err != nil {
		r.CredibilityErr = err
		return r, nil
	}
	r.Credibility = c
	if r.Outcome, r.CredibilityErr = c.Solve(ctx, opts.MaxCells*8); r.CredibilityErr != nil {
		if ctxDone(ctx, r.CredibilityErr) {
			return nil, r.CredibilityErr
		}
		return r, nil
	}
	if opts.Thresholds {
		for _, p := range c.Params() {
			s, err := c.Sensitivity(ctx, p, opts.MaxCells*8)
			if err != nil {
				if ctxDone(ctx, err) {
					return nil, err
				}
				r.Sensitivities = nil
				break
			}
			r.Sensitivities = append(r.Sensitivities, s)
		}
	}
	return r, nil
}

func ctxDone(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}
