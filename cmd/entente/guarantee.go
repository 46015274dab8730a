package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/entente-org/entente/guarantee"
	"github.com/entente-org/entente/guarantee/efg"
	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/settlement"
)

func runGuarantee(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("guarantee", "FILE [GUARANTEE...]", `Tests each guarantee of a settlement (or those named) before it is needed: under its decision
rule, the veto players, the minimal winning coalitions, each voter's swings, normalised Banzhaf
and Shapley–Shubik indices (exact fractions and floats); given costs, the subgame-perfect
credibility game (does the guarantee activate after an attack, does it deter) and, for each
cost, the threshold at which the answer changes. Guarantees are compared side by side.
Exit status: 0 ok; 1 a limit stopped part of the analysis; 2 bad usage or a settlement with errors.`, stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	efgDir := fs.String("efg", "", "write each credibility game to `DIR`/ID.efg in Gambit's extensive-form format")
	opts := guarantee.DefaultOptions()
	limit := addLimit(fs, "minimal winning coalitions per guarantee", "list")
	fs.Int64Var(&opts.MaxCells, "max-cells", opts.MaxCells, "bound the tables of the power indices and the credibility game to `N` 64-bit words")
	fs.Int64Var(&opts.MaxNodes, "max-nodes", opts.MaxNodes, "bound the search that counts minimal winning coalitions of compositions to `N` coalitions")
	args, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		fs.Usage()
		return usageErrorf("guarantee: name a settlement file")
	}
	if opts.MaxCells < 1 || opts.MaxNodes < 1 {
		return usageErrorf("guarantee: --max-cells and --max-nodes must be at least 1")
	}
	opts.ListLimit = limit.get(*asJSON)
	file, only := args[0], args[1:]
	s, findings, err := settlement.LoadFile(file, settlement.DefaultOptions())
	if err != nil {
		return err
	}
	if n := findings.Errors(); n > 0 {
		printErrors(stderr, findings, true)
		return &inputError{err: fmt.Errorf("%s has %s; fix them first (entente check %s)", file, plural(n, "error"), file), printed: false}
	}
	var selected []*settlement.Guarantee
	for _, id := range only {
		g := s.Guarantee(id)
		if g == nil {
			var ids []string
			for _, g := range s.Guarantees {
				ids = append(ids, g.ID)
			}
			return usageErrorf("guarantee: %s has no guarantee %q; guarantees: %s", file, id, strings.Join(ids, ", "))
		}
		selected = append(selected, g)
	}
	if len(only) == 0 {
		selected = s.Guarantees
	}
	out := guarantee.Results{File: file, Guarantees: []guarantee.Result{}}
	var reports []*guarantee.Report
	limited := false
	for _, g := range selected {
		rep, err := guarantee.Analyze(ctx, g, opts)
		if err != nil {
			return err
		}
		reports = append(reports, rep)
		gj := rep.Result(opts)
		if *efgDir != "" && rep.Outcome != nil {
			path, err := writeEFG(*efgDir, s, rep)
			if err != nil {
				var tl *guarantee.TooLargeError
				if !errors.As(err, &tl) {
					return err
				}
				gj.Notes = append(gj.Notes, "no .efg written: "+err.Error())
			} else {
				gj.EFG = path
				fmt.Fprintf(stderr, "wrote %s\n", path)
			}
		}
		for _, e := range []error{rep.PowerErr, rep.MinimalErr, rep.CredibilityErr} {
			if errors.Is(e, guarantee.ErrTooLarge) {
				limited = true
			}
		}
		out.Guarantees = append(out.Guarantees, gj)
	}
	if *asJSON {
		if err := render.JSON(stdout, out); err != nil {
			return err
		}
	} else {
		renderGuarantees(stdout, file, reports, out.Guarantees)
	}
	if limited {
		return &findingsError{msg: "entente guarantee: a limit stopped part of the analysis (see the notes); raise --max-cells or --max-nodes"}
	}
	return nil
}

func writeEFG(dir string, s *settlement.Settlement, rep *guarantee.Report) (string, error) {
	g := rep.Guarantee
	title := fmt.Sprintf("%s / %s: credibility game (%s)", s.ID, g.ID, rep.Rule)
	game, err := rep.Credibility.EFG(title)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", &inputError{err: err}
	}
	path := filepath.Join(dir, safeName(g.ID)+".efg")
	var b bytes.Buffer
	if err := efg.Write(&b, game); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return "", &inputError{err: err}
	}
	return path, nil
}

