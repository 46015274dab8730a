package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/entente-org/entente/check"
	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/settlement"
)

// dealsJSON is the JSON result of entente deals (DESIGN.md, "Results as
// JSON"); keys beyond DESIGN.md's are additions.
type dealsJSON struct {
	File        string             `json:"file"`
	Packages    string             `json:"packages"`
	Feasible    *string            `json:"feasible"`
	Complete    bool               `json:"complete"`
	TimedOut    bool               `json:"timed_out"`
	Incomplete  []string           `json:"incomplete"`
	Parties     []string           `json:"parties"`
	Reservation map[string]float64 `json:"reservation"`
	// Pareto lists up to --limit frontier points; the counts are exact.
	Pareto         []paretoJSON  `json:"pareto"`
	ParetoPoints   int           `json:"pareto_points"`
	ParetoPackages *string       `json:"pareto_packages"`
	Nash           *solutionJSON `json:"nash"`
	Kalai          *solutionJSON `json:"kalai"`
	Utilitarian    *solutionJSON `json:"utilitarian"`
	// Best is each party's best utility over the bargaining set (Kalai's
	// reference point).
	Best             map[string]float64 `json:"best,omitempty"`
	Conflicts        [][]redLineJSON    `json:"conflicts"`
	ConflictCount    int                `json:"conflict_count"`
	Relaxations      []relaxationJSON   `json:"relaxations"`
	RelaxationCount  int                `json:"relaxation_count"`
	SmallestRelaxing int                `json:"smallest_relaxation,omitempty"`
}

type paretoJSON struct {
	Package  map[string]any     `json:"package"`
	Utility  map[string]float64 `json:"utility"`
	Packages string             `json:"packages"`
}

type solutionJSON struct {
	Package  map[string]any     `json:"package"`
	Utility  map[string]float64 `json:"utility"`
	Product  *float64           `json:"product,omitempty"`
	MinRatio *float64           `json:"min_ratio,omitempty"`
	Sum      *float64           `json:"sum,omitempty"`
}

