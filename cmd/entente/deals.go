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
	"slices"
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
	// Pareto lists Pareto-optimal packages, one entry each, up to --limit
	// (or maxParetoList); ParetoComplete says whether it lists them all.
	// The counts are exact whatever the limit: ParetoPackages (a decimal
	// string) of packages, ParetoPoints of distinct utility vectors; both
	// are null when the frontier was not counted (a large frontier
	// listed lazily without --count-frontier), unless the listing reached
	// its end.
	Pareto         []paretoJSON  `json:"pareto"`
	ParetoComplete bool          `json:"pareto_complete"`
	ParetoPoints   *int          `json:"pareto_points"`
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

// paretoJSON is one Pareto-optimal package: its values and utilities,
// the index of its utility vector among the pareto_points vectors (by
// decreasing total utility), and how many packages give that vector.
type paretoJSON struct {
	Package  map[string]any     `json:"package"`
	Utility  map[string]float64 `json:"utility"`
	Point    int                `json:"point"`
	Packages string             `json:"packages"`
}

// maxParetoList caps the Pareto-optimal packages any output lists: a
// frontier may hold 10^15 of them. --limit may not exceed it; with
// --limit 0 a larger frontier lists its first maxParetoList packages,
// sets pareto_complete false and exits 1.
var maxParetoList = 200_000

// frontierWork is the work (vector sums and comparisons) entente deals
// lets the whole Pareto frontier take, without --count-frontier, before
// it lists the frontier lazily and leaves it uncounted: about a second.
var frontierWork = 1 << 21

// paretoRow is a listed frontier package, the index of its point and the
// point.
type paretoRow struct {
	point int
	sol   *dealspace.Solution
	pt    *dealspace.FrontierPoint
}

