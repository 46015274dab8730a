package main

import (
	"bytes"
	"context"
	"encoding/json"
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

// guaranteesJSON is the JSON result of entente guarantee (DESIGN.md,
// "Results as JSON").
type guaranteesJSON struct {
	File       string          `json:"file"`
	Guarantees []guaranteeJSON `json:"guarantees"`
}

type guaranteeJSON struct {
	ID                  string                 `json:"id"`
	Title               string                 `json:"title,omitempty"`
	Rule                string                 `json:"rule"`
	Deters              string                 `json:"deters"`
	Voters              []string               `json:"voters"`
	CanActivate         bool                   `json:"can_activate"`
	VetoPlayers         []string               `json:"veto_players"`
	DeterredVeto        bool                   `json:"deterred_veto"`
	MinimalWinning      [][]string             `json:"minimal_winning_coalitions"`
	MinimalCount        *string                `json:"minimal_winning_count"`
	MinimalLimit        int                    `json:"minimal_winning_limit"`
	MinimalComplete     bool                   `json:"minimal_winning_complete"`
	WinningCoalitions   *string                `json:"winning_coalitions"`
	Swings              map[string]json.Number `json:"swings"`
	Banzhaf             map[string]float64     `json:"banzhaf"`
	ShapleyShubik       map[string]float64     `json:"shapley_shubik"`
	Exact               exactJSON              `json:"exact"`
	Credibility         *credibilityJSON       `json:"credibility"`
	CredibilityMissing  []missingJSON          `json:"credibility_missing"`
	EFG                 string                 `json:"efg,omitempty"`
	Notes               []string               `json:"notes"`
	PowerComputed       bool                   `json:"power_computed"`
	CredibilityComputed bool                   `json:"credibility_computed"`
}

type exactJSON struct {
	Banzhaf       map[string]string `json:"banzhaf"`
	ShapleyShubik map[string]string `json:"shapley_shubik"`
	Swings        map[string]string `json:"swings"`
	TotalSwings   string            `json:"total_swings,omitempty"`
}

type missingJSON struct {
	Party     string   `json:"party"`
	Aggressor bool     `json:"aggressor"`
	Keys      []string `json:"keys"`
}

type credibilityJSON struct {
	Attack      bool                 `json:"attack"`
	Activated   bool                 `json:"activated"`
	Responders  []string             `json:"responders"`
	Credible    bool                 `json:"credible"`
	Deters      bool                 `json:"deters"`
	Attacker    string               `json:"attacker"`
	Order       []string             `json:"order"`
	AfterAttack map[string]valueJSON `json:"payoffs_after_attack"`
	Thresholds  []thresholdJSON      `json:"thresholds"`
}

type valueJSON struct {
	Value float64 `json:"value"`
	Exact string  `json:"exact"`
}

type thresholdJSON struct {
	Party     string         `json:"party"`
	Key       string         `json:"key"`
	Value     valueJSON      `json:"value"`
	Up        *changeJSON    `json:"up"`
	Down      *changeJSON    `json:"down"`
	Intervals []intervalJSON `json:"intervals"`
}

type changeJSON struct {
	At        valueJSON `json:"at"`
	Inclusive bool      `json:"inclusive"`
	outcomeJSON
}

type outcomeJSON struct {
	Attack     bool     `json:"attack"`
	Activated  bool     `json:"activated"`
	Credible   bool     `json:"credible"`
	Deters     bool     `json:"deters"`
	Responders []string `json:"responders"`
}

type intervalJSON struct {
	From       *valueJSON `json:"from"`
	To         *valueJSON `json:"to"`
	FromClosed bool       `json:"from_closed"`
	ToClosed   bool       `json:"to_closed"`
	outcomeJSON
}

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
	fs.IntVar(&opts.ListLimit, "list", opts.ListLimit, "list at most `N` minimal winning coalitions per guarantee")
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
	if opts.ListLimit < 0 || opts.MaxCells < 1 || opts.MaxNodes < 1 {
		return usageErrorf("guarantee: --list must be 0 or more, --max-cells and --max-nodes at least 1")
	}
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
	out := guaranteesJSON{File: file, Guarantees: []guaranteeJSON{}}
	var reports []*guarantee.Report
	limited := false
	for _, g := range selected {
		rep, err := guarantee.Analyse(ctx, g, opts)
		if err != nil {
			return err
		}
		reports = append(reports, rep)
		gj := toGuaranteeJSON(rep, opts)
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

func value(r *big.Rat) valueJSON {
	f, _ := r.Float64()
	return valueJSON{Value: f, Exact: r.RatString()}
}

func outcomeOf(o *guarantee.Outcome) outcomeJSON {
	return outcomeJSON{Attack: o.Attack, Activated: o.Activated, Credible: o.Credible(), Deters: o.Deters(), Responders: nonNil(o.Responders)}
}

// changeOf returns the JSON of a threshold, nil when there is none.
func changeOf(c *guarantee.Change) *changeJSON {
	if c == nil {
		return nil
	}
	return &changeJSON{At: value(c.At), Inclusive: c.Inclusive, outcomeJSON: outcomeOf(c.Outcome)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toGuaranteeJSON(r *guarantee.Report, opts guarantee.Options) guaranteeJSON {
	g := r.Guarantee
	j := guaranteeJSON{ID: g.ID, Title: g.Title, Rule: r.Rule, Deters: g.Deters, Voters: nonNil(r.Voters),
		CanActivate: r.CanActivate, VetoPlayers: nonNil(r.VetoPlayers), DeterredVeto: r.DeterredVeto,
		MinimalWinning: [][]string{}, MinimalLimit: opts.ListLimit,
		Swings: map[string]json.Number{}, Banzhaf: map[string]float64{}, ShapleyShubik: map[string]float64{},
		Exact:              exactJSON{Banzhaf: map[string]string{}, ShapleyShubik: map[string]string{}, Swings: map[string]string{}},
		CredibilityMissing: []missingJSON{}, Notes: []string{}}
	if r.GameErr != nil {
		j.Notes = append(j.Notes, r.GameErr.Error())
	}
	if p := r.Power; p != nil {
		j.PowerComputed = true
		w := p.Winning.String()
		j.WinningCoalitions = &w
		for i, v := range r.Game.Voters {
			j.Swings[v] = json.Number(p.Swings[i].String())
			j.Exact.Swings[v] = p.Swings[i].String()
			j.Banzhaf[v], _ = p.Banzhaf[i].Float64()
			j.ShapleyShubik[v], _ = p.ShapleyShubik[i].Float64()
			j.Exact.Banzhaf[v] = p.Banzhaf[i].String()
			j.Exact.ShapleyShubik[v] = p.ShapleyShubik[i].String()
		}
		j.Exact.TotalSwings = p.TotalSwings.String()
	} else if r.PowerErr != nil && r.GameErr == nil {
		j.Notes = append(j.Notes, "power indices not computed: "+r.PowerErr.Error())
	}
	if m := r.Minimal; m != nil {
		j.MinimalWinning = append(j.MinimalWinning, m.List...)
		if m.Count != nil {
			c := m.Count.String()
			j.MinimalCount = &c
		}
		j.MinimalComplete = m.Complete
		if m.Note != "" {
			j.Notes = append(j.Notes, "minimal winning coalitions "+m.Note)
		}
	} else if r.MinimalErr != nil && r.GameErr == nil {
		j.Notes = append(j.Notes, "minimal winning coalitions not computed: "+r.MinimalErr.Error())
	}
	for _, m := range r.Missing {
		j.CredibilityMissing = append(j.CredibilityMissing, missingJSON{Party: m.Party, Aggressor: m.Aggressor, Keys: m.Keys})
	}
	switch {
	case r.Outcome != nil:
		j.CredibilityComputed = true
		o := r.Outcome
		c := &credibilityJSON{Attack: o.Attack, Activated: o.Activated, Responders: nonNil(o.Responders), Credible: o.Credible(),
			Deters: o.Deters(), Attacker: r.Credibility.Attacker, Order: r.Credibility.Movers,
			AfterAttack: map[string]valueJSON{}, Thresholds: []thresholdJSON{}}
		for p, v := range o.AfterAttack {
			c.AfterAttack[p] = value(v)
		}
		for _, s := range r.Sensitivities {
			t := thresholdJSON{Party: s.Param.Party, Key: s.Param.Key, Value: value(s.Value), Up: changeOf(s.Up), Down: changeOf(s.Down)}
			for _, iv := range s.Intervals {
				x := intervalJSON{FromClosed: iv.LoClosed, ToClosed: iv.HiClosed, outcomeJSON: outcomeOf(iv.Outcome)}
				if iv.Lo != nil {
					v := value(iv.Lo)
					x.From = &v
				}
				if iv.Hi != nil {
					v := value(iv.Hi)
					x.To = &v
				}
				t.Intervals = append(t.Intervals, x)
			}
			c.Thresholds = append(c.Thresholds, t)
		}
		j.Credibility = c
	case errors.Is(r.CredibilityErr, guarantee.ErrNoCosts):
		j.Notes = append(j.Notes, "no credibility game: the guarantee gives no costs")
	case errors.Is(r.CredibilityErr, guarantee.ErrMissingCosts):
		j.Notes = append(j.Notes, "no credibility game: "+r.CredibilityErr.Error())
	case r.CredibilityErr != nil && r.GameErr == nil:
		j.Notes = append(j.Notes, "credibility game not solved: "+r.CredibilityErr.Error())
	}
	return j
}

// renderGuarantees prints the guarantees side by side, then the details
// of each.
func renderGuarantees(w io.Writer, file string, reps []*guarantee.Report, js []guaranteeJSON) {
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
	row := func(label string, cell func(r *guarantee.Report, j guaranteeJSON) string) {
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
	row("", func(r *guarantee.Report, _ guaranteeJSON) string { return r.Guarantee.ID })
	row("deters", func(r *guarantee.Report, _ guaranteeJSON) string { return orDash(r.Guarantee.Deters) })
	row("voters", func(r *guarantee.Report, _ guaranteeJSON) string { return fmt.Sprint(len(r.Voters)) })
	row("can activate", func(r *guarantee.Report, _ guaranteeJSON) string {
		if r.Guarantee.Decision == nil {
			return "no rule"
		}
		return yes(r.CanActivate)
	})
	row("veto players", func(r *guarantee.Report, _ guaranteeJSON) string { return list(r.VetoPlayers) })
	row("deterred veto", func(r *guarantee.Report, _ guaranteeJSON) string { return yes(r.DeterredVeto) })
	row("minimal winning coalitions", func(_ *guarantee.Report, j guaranteeJSON) string {
		if j.MinimalCount == nil {
			return "—"
		}
		return *j.MinimalCount
	})
	row("winning coalitions", func(_ *guarantee.Report, j guaranteeJSON) string {
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
				row(part.name, func(*guarantee.Report, guaranteeJSON) string { return "" })
			}
			row(label, func(r *guarantee.Report, _ guaranteeJSON) string {
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
			row(fmt.Sprintf("  … %d more (see --json)", more), func(*guarantee.Report, guaranteeJSON) string { return "" })
		}
	}
	row("credibility game", func(*guarantee.Report, guaranteeJSON) string { return "" })
	cred := func(label string, f func(o *guarantee.Outcome) string) {
		row(label, func(r *guarantee.Report, _ guaranteeJSON) string {
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

func renderDetails(w io.Writer, r *guarantee.Report, j guaranteeJSON) {
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