type redLineJSON struct {
	Party   string `json:"party"`
	RedLine string `json:"red_line"`
	Source  string `json:"source"`
	Rule    string `json:"rule"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

type relaxationJSON struct {
	Drop  []redLineJSON `json:"drop"`
	Opens string        `json:"opens"`
	Size  int           `json:"size"`
}

func runDeals(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("deals", "FILE", "Analyses the deal space of a settlement: how many packages exist and how many every party\n"+
		"accepts; when none, the minimal conflicts between red lines and the minimal relaxations that\n"+
		"open room (with how many packages each opens); otherwise the Nash, Kalai-Smorodinsky and\n"+
		"utilitarian packages and the Pareto frontier. Everything is exact.\n"+
		"Exit status: 0 the analysis completed (an infeasible deal space is a result); 1 cut short by\n"+
		"--timeout or a budget (what is known is printed); 2 bad usage or a settlement with errors.", stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	svgPath := fs.String("svg", "", "write the Pareto frontier for two parties (see --axes) as an SVG chart to `FILE`")
	axes := fs.String("axes", "", "the two parties of the --svg chart, as `X,Y` (default: the first two with a utility)")
	limit := fs.Int("limit", 20, "list at most `N` frontier points, conflicts and relaxations (0: all); counts stay exact")
	timeout := fs.Duration("timeout", 0, "stop after `D` (such as 30s or 5m) and print what is known")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return usageErrorf("deals: name one settlement file")
	}
	if *limit < 0 {
		return usageErrorf("deals: --limit must be 0 or more")
	}
	file := files[0]
	res, err := check.File(file, settlement.DefaultOptions())
	if err != nil {
		var me *settlement.MalformedError
		if errors.As(err, &me) {
			fmt.Fprintf(stderr, "%s: error[malformed]: %s%s\n", me.Pos, me.Msg, errSuffix(me.Err))
			return &inputError{err: err, printed: true}
		}
		return err
	}
	if n := res.Findings.Errors(); n > 0 {
		for _, f := range res.Findings {
			if f.Severity == settlement.Error {
				fmt.Fprintf(stderr, "%s: %s[%s]: %s\n", f.Pos, f.Severity, f.Code, f.Message)
				if f.Hint != "" {
					fmt.Fprintf(stderr, "    %s\n", f.Hint)
				}
			}
		}
		fmt.Fprintf(stderr, "%s: %s: fix them before analysing the deal space (entente check %s)\n", file, plural(n, "error"), file)
		return &inputError{err: errors.New("settlement has errors"), printed: true}
	}
	var x, y string
	if *axes != "" {
		parts := strings.Split(*axes, ",")
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return usageErrorf("deals: --axes takes two party ids, as UA,RU")
		}
		x, y = strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
	}
	if *axes != "" && *svgPath == "" {
		return usageErrorf("deals: --axes goes with --svg FILE")
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	opts := dealspace.DefaultOptions()
	prog := newProgress(stderr)
	opts.Progress = prog.report
	out, aerr := dealspace.Analyze(ctx, res.Settlement, opts)
	prog.done()
	if aerr != nil && out == nil {
		return &inputError{err: fmt.Errorf("deals %s: %w", file, aerr)}
	}
	sp := out.Space()
	if *svgPath != "" {
		if x == "" {
			ps := sp.Parties()
			if len(ps) < 2 {
				return &inputError{err: fmt.Errorf("deals %s: --svg needs two parties with a utility; the settlement has %d", file, len(ps))}
			}
			x, y = ps[0], ps[1]
		}
		if err := writeSVG(*svgPath, file, out, x, y); err != nil {
			return err
		}
	}
	timedOut := aerr != nil && (errors.Is(aerr, context.DeadlineExceeded) || errors.Is(aerr, context.Canceled))
	j := toDealsJSON(file, out, *limit, timedOut)
	if *asJSON {
		if err := render.JSON(stdout, j); err != nil {
			return err
		}
	} else {
		printDeals(stdout, file, out, j, *limit)
	}
	if aerr != nil {
		what := "a budget was exceeded"
		if timedOut {
			what = "the --timeout ran out"
		}
		return &findingsError{msg: fmt.Sprintf("entente: deals %s: cut short (%s): %v; the output holds what was found", file, what, aerr)}
	}
	return nil
}

func toDealsJSON(file string, r *dealspace.Result, limit int, timedOut bool) dealsJSON {
	j := dealsJSON{File: file, Packages: r.Packages.String(), Complete: len(r.Incomplete) == 0, TimedOut: timedOut,
		Incomplete: append([]string{}, r.Incomplete...), Parties: append([]string{}, r.Parties...),
		Reservation: map[string]float64{}, Pareto: []paretoJSON{}, Conflicts: [][]redLineJSON{}, Relaxations: []relaxationJSON{}}
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
		j.ParetoPoints = len(r.Frontier.Points)
		s := r.Frontier.Packages.String()
		j.ParetoPackages = &s
		for i, p := range r.Frontier.Points {
			if limit > 0 && i >= limit {
				break
			}
			j.Pareto = append(j.Pareto, paretoJSON{Package: p.Package, Utility: util(p.Utility), Packages: p.Packages.String()})
		}
	}
	sol := func(s *dealspace.Solution) *solutionJSON {
		if s == nil {
			return nil
		}
		return &solutionJSON{Package: s.Package, Utility: util(s.Utility)}
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
		j.Conflicts = append(j.Conflicts, redLinesJSON(c))
	}
	j.RelaxationCount = len(r.Relaxations)
	for i, x := range r.Relaxations {
		if j.SmallestRelaxing == 0 || len(x.Drop) < j.SmallestRelaxing {
			j.SmallestRelaxing = len(x.Drop)
		}
		if limit > 0 && i >= limit {
			continue
		}
		j.Relaxations = append(j.Relaxations, relaxationJSON{Drop: redLinesJSON(x.Drop), Opens: x.Opens.String(), Size: len(x.Drop)})
	}
	return j
}

func redLinesJSON(ls []dealspace.RedLine) []redLineJSON {
	out := []redLineJSON{}
	for _, l := range ls {
		out = append(out, redLineJSON{Party: l.Party, RedLine: l.ID, Source: l.Source, Rule: l.Rule,
			File: l.Pos.File, Line: l.Pos.Line, Column: l.Pos.Col})
	}
	return out
}

// printDeals writes the result as tables.
func printDeals(w io.Writer, file string, r *dealspace.Result, j dealsJSON, limit int) {
	fmt.Fprintf(w, "%s\n", file)
	fmt.Fprintf(w, "  packages  %s\n", groupDigits(r.Packages))
	if r.Feasible == nil {
		fmt.Fprintf(w, "  feasible  (not counted: the analysis was cut short)\n")
		return
	}
	fmt.Fprintf(w, "  feasible  %s", groupDigits(r.Feasible))
	if r.Feasible.Sign() == 0 {
		fmt.Fprintf(w, "  (no package satisfies every constraint and red line)")
	}
	fmt.Fprintln(w)
	if len(r.Incomplete) > 0 {
		fmt.Fprintf(w, "  cut short: %s not complete\n", strings.Join(r.Incomplete, ", "))
	}
	if r.Feasible.Sign() == 0 {
		printConflicts(w, r, limit)
		return
	}
	printSolutions(w, r)
	printFrontier(w, r, limit)
}

func printConflicts(w io.Writer, r *dealspace.Result, limit int) {
	fmt.Fprintf(w, "\nConflicts: %s of red lines that no package satisfies together", plural(len(r.Conflicts), "minimal set"))
	if len(r.Conflicts) > limit && limit > 0 {
		fmt.Fprintf(w, " (first %d shown)", limit)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, c := range r.Conflicts {
		if limit > 0 && i >= limit {
			break
		}
		for k, l := range c {
			num := ""
			if k == 0 {
				num = fmt.Sprintf("%d.", i+1)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", num, l.Party, l.ID, sourceOf(l), l.Rule)
		}
	}
	tw.Flush()
	if len(r.Relaxations) == 0 {
		return
	}
	smallest := len(r.Relaxations[0].Drop)
	for _, x := range r.Relaxations {
		smallest = min(smallest, len(x.Drop))
	}
	fmt.Fprintf(w, "\nRelaxations: %s of red lines whose removal opens room, by packages opened (the smallest drop %d)", plural(len(r.Relaxations), "minimal set"), smallest)
	if len(r.Relaxations) > limit && limit > 0 {
		fmt.Fprintf(w, " (first %d shown)", limit)
	}
	fmt.Fprintln(w)
	width := len("opens")
	for _, x := range r.Relaxations {
		width = max(width, len(groupDigits(x.Opens)))
	}
	fmt.Fprintf(w, "  %*s  drop\n", width, "opens")
	for i, x := range r.Relaxations {
		if limit > 0 && i >= limit {
			break
		}
		var names []string
		for _, l := range x.Drop {
			names = append(names, l.Party+" "+l.ID)
		}
		fmt.Fprintf(w, "  %*s  %s\n", width, groupDigits(x.Opens), strings.Join(names, ", "))
	}
}

func sourceOf(l dealspace.RedLine) string {
	if l.Source == "" {
		return "(no source)"
	}
	return "(" + l.Source + ")"
}

func printSolutions(w io.Writer, r *dealspace.Result) {
	if len(r.Parties) == 0 {
		fmt.Fprintf(w, "\nNo party states a utility: there is nothing to bargain over.\n")
		return
	}
	if r.Utilitarian == nil {
		if contains(r.Incomplete, "bargaining") {
			return
		}
		fmt.Fprintf(w, "\nNo feasible package gives every party more than its reservation: no Nash, Kalai-Smorodinsky or utilitarian package.\n")
		return
	}
	fmt.Fprintf(w, "\nBargaining solutions (over the packages that give every party more than its reservation)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  \t")
	for _, p := range r.Parties {
		fmt.Fprintf(tw, "%s\t", p)
	}
	fmt.Fprintf(tw, "\t\n  reservation\t")
	for _, v := range r.Reservation {
		fmt.Fprintf(tw, "%.3f\t", v)
	}
	fmt.Fprintf(tw, "\t\n")
	row := func(name string, s *dealspace.Solution, what string) {
		fmt.Fprintf(tw, "  %s\t", name)
		for _, u := range s.Utility {
			fmt.Fprintf(tw, "%.3f\t", u)
		}
		fmt.Fprintf(tw, "%s %.4g\t\n", what, s.Value)
	}
	row("Nash", r.Nash, "product")
	row("Kalai-Smorodinsky", r.Kalai, "min ratio")
	row("utilitarian", r.Utilitarian, "sum")
	tw.Flush()
	sp := r.Space()
	for _, x := range []struct {
		name string
		s    *dealspace.Solution
	}{{"Nash", r.Nash}, {"Kalai-Smorodinsky", r.Kalai}, {"utilitarian", r.Utilitarian}} {
		fmt.Fprintf(w, "  %s: %s\n", x.name, sp.Describe(x.s.Package))
	}
}

func printFrontier(w io.Writer, r *dealspace.Result, limit int) {
	f := r.Frontier
	if f == nil || len(r.Parties) == 0 {
		return
	}
	fmt.Fprintf(w, "\nPareto frontier: %s (%s packages), by total utility", plural(len(f.Points), "utility vector"), groupDigits(f.Packages))
	if len(f.Points) > limit && limit > 0 {
		fmt.Fprintf(w, " (first %d shown)", limit)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  ")
	for _, p := range r.Parties {
		fmt.Fprintf(tw, "%s\t", p)
	}
	fmt.Fprintf(tw, "packages\tone of them\n")
	sp := r.Space()
	for i, p := range f.Points {
		if limit > 0 && i >= limit {
			break
		}
		fmt.Fprintf(tw, "  ")
		for _, u := range p.Utility {
			fmt.Fprintf(tw, "%.3f\t", u)
		}
		fmt.Fprintf(tw, "%s\t%s\n", groupDigits(p.Packages), sp.Describe(p.Package))
	}
	tw.Flush()
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// groupDigits writes a count with thousands separators.
func groupDigits(n *big.Int) string {
	s := n.String()
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// progress shows the analysis's progress on stderr when it is a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	shown bool
	start time.Time
}

func newProgress(stderr io.Writer) *progress {
	p := &progress{w: stderr, start: time.Now()}
	if f, ok := stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) report(pr dealspace.Progress) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	var what string
	switch pr.Stage {
	case "diagram":
		what = fmt.Sprintf("building the decision diagram: %d nodes", pr.Nodes)
	case "conflicts":
		what = fmt.Sprintf("searching conflicts: %d conflicts, %d relaxations so far", pr.Conflicts, pr.Relaxations)
	case "relaxations":
		what = fmt.Sprintf("counting what relaxation %d opens", pr.Relaxations+1)
	case "bargaining":
		what = fmt.Sprintf("searching bargaining solutions: %d nodes visited", pr.Visits)
	case "frontier":
		what = "computing the Pareto frontier"
	default:
		what = pr.Stage
	}
	fmt.Fprintf(p.w, "\r\x1b[Kentente deals: %s (%s)", what, time.Since(p.start).Round(time.Second))
	p.shown = true
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