// listPareto takes the first packages of the frontier, limit of them
// (0: up to maxParetoList), lazily from the engine; capped says that
// --limit 0 could not list them all. For a frontier not counted, points
// and packages are the counts when the listing reached the frontier's
// end, else nil.
func listPareto(f *dealspace.Frontier, limit int) (rows []paretoRow, capped bool, points *int, packages *big.Int) {
	if f == nil {
		return nil, false, nil, nil
	}
	n := limit
	if n == 0 {
		n = maxParetoList
	}
	ended := true
	for pi, s := range f.All() {
		if len(rows) == n {
			ended = false
			break
		}
		pt, _ := f.Point(pi)
		rows = append(rows, paretoRow{pi, s, pt})
	}
	if f.Counted() {
		np := len(f.Points)
		points, packages = &np, f.Packages
	} else if ended {
		np := 0
		if len(rows) > 0 {
			np = rows[len(rows)-1].point + 1
		}
		points, packages = &np, big.NewInt(int64(len(rows)))
	}
	capped = limit == 0 && (packages == nil || packages.Cmp(big.NewInt(int64(len(rows)))) > 0)
	return rows, capped, points, packages
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
		"The frontier is listed package by package (several packages may give the same utilities;\n"+
		"each is Pareto-optimal and listed), by total utility of their utility vector; --limit N\n"+
		"lists the first N, and the counts of packages and of distinct vectors stay exact. At most\n"+
		fmt.Sprintf("%d packages are ever listed: with --limit 0 a larger frontier lists its first %d,\n", maxParetoList, maxParetoList)+
		"says so (pareto_complete false in --json) and exits 1.\n"+
		"Exit status: 0 the analysis completed (an infeasible deal space is a result); 1 cut short by\n"+
		"--timeout or a budget, or a frontier too large to list in full (what is known is printed);\n"+
		"2 bad usage or a settlement with errors (a red line no package satisfies on its own is not one:\n"+
		"it is analysed as a conflict of one, with a note on stderr).", stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	svgPath := fs.String("svg", "", "write the Pareto frontier's utility vectors for two parties (see --axes) as an SVG chart to `FILE`")
	axes := fs.String("axes", "", "the two parties of the --svg chart, as `X,Y` (default: the first two with a utility)")
	countFrontier := fs.Bool("count-frontier", false, "count the whole Pareto frontier (points and packages), however long it takes; without it a frontier too large to compute in about a second is listed lazily and left uncounted (implied by --limit 0 and --svg)")
	limit := fs.Int("limit", 20, fmt.Sprintf("list at most `N` Pareto-optimal packages, conflicts and relaxations (0: all, up to %d frontier packages); counts stay exact", maxParetoList))
	timeout := fs.Duration("timeout", 0, "stop after `D` (such as 30s or 5m) and print what is known")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return usageErrorf("deals: name one settlement file")
	}
	if *limit < 0 || *limit > maxParetoList {
		return usageErrorf("deals: --limit must be between 0 and %d (0: all, the frontier up to %d packages)", maxParetoList, maxParetoList)
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
	blocking, facts := splitDealFindings(res.Findings)
	if n := blocking.Errors(); n > 0 {
		printErrors(stderr, blocking, true)
		fmt.Fprintf(stderr, "%s: %s: fix them before analysing the deal space (entente check %s)\n", file, plural(n, "error"), file)
		return &inputError{err: errors.New("settlement has errors"), printed: true}
	}
	for _, f := range facts {
		fmt.Fprintf(stderr, "%s: note[%s]: %s; analysed as a conflict of one\n", f.Pos, f.Code, f.Message)
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
	if !*countFrontier && *limit > 0 && *svgPath == "" {
		opts.FrontierWork = frontierWork
	}
	prog := newProgress(stderr)
	opts.Progress = prog.report
	out, aerr := dealspace.Analyze(ctx, res.Settlement, opts)
	prog.done()
	if aerr != nil && out == nil {
		return &inputError{err: fmt.Errorf("deals %s: %w", file, aerr)}
	}
	if *svgPath != "" {
		if err := writeSVG(*svgPath, file, out, x, y); err != nil {
			return err
		}
	}
	timedOut := aerr != nil && (errors.Is(aerr, context.DeadlineExceeded) || errors.Is(aerr, context.Canceled))
	rows, capped, points, packages := listPareto(out.Frontier, *limit)
	j := toDealsJSON(file, out, rows, points, packages, *limit, timedOut)
	if *asJSON {
		if err := render.JSON(stdout, j); err != nil {
			return err
		}
	} else {
		printDeals(stdout, file, out, rows, points, packages, *limit)
	}
	if capped && aerr == nil {
		return &findingsError{msg: fmt.Sprintf("entente: deals %s: the frontier holds %s Pareto-optimal packages; listed the first %s (the most any output lists): use --limit N, or count them with pareto_packages", file, render.Digits(packages), render.Digits(big.NewInt(int64(len(rows)))))}
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

// splitDealFindings separates the findings that stop the analysis from
// the red lines no package satisfies on their own
// (red-line-unsatisfiable): those are an error for check but a
// negotiating fact for deals, which analyses them (nothing feasible, the
// red line a conflict of one, dropping it a relaxation).
func splitDealFindings(fs settlement.Findings) (blocking, facts settlement.Findings) {
	for _, f := range fs {
		if f.Code == "red-line-unsatisfiable" {
			facts = append(facts, f)
			continue
		}
		blocking = append(blocking, f)
	}
	return blocking, facts
}

func toDealsJSON(file string, r *dealspace.Result, rows []paretoRow, points *int, packages *big.Int, limit int, timedOut bool) dealsJSON {
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
		j.ParetoPoints = points
		if packages != nil {
			s := packages.String()
			j.ParetoPackages = &s
			j.ParetoComplete = packages.Cmp(big.NewInt(int64(len(rows)))) == 0
		}
		for _, row := range rows {
			j.Pareto = append(j.Pareto, paretoJSON{Package: row.sol.Package, Utility: util(row.sol.Utility), Point: row.point,
				Packages: row.pt.Packages.String()})
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
	j.SmallestRelaxing = smallestDrop(r.Relaxations)
	for i, x := range r.Relaxations {
		if limit > 0 && i >= limit {
			break
		}
		j.Relaxations = append(j.Relaxations, relaxationJSON{Drop: redLinesJSON(x.Drop), Opens: x.Opens.String(), Size: len(x.Drop)})
	}
	return j
}

// smallestDrop returns the fewest red lines any relaxation drops, or 0
// when there is none.
func smallestDrop(rs []dealspace.Relaxation) int {
	n := 0
	for _, x := range rs {
		if n == 0 || len(x.Drop) < n {
			n = len(x.Drop)
		}
	}
	return n
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
func printDeals(w io.Writer, file string, r *dealspace.Result, rows []paretoRow, points *int, packages *big.Int, limit int) {
	fmt.Fprintf(w, "%s\n", file)
	fmt.Fprintf(w, "  packages  %s\n", render.Digits(r.Packages))
	if r.Feasible == nil {
		fmt.Fprintf(w, "  feasible  (not counted: the analysis was cut short)\n")
		return
	}
	fmt.Fprintf(w, "  feasible  %s", render.Digits(r.Feasible))
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
	printFrontier(w, r, rows, points, packages)
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
	fmt.Fprintf(w, "\nRelaxations: %s of red lines whose removal opens room, by packages opened (the smallest drop %d)", plural(len(r.Relaxations), "minimal set"), smallestDrop(r.Relaxations))
	if len(r.Relaxations) > limit && limit > 0 {
		fmt.Fprintf(w, " (first %d shown)", limit)
	}
	fmt.Fprintln(w)
	width := len("opens")
	for _, x := range r.Relaxations {
		width = max(width, len(render.Digits(x.Opens)))
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
		fmt.Fprintf(w, "  %*s  %s\n", width, render.Digits(x.Opens), strings.Join(names, ", "))
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
		if slices.Contains(r.Incomplete, "bargaining") {
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

// printFrontier writes the listed frontier packages, one a row; a
// vector's number, utilities and package count are written on its first
// row only.
func printFrontier(w io.Writer, r *dealspace.Result, rows []paretoRow, points *int, packages *big.Int) {
	f := r.Frontier
	if f == nil || len(r.Parties) == 0 {
		return
	}
	if packages == nil {
		fmt.Fprintf(w, "\nPareto frontier (not counted: --count-frontier counts it), by total utility (first %s shown)",
			render.Digits(big.NewInt(int64(len(rows)))))
	} else {
		fmt.Fprintf(w, "\nPareto frontier: %s Pareto-optimal packages on %s, by total utility",
			render.Digits(packages), plural(*points, "utility vector"))
		if big.NewInt(int64(len(rows))).Cmp(packages) < 0 {
			fmt.Fprintf(w, " (first %s shown)", render.Digits(big.NewInt(int64(len(rows)))))
		}
	}
	fmt.Fprintln(w)
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  vector\t")
	for _, p := range r.Parties {
		fmt.Fprintf(tw, "%s\t", p)
	}
	fmt.Fprintf(tw, "packages\tpackage\n")
	sp := r.Space()
	for i, row := range rows {
		fmt.Fprintf(tw, "  ")
		if i == 0 || rows[i-1].point != row.point {
			fmt.Fprintf(tw, "%d\t", row.point+1)
			for _, u := range row.pt.Utility {
				fmt.Fprintf(tw, "%.3f\t", u)
			}
			fmt.Fprintf(tw, "%s\t", render.Digits(row.pt.Packages))
		} else {
			fmt.Fprintf(tw, "\t%s\t", strings.Repeat("\t", len(r.Parties)))
		}
		fmt.Fprintf(tw, "%s\n", sp.Describe(row.sol.Package))
	}
	tw.Flush()
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
	return &progress{w: stderr, start: time.Now(), on: isTerminal(stderr)}
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

// writeSVG draws the Pareto frontier for parties x and y (by default the
// first two) to path.
func writeSVG(path, file string, r *dealspace.Result, x, y string) error {
	var b bytes.Buffer
	err := dealspace.PlotSVG(&b, r, dealspace.PlotOptions{X: x, Y: y, Subtitle: filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)})
	if errors.Is(err, dealspace.ErrAxes) {
		if x == "" {
			return &inputError{err: fmt.Errorf("deals %s: --svg: %w", file, err)}
		}
		return usageErrorf("deals: --axes: %v", err)
	}
	if err != nil {
		return fmt.Errorf("deals %s: svg: %w", file, err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write svg %s: %w", path, err)
	}
	return nil
}