// safeName keeps letters, digits, '-', '_' and '.' of an id for a file name.
func safeName(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || strings.Trim(b.String(), ".") == "" {
		return "guarantee"
	}
	return b.String()
}

// renderGuarantees prints the guarantees side by side, then the details
// of each.
func renderGuarantees(w io.Writer, file string, reps []*guarantee.Report, js []guarantee.Result) {
	fmt.Fprintf(w, "%s: %s\n", file, plural(len(reps), "guarantee"))
	if len(reps) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, r := range reps {
		fmt.Fprintf(tw, "  %s\t%s\n", r.Guarantee.ID, r.Rule)
	}
	tw.Flush()
	fmt.Fprintln(w)
	row := func(label string, cell func(r *guarantee.Report, j guarantee.Result) string) {
		fmt.Fprint(tw, label)
		for i, r := range reps {
			fmt.Fprint(tw, "\t", cell(r, js[i]))
		}
		fmt.Fprintln(tw)
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	list := func(s []string) string {
		if len(s) == 0 {
			return "—"
		}
		return strings.Join(s, " ")
	}
	row("", func(r *guarantee.Report, _ guarantee.Result) string { return r.Guarantee.ID })
	row("deters", func(r *guarantee.Report, _ guarantee.Result) string { return orDash(r.Guarantee.Deters) })
	row("voters", func(r *guarantee.Report, _ guarantee.Result) string { return fmt.Sprint(len(r.Voters)) })
	row("can activate", func(r *guarantee.Report, _ guarantee.Result) string {
		if r.Guarantee.Decision == nil {
			return "no rule"
		}
		return yes(r.CanActivate)
	})
	row("veto players", func(r *guarantee.Report, _ guarantee.Result) string { return list(r.VetoPlayers) })
	row("deterred veto", func(r *guarantee.Report, _ guarantee.Result) string { return yes(r.DeterredVeto) })
	row("minimal winning coalitions", func(_ *guarantee.Report, j guarantee.Result) string {
		if j.MinimalCount == nil {
			return "—"
		}
		return *j.MinimalCount
	})
	row("winning coalitions", func(_ *guarantee.Report, j guarantee.Result) string {
		if j.WinningCoalitions == nil {
			return "—"
		}
		return *j.WinningCoalitions
	})
	// One row per party that votes anywhere, in order of first appearance.
	var parties []string
	seen := map[string]bool{}
	for _, r := range reps {
		for _, v := range r.Voters {
			if !seen[v] {
				seen[v] = true
				parties = append(parties, v)
			}
		}
	}
	anyPower := false
	for _, r := range reps {
		anyPower = anyPower || r.Power != nil
	}
	const maxRows = 40
	more := 0
	if !anyPower {
		parties = nil
	} else if len(parties) > maxRows {
		parties, more = parties[:maxRows], len(parties)-maxRows
	}
	for _, part := range []struct {
		name string
		get  func(p *guarantee.Power, i int) string
	}{
		{"swings", func(p *guarantee.Power, i int) string { return p.Swings[i].String() }},
		{"Banzhaf", func(p *guarantee.Power, i int) string { return ratCell(p.Banzhaf[i]) }},
		{"Shapley–Shubik", func(p *guarantee.Power, i int) string { return ratCell(p.ShapleyShubik[i]) }},
	} {
		for k, party := range parties {
			label := "  " + party
			if k == 0 {
				row(part.name, func(*guarantee.Report, guarantee.Result) string { return "" })
			}
			row(label, func(r *guarantee.Report, _ guarantee.Result) string {
				if r.Power == nil || r.Game == nil {
					return "—"
				}
				i := r.Game.Index(party)
				if i < 0 {
					return "·"
				}
				return part.get(r.Power, i)
			})
		}
		if more > 0 && len(parties) > 0 {
			row(fmt.Sprintf("  … %d more (see --json)", more), func(*guarantee.Report, guarantee.Result) string { return "" })
		}
	}
	row("credibility game", func(*guarantee.Report, guarantee.Result) string { return "" })
	cred := func(label string, f func(o *guarantee.Outcome) string) {
		row(label, func(r *guarantee.Report, _ guarantee.Result) string {
			if r.Outcome == nil {
				return "—"
			}
			return f(r.Outcome)
		})
	}
	cred("  attack", func(o *guarantee.Outcome) string { return yes(o.Attack) })
	cred("  activates after attack", func(o *guarantee.Outcome) string { return yes(o.Activated) })
	cred("  responders", func(o *guarantee.Outcome) string { return list(o.Responders) })
	cred("  credible", func(o *guarantee.Outcome) string { return yes(o.Credible()) })
	cred("  deters", func(o *guarantee.Outcome) string { return yes(o.Deters()) })
	tw.Flush()
	fmt.Fprintln(w, "\n(· not a voter of that rule; — not computed: see the notes)")
	for i, r := range reps {
		renderDetails(w, r, js[i])
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// ratCell writes an exact index and its decimal value: "1/3 0.3333".
func ratCell(r *big.Rat) string {
	f, _ := r.Float64()
	return fmt.Sprintf("%s (%.4f)", r.RatString(), f)
}

func renderDetails(w io.Writer, r *guarantee.Report, j guarantee.Result) {
	g := r.Guarantee
	fmt.Fprintf(w, "\n== %s: %s\n", g.ID, r.Rule)
	if m := r.Minimal; m != nil {
		count := "uncounted"
		if m.Count != nil {
			count = m.Count.String()
		}
		fmt.Fprintf(w, "minimal winning coalitions (%s", count)
		if !m.Complete {
			fmt.Fprintf(w, "; %d listed", len(m.List))
		}
		fmt.Fprintln(w, "):")
		for _, c := range m.List {
			if len(c) > 24 {
				fmt.Fprintf(w, "  {%s, … %d members}\n", strings.Join(c[:24], ", "), len(c))
				continue
			}
			fmt.Fprintf(w, "  {%s}\n", strings.Join(c, ", "))
		}
	}
	if r.Outcome != nil {
		c := r.Credibility
		o := r.Outcome
		fmt.Fprintf(w, "credibility game: %s attacks or refrains, then %s choose in this order\n", c.Attacker, strings.Join(c.Movers, ", "))
		verdict := "the guarantee activates after an attack (credible)"
		if !o.Activated {
			verdict = "the guarantee does not activate after an attack (not credible)"
		}
		fmt.Fprintf(w, "  %s; responders: %s; %s %s\n", verdict, orDash(strings.Join(o.Responders, ", ")), c.Attacker,
			map[bool]string{true: "attacks (no deterrence)", false: "refrains (deterred)"}[o.Attack])
		var pay []string
		pay = append(pay, fmt.Sprintf("%s %s", c.Attacker, o.AfterAttack[c.Attacker].RatString()))
		for _, m := range c.Movers {
			if m != c.Attacker {
				pay = append(pay, fmt.Sprintf("%s %s", m, o.AfterAttack[m].RatString()))
			}
		}
		fmt.Fprintf(w, "  payoffs after an attack: %s\n", strings.Join(pay, ", "))
		if len(r.Sensitivities) > 0 {
			fmt.Fprintln(w, "thresholds (one cost moves, the others fixed; at a threshold an indifferent player takes the passive choice):")
			tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			for _, s := range r.Sensitivities {
				fmt.Fprintf(tw, "  %s %s = %s\t%s\t%s\n", s.Param.Party, s.Param.Key, s.Value.RatString(),
					changeText("↑", s.Up, true), changeText("↓", s.Down, false))
			}
			tw.Flush()
		}
	}
	for _, n := range j.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if len(r.Missing) > 0 && r.Outcome == nil {
		var parts []string
		for _, m := range r.Missing {
			parts = append(parts, m.String())
		}
		fmt.Fprintf(w, "note: costs missing: %s\n", strings.Join(parts, "; "))
	}
}

func changeText(arrow string, c *guarantee.Change, up bool) string {
	if c == nil {
		return arrow + " no change"
	}
	op := ">"
	switch {
	case up && c.Inclusive:
		op = "≥"
	case !up && c.Inclusive:
		op = "≤"
	case !up:
		op = "<"
	}
	o := c.Outcome
	what := "not credible"
	if o.Activated {
		what = "credible"
	}
	if o.Attack {
		what += ", attack"
	} else {
		what += ", deters"
	}
	return fmt.Sprintf("%s %s %s: %s", arrow, op, c.At.RatString(), what)
}
