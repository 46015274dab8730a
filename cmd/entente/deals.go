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

// maxParetoList caps the Pareto-optimal packages any output lists
// (dealspace.MaxList): --limit may not exceed it; with no limit a larger
// frontier lists its first maxParetoList packages, sets pareto_complete
// false and exits 1.
var maxParetoList = dealspace.MaxList

// frontierWork is the work (vector sums and comparisons) entente deals
// lets the whole Pareto frontier take, without --count-frontier, before
// it lists the frontier lazily and leaves it uncounted: about a second.
var frontierWork = 1 << 21

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
	limitFlag := addLimit(fs, fmt.Sprintf("Pareto-optimal packages, conflicts and relaxations (the frontier up to %d packages)", maxParetoList))
	timeout := fs.Duration("timeout", 0, "stop after `D` (such as 30s or 5m) and print what is known")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return usageErrorf("deals: name one settlement file")
	}
	limit := new(int)
	*limit = limitFlag.get(*asJSON)
	if *limit > maxParetoList {
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
	listing := out.Frontier.List(*limit, maxParetoList)
	j := out.Deals(file, listing, *limit, timedOut)
	if *asJSON {
		if err := render.JSON(stdout, j); err != nil {
			return err
		}
	} else {
		printDeals(stdout, file, out, listing, *limit)
	}
	if listing.Capped && aerr == nil {
		return &findingsError{msg: fmt.Sprintf("entente: deals %s: the frontier holds %s Pareto-optimal packages; listed the first %s (the most any output lists): use --limit N, or count them with pareto_packages", file, render.Digits(listing.Packages), render.Digits(big.NewInt(int64(len(listing.Rows)))))}
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

// printDeals writes the result as tables.
func printDeals(w io.Writer, file string, r *dealspace.Result, l dealspace.Listing, limit int) {
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
	printFrontier(w, r, l)
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
	fmt.Fprintf(w, "\nRelaxations: %s of red lines whose removal opens room, by packages opened (the smallest drop %d)", plural(len(r.Relaxations), "minimal set"), dealspace.SmallestDrop(r.Relaxations))
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
func printFrontier(w io.Writer, r *dealspace.Result, l dealspace.Listing) {
	rows, points, packages := l.Rows, l.Points, l.Packages
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
		if i == 0 || rows[i-1].Point != row.Point {
			fmt.Fprintf(tw, "%d\t", row.Point+1)
			for _, u := range row.At.Utility {
				fmt.Fprintf(tw, "%.3f\t", u)
			}
			fmt.Fprintf(tw, "%s\t", render.Digits(row.At.Packages))
		} else {
			fmt.Fprintf(tw, "\t%s\t", strings.Repeat("\t", len(r.Parties)))
		}
		fmt.Fprintf(tw, "%s\n", sp.Describe(row.Solution.Package))
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
