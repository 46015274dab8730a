package genius

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/entente-org/entente/settlement"
)

// Defaults of [Options].
const (
	// DefaultRealValues is the number of values a real issue is taken at:
	// 21, the grid Genius's BidIterator enumerates (lowerbound, then 20
	// equal steps up to upperbound).
	DefaultRealValues = 21
	// DefaultMaxValues bounds the values of an integer issue.
	DefaultMaxValues = 1 << 20
	// maxRealValues and maxMaxValues bound the options themselves.
	maxRealValues = 10001
	maxMaxValues  = 1 << 40
	// weightTolerance is how far from 1 the sum of a profile's weights may
	// be: Genius adds weighted evaluations without normalising, so weights
	// that do not sum to 1 would change every utility.
	weightTolerance = 1e-6
)

// Options says how to convert.
type Options struct {
	// RealValues is the number of values a real issue is taken at, from its
	// lowerbound to its upperbound in equal steps; at least 2.
	RealValues int
	// MaxValues is the largest number of values an integer issue may have
	// (upperbound − lowerbound + 1); a larger one is an error.
	MaxValues int64
	// NormaliseWeights accepts profiles whose weights do not sum to 1 and
	// says so in a warning: the settlement divides weights by their sum,
	// so its utilities are Genius's divided by that sum (and Genius caps
	// utilities above 1).
	NormaliseWeights bool
	// Parties gives the party ids, one per profile in order; empty derives
	// them from the profiles' file names (see [PartyID]).
	Parties []string
}

// DefaultOptions returns the options entente import genius uses when no
// flag is given.
func DefaultOptions() Options {
	return Options{RealValues: DefaultRealValues, MaxValues: DefaultMaxValues}
}

// ErrOptions is returned (wrapped) by [Convert] for options out of range.
var ErrOptions = errors.New("invalid options")

func (o Options) validate(profiles int) error {
	switch {
	case o.RealValues < 2 || o.RealValues > maxRealValues:
		return fmt.Errorf("%w: a real issue is taken at 2 to %d values, not %d", ErrOptions, maxRealValues, o.RealValues)
	case o.MaxValues < 1 || o.MaxValues > maxMaxValues:
		return fmt.Errorf("%w: the most values of an integer issue is between 1 and 2^40, not %d", ErrOptions, o.MaxValues)
	case len(o.Parties) > 0 && len(o.Parties) != profiles:
		return fmt.Errorf("%w: %d party ids for %d profiles; give one id per profile, in order", ErrOptions, len(o.Parties), profiles)
	}
	seen := map[string]bool{}
	for _, id := range o.Parties {
		if strings.TrimSpace(id) == "" {
			return fmt.Errorf("%w: an empty party id", ErrOptions)
		}
		if seen[id] {
			return fmt.Errorf("%w: party id %q given twice", ErrOptions, id)
		}
		seen[id] = true
	}
	return nil
}

// Import is a Genius domain and its profiles converted to a settlement.
type Import struct {
	// ID, Title and Description are the settlement's.
	ID, Title, Description string
	// Domain and Profiles are the files converted.
	Domain   *File
	Profiles []*File
	// Issues are the settlement's issues, one per domain issue, in order.
	Issues []*ImportedIssue
	// Parties are the settlement's parties, one per profile, in order.
	Parties []*Party
	// Warnings lists what the settlement does not express, in file order.
	Warnings []Warning
	// Options are the options of the conversion.
	Options Options

	yaml []byte
	// rescaled is true when a profile's weights were divided by their sum
	// (Options.NormaliseWeights): its utilities then differ from Genius's.
	rescaled bool
}

// YAML returns the settlement file (format 1), with comments naming the
// source files and everything the settlement does not express.
func (im *Import) YAML() []byte { return im.yaml }

// ImportedIssue is one settlement issue and the Genius issue it comes from.
type ImportedIssue struct {
	From *Issue
	ID   string
	Kind Kind
	// Options are the items of a discrete issue (an enumeration).
	Options []string
	// Min, Max and Step give the range of an integer or real issue.
	Min, Max, Step int64
	// Grid is the discretisation of a real issue.
	Grid *Grid
}

// Size returns the number of values of the issue.
func (is *ImportedIssue) Size() int64 {
	if is.Kind == Discrete {
		return int64(len(is.Options))
	}
	return (is.Max-is.Min)/is.Step + 1
}

// Grid is the discretisation of a real issue: N values from Low to High in
// equal steps, the k-th being Low + k·(High − Low)/(N − 1) computed as
// Genius's BidIterator computes it. The settlement's range value
// Min + k·Step stands for the k-th grid value: it is the grid value times
// Scale when Scaled, and k itself otherwise.
type Grid struct {
	Low, High float64
	N         int
	Scale     float64
	Scaled    bool
}

// At returns the k-th grid value.
func (g *Grid) At(k int) float64 {
	if g.N < 2 {
		return g.Low
	}
	step := (g.High - g.Low) / float64(g.N-1)
	return g.Low + step*float64(k)
}

// Party is one settlement party and its position, from one profile.
type Party struct {
	ID      string
	Profile *File
	// Utility is nil when the profile's utility cannot be expressed as an
	// additive utility (a nonlinear profile); the party then has no position.
	Utility *Utility
	// Reservation is the reservation value, nil when the profile gives none.
	Reservation *float64
	// Notes say what of the profile the settlement does not express.
	Notes []string
}

// Utility is a party's additive utility: a weight and value points per
// issue, aligned with [Import.Issues].
type Utility struct {
	Weights []float64
	Values  [][]Point
}

// Point is the value of one option (Key is the option) or of one range
// point (Key is the whole number) of an issue.
type Point struct {
	Key   string
	Value float64
}

// Convert converts a Genius domain and its utility profiles into a
// settlement: one issue per domain issue, one party (and position) per
// profile. The error is an [ErrorList] of every problem in the files, or
// wraps [ErrOptions]. The settlement is checked to load with
// [settlement.Parse] before Convert returns.
func Convert(domain *File, profiles []*File, opts Options) (*Import, error) {
	if domain == nil {
		return nil, fmt.Errorf("%w: no domain", ErrOptions)
	}
	if err := opts.validate(len(profiles)); err != nil {
		return nil, err
	}
	c := &converter{im: &Import{Domain: domain, Profiles: profiles, Options: opts}, opts: opts}
	c.domain()
	if len(c.errs) == 0 {
		c.parties = map[string]bool{}
		for i, p := range profiles {
			c.profile(i, p)
		}
	}
	if len(c.errs) > 0 {
		return nil, c.errs.sorted()
	}
	im := c.im
	sortWarnings(im.Warnings, append([]*File{domain}, profiles...))
	im.ID = PartyID(domain.Name)
	switch name := strings.TrimSpace(domain.Objective); {
	case name == "" || strings.EqualFold(name, "root") || strings.EqualFold(name, "any"):
		im.Title = "Genius domain " + baseName(domain.Name)
	default:
		im.Title = fmt.Sprintf("%s (Genius domain %s)", name, baseName(domain.Name))
	}
	names := make([]string, len(profiles))
	for i, p := range profiles {
		names[i] = baseName(p.Name)
	}
	im.Description = fmt.Sprintf("Imported from the Genius negotiation domain %s and the utility profiles %s.", baseName(domain.Name), strings.Join(names, ", "))
	if len(profiles) == 1 {
		im.Description = fmt.Sprintf("Imported from the Genius negotiation domain %s and the utility profile %s.", baseName(domain.Name), names[0])
	}
	im.yaml = im.render()
	// The settlement must load without error: anything else is a bug here.
	_, fs, err := settlement.Parse(im.ID+".yaml", im.yaml, settlement.DefaultOptions())
	if err != nil {
		return nil, fmt.Errorf("genius: internal error: the converted settlement is not YAML: %w", err)
	}
	if fs.Errors() > 0 {
		var msgs []string
		for _, f := range fs {
			if f.Severity == settlement.Error {
				msgs = append(msgs, f.Pos.String()+": "+f.Message)
			}
		}
		return nil, fmt.Errorf("genius: internal error: the converted settlement does not load: %s", strings.Join(msgs, "; "))
	}
	return im, nil
}

type converter struct {
	im      *Import
	opts    Options
	errs    ErrorList
	parties map[string]bool
}

func (c *converter) errorf(at Pos, format string, args ...any) {
	c.errs = append(c.errs, &Error{at, fmt.Sprintf(format, args...)})
}

// warnf records a warning, and a note on the party when there is one.
func (c *converter) warnf(party *Party, at Pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.im.Warnings = append(c.im.Warnings, Warning{at, msg})
	if party != nil {
		party.Notes = append(party.Notes, msg)
	}
}

func (c *converter) domain() {
	d := c.im.Domain
	c.im.Warnings = append(c.im.Warnings, d.Warnings...)
	if d.Root == "utility_space" && d.HasPreferences() {
		c.errorf(d.Pos, "this file is a utility profile (it gives weights or evaluations), given as the domain: give the domain file (root element <negotiation_template>) first, then the profiles")
		return
	}
	if len(d.Issues) == 0 {
		c.errorf(d.Pos, "the domain has no issues; a domain lists <issue> elements in its <objective>")
		return
	}
	indices := map[int]*Issue{}
	names := map[string]*Issue{}
	for _, is := range d.Issues {
		if first := indices[is.Index]; first != nil {
			c.errorf(is.Pos, "issue index %d is also the index of issue %q at %s; each issue has its own index", is.Index, first.Name, first.Pos)
		} else {
			indices[is.Index] = is
		}
		if first := names[is.Name]; first != nil {
			c.errorf(is.Pos, "issue name %q is also the name of the issue at %s; each issue has its own name", is.Name, first.Pos)
		} else {
			names[is.Name] = is
		}
	}
	taken := map[string]bool{}
	for _, is := range d.Issues {
		out := &ImportedIssue{From: is, Kind: is.Kind, ID: unique(IssueID(is.Name), "_", taken)}
		switch is.Kind {
		case Discrete:
			if len(is.Items) == 0 {
				c.errorf(is.Pos, "discrete issue %q has no items; list its values as <item index=\"1\" value=\"...\"/>", is.Name)
				continue
			}
			seen := map[string]Pos{}
			for _, it := range is.Items {
				if first, dup := seen[it.Value]; dup {
					c.errorf(it.Pos, "item %q of issue %q is listed twice (first at %s); list each value once", it.Value, is.Name, first)
					continue
				}
				seen[it.Value] = it.Pos
				out.Options = append(out.Options, it.Value)
			}
		case Integer:
			switch {
			case !is.Bounded:
				c.errorf(is.Pos, "integer issue %q has no bounds; give lowerbound=\"0\" upperbound=\"10\"", is.Name)
				continue
			case is.Low > is.High:
				c.errorf(is.BoundsPos, "integer issue %q: lowerbound %d is above upperbound %d", is.Name, is.Low, is.High)
				continue
			case is.High-is.Low+1 > c.opts.MaxValues:
				c.errorf(is.BoundsPos, "integer issue %q has %d values (%d to %d); at most %d are imported (--max-values): a package gives every issue one value, and so many values are rarely negotiated one by one; narrow the bounds or raise the limit", is.Name, is.High-is.Low+1, is.Low, is.High, c.opts.MaxValues)
				continue
			}
			out.Min, out.Max, out.Step = is.Low, is.High, 1
		case Real:
			switch {
			case !is.Bounded:
				c.errorf(is.Pos, "real issue %q has no range; give <range lowerbound=\"0\" upperbound=\"1\"/>", is.Name)
				continue
			case is.RealLow > is.RealHigh:
				c.errorf(is.BoundsPos, "real issue %q: lowerbound %g is above upperbound %g", is.Name, is.RealLow, is.RealHigh)
				continue
			}
			out.Grid = newGrid(is.RealLow, is.RealHigh, c.opts.RealValues)
			out.Min, out.Max, out.Step = out.Grid.rangeOf()
			if out.Grid.N == 1 {
				c.warnf(nil, is.Pos, "real issue %q has the single value %s (%s)", is.Name, num(is.RealLow), out.Grid.describe(is.Name))
			} else {
				c.warnf(nil, is.Pos, "real issue %q is taken at %d values from %s to %s (%s); packages between them are not in the settlement", is.Name, out.Grid.N, num(is.RealLow), num(is.RealHigh), out.Grid.describe(is.Name))
			}
		}
		c.im.Issues = append(c.im.Issues, out)
	}
}

// sortWarnings orders warnings by file (in the order given) and position.
func sortWarnings(ws []Warning, files []*File) {
	rank := map[string]int{}
	for i, f := range files {
		if _, ok := rank[f.Name]; !ok {
			rank[f.Name] = i
		}
	}
	sortByPos(ws, func(w Warning) Pos { return w.Pos }, rank)
}

// newGrid discretises [low, high] into n values. A single-valued range
// has one value.
func newGrid(low, high float64, n int) *Grid {
	g := &Grid{Low: low, High: high, N: n}
	if low == high {
		g.N = 1
	}
	// Find the fewest decimals d such that every grid value times 10^d is
	// a whole number: the range then holds the values themselves, scaled.
	step := 0.0
	if g.N > 1 {
		step = (high - low) / float64(g.N-1)
	}
	for d := 0; d <= 6; d++ {
		s := math.Pow(10, float64(d))
		lo, st, hi := low*s, step*s, high*s
		if !whole(lo) || !whole(st) || !whole(hi) || math.Abs(lo) > 1<<52 || math.Abs(hi) > 1<<52 {
			continue
		}
		if g.N > 1 && math.Round(st) == 0 {
			continue
		}
		if g.N > 1 && math.Abs(math.Round(lo)+float64(g.N-1)*math.Round(st)-hi) > 1e-6*math.Max(1, math.Abs(hi)) {
			continue
		}
		g.Scale, g.Scaled = s, true
		return g
	}
	return g
}

func whole(x float64) bool { return math.Abs(x-math.Round(x)) <= 1e-9*math.Max(1, math.Abs(x)) }

// rangeOf returns the settlement range of the grid.
func (g *Grid) rangeOf() (lo, hi, step int64) {
	if !g.Scaled {
		return 0, int64(g.N - 1), 1
	}
	lo = int64(math.Round(g.Low * g.Scale))
	if g.N < 2 {
		return lo, lo, 1
	}
	step = int64(math.Round((g.High - g.Low) / float64(g.N-1) * g.Scale))
	return lo, lo + int64(g.N-1)*step, step
}

// describe says what a range value of the grid stands for.
func (g *Grid) describe(name string) string {
	switch {
	case !g.Scaled && g.N < 2:
		return fmt.Sprintf("the value 0 stands for %s = %s", name, num(g.Low))
	case !g.Scaled:
		return fmt.Sprintf("the value k stands for %s = %s + k × %s", name, num(g.Low), num((g.High-g.Low)/float64(g.N-1)))
	case g.Scale == 1:
		return fmt.Sprintf("the value is %s itself", name)
	}
	return fmt.Sprintf("the value v stands for %s = v / %s", name, num(g.Scale))
}

func (c *converter) profile(i int, p *File) {
	c.im.Warnings = append(c.im.Warnings, p.Warnings...)
	id := PartyID(p.Name)
	if len(c.opts.Parties) > 0 {
		id = c.opts.Parties[i]
	}
	party := &Party{ID: unique(id, "-", c.parties), Profile: p}
	c.im.Parties = append(c.im.Parties, party)
	if p.Root != "utility_space" {
		c.errorf(p.Pos, "this file is a domain (root element <%s>), given as a utility profile; a profile's root element is <utility_space>, with a <weight> per issue and the evaluations of the items", p.Root)
		return
	}
	match, ok := c.matchIssues(p)
	if match == nil {
		return
	}
	bad := !ok
	typ := strings.ToLower(p.Type)
	if p.Nonlinear != nil || typ == "nonlinear" || typ == "constraint" {
		at := p.TypePos
		if p.Nonlinear != nil {
			at = *p.Nonlinear
		}
		c.warnf(party, at, "a nonlinear utility space (Genius sums the utilities of hyper-rectangles of packages), which an additive utility cannot express: party %s gets no position, and its reservation value and discount factor are not imported", party.ID)
		return
	}
	switch typ {
	case "", "linear", "additive":
	case "uncertain":
		c.warnf(party, p.TypePos, "a preference-uncertainty profile (type UNCERTAIN): in Genius the agent is shown only a ranking of some packages; the settlement holds the full utility the file defines")
	default:
		c.warnf(party, p.TypePos, "the unknown utility space type %q is read as an additive profile, since the file gives weights and evaluations", p.Type)
	}
	u := &Utility{Weights: make([]float64, len(c.im.Issues)), Values: make([][]Point, len(c.im.Issues))}
	bad = !c.weights(p, party, u, match) || bad
	for k, is := range c.im.Issues {
		pi := match[k]
		if pi == nil {
			continue // reported by matchIssues
		}
		var pts []Point
		var ok bool
		switch is.Kind {
		case Discrete:
			pts, ok = c.discrete(party, is, pi)
		case Integer:
			pts, ok = c.integer(party, is, pi)
		case Real:
			pts, ok = c.real(is, pi)
		}
		bad = bad || !ok
		u.Values[k] = pts
	}
	if r := p.Reservation; r != nil {
		if r.Value < 0 || r.Value > 1 {
			hint := ""
			if r.Value < 0 {
				hint = " (below 0, any agreement beats no deal: write 0 if that is meant)"
			}
			c.errorf(r.Pos, "reservation value %s is outside [0, 1]; a reservation is a utility between 0 and 1%s", num(r.Value), hint)
			bad = true
		}
		v := r.Value
		party.Reservation = &v
	}
	if bad {
		return
	}
	party.Utility = u
	if d := p.Discount; d != nil {
		switch {
		case d.Value > 0 && d.Value < 1:
			c.warnf(party, d.Pos, "the discount factor %s: Genius multiplies utilities (and the reservation value) by %s^t at time t of the negotiation (t from 0 to 1); the settlement has no time, and holds the undiscounted utilities (t = 0)", num(d.Value), num(d.Value))
		case d.Value < 0 || d.Value > 1:
			c.warnf(party, d.Pos, "the discount factor %s is outside [0, 1]: Genius discards it (no discount), as this import does", num(d.Value))
		}
	}
}

// matchIssues pairs each domain issue with the profile's issue of the same
// index, and checks that names, types and items agree.
func (c *converter) matchIssues(p *File) ([]*Issue, bool) {
	byIndex := map[int]*Issue{}
	for _, pi := range p.Issues {
		byIndex[pi.Index] = pi
	}
	domainNames := map[string]bool{}
	for _, is := range c.im.Issues {
		domainNames[is.From.Name] = true
	}
	common := 0
	for _, pi := range p.Issues {
		if domainNames[pi.Name] {
			common++
		}
	}
	if len(p.Issues) == 0 {
		c.errorf(p.Pos, "the profile lists no issues; a profile repeats the issues of its domain (%s) with their evaluations", issueList(c.domainIssues()))
		return nil, false
	}
	if common == 0 {
		c.errorf(p.Pos, "none of the profile's issues (%s) is an issue of the domain %s (%s): is it a profile of another domain?", issueList(p.Issues), c.im.Domain.Name, issueList(c.domainIssues()))
		return nil, false
	}
	n := len(c.errs)
	match := make([]*Issue, len(c.im.Issues))
	inDomain := map[int]bool{}
	for k, is := range c.im.Issues {
		d := is.From
		inDomain[d.Index] = true
		pi := byIndex[d.Index]
		switch {
		case pi == nil:
			c.errorf(p.Pos, "the profile has no issue with index %d (%q in the domain); a profile repeats every issue of its domain, with the same index and name", d.Index, d.Name)
			continue
		case pi.Name != d.Name:
			c.errorf(pi.Pos, "issue %d is %q here but %q in the domain %s; a profile repeats the domain's issues, with the same index and name", d.Index, pi.Name, d.Name, c.im.Domain.Name)
			continue
		case pi.Kind != d.Kind:
			c.errorf(pi.Pos, "issue %q is %s here but %s in the domain %s", d.Name, pi.Kind, d.Kind, c.im.Domain.Name)
			continue
		}
		match[k] = pi
		if d.Kind == Discrete {
			values := map[string]bool{}
			for _, v := range is.Options {
				values[v] = true
			}
			for _, it := range pi.Items {
				if !values[it.Value] {
					c.errorf(it.Pos, "item %q of issue %q is not a value of the issue in the domain %s (values: %s)", it.Value, d.Name, c.im.Domain.Name, list(is.Options))
				}
			}
		}
	}
	for _, pi := range p.Issues {
		if !inDomain[pi.Index] {
			c.errorf(pi.Pos, "issue %d %q is not in the domain %s (its issues: %s)", pi.Index, pi.Name, c.im.Domain.Name, issueList(c.domainIssues()))
		}
	}
	return match, len(c.errs) == n
}

func (c *converter) domainIssues() []*Issue {
	out := make([]*Issue, len(c.im.Issues))
	for i, is := range c.im.Issues {
		out[i] = is.From
	}
	return out
}

// weights reads the profile's weights into u, aligned with the issues.
func (c *converter) weights(p *File, party *Party, u *Utility, match []*Issue) bool {
	if len(p.Weights) == 0 {
		c.errorf(p.Pos, "the profile gives no weights; a profile gives each issue a <weight index=\"1\" value=\"0.25\"/> in its <objective>, the weights summing to 1")
		return false
	}
	n := len(c.errs)
	byIndex := map[int]int{}
	for k, is := range c.im.Issues {
		byIndex[is.From.Index] = k
	}
	objectives := map[int]bool{}
	for _, o := range p.Objectives {
		objectives[o.Index] = true
	}
	seen := map[int]Pos{}
	has := make([]bool, len(c.im.Issues))
	for _, w := range p.Weights {
		if first, dup := seen[w.Index]; dup {
			c.errorf(w.Pos, "a second weight for index %d (the first is at %s); give each issue one weight", w.Index, first)
			continue
		}
		seen[w.Index] = w.Pos
		k, ok := byIndex[w.Index]
		if !ok {
			if objectives[w.Index] {
				c.warnf(party, w.Pos, "the weight %s of objective %d is ignored, as Genius ignores objective weights when it computes utilities", num(w.Value), w.Index)
				continue
			}
			c.errorf(w.Pos, "a weight for index %d, which is no issue of the domain (issues: %s)", w.Index, issueList(c.domainIssues()))
			continue
		}
		if w.Value < 0 {
			c.errorf(w.Pos, "the weight %s of issue %q is negative; a weight is 0 or more", num(w.Value), c.im.Issues[k].From.Name)
			continue
		}
		u.Weights[k], has[k] = w.Value, true
	}
	for k, is := range c.im.Issues {
		if !has[k] && seen[is.From.Index] == (Pos{}) {
			at := p.Pos
			if match[k] != nil {
				at = match[k].Pos
			}
			c.errorf(at, "no weight for issue %q (index %d); Genius cannot compute a utility without it: add <weight index=\"%d\" value=\"...\"/>", is.From.Name, is.From.Index, is.From.Index)
		}
	}
	if len(c.errs) > n {
		return false
	}
	sum := 0.0
	for _, w := range u.Weights {
		sum += w
	}
	at := p.Weights[0].Pos
	switch {
	case sum <= 0:
		c.errorf(at, "the weights are all 0; at least one must be positive")
		return false
	case math.Abs(sum-1) <= weightTolerance:
	case c.opts.NormaliseWeights:
		c.im.rescaled = true
		capped := ""
		if sum > 1 {
			capped = ", and Genius caps utilities above 1 where the settlement does not"
		}
		c.warnf(party, at, "the weights sum to %s, not 1: Genius adds weighted evaluations as they are, the settlement divides the weights by their sum, so its utilities are Genius's divided by %s%s", short(sum), short(sum), capped)
	default:
		c.errorf(at, "the weights sum to %s, not 1; Genius adds weighted evaluations without normalising, so utilities would change: fix the weights, or import with --normalise-weights to divide them by their sum", short(sum))
		return false
	}
	return true
}

// discrete returns the values of a discrete issue: each item's evaluation
// divided by the issue's largest evaluation, as Genius's EvaluatorDiscrete
// does (every value 0 when the largest is below 0.00001).
func (c *converter) discrete(party *Party, is *ImportedIssue, pi *Issue) ([]Point, bool) {
	evals := map[string]*Item{}
	ok := true
	for _, it := range pi.Items {
		if first := evals[it.Value]; first != nil {
			c.errorf(it.Pos, "item %q of issue %q is listed twice (first at %s)", it.Value, is.From.Name, first.Pos)
			ok = false
			continue
		}
		evals[it.Value] = it
	}
	max := 0.0
	for _, v := range is.Options {
		it := evals[v]
		switch {
		case it == nil || it.Evaluation == nil:
			at := pi.Pos
			if it != nil {
				at = it.Pos
			}
			c.errorf(at, "item %q of issue %q has no evaluation; give evaluation=\"...\" (a number of 0 or more)", v, is.From.Name)
			ok = false
		case it.Evaluation.Value < 0:
			c.errorf(it.Evaluation.Pos, "the evaluation %s of item %q of issue %q is negative; Genius evaluations are 0 or more (it divides them by the issue's largest)", num(it.Evaluation.Value), v, is.From.Name)
			ok = false
		case it.Evaluation.Value > max:
			max = it.Evaluation.Value
		}
	}
	if !ok {
		return nil, false
	}
	pts := make([]Point, len(is.Options))
	for i, v := range is.Options {
		y := 0.0
		if max >= 0.00001 {
			y = evals[v].Evaluation.Value / max
		}
		pts[i] = Point{v, y}
	}
	if max < 0.00001 {
		c.warnf(party, pi.Pos, "every evaluation of issue %q is below 0.00001, so Genius values every item 0, as the settlement does", is.From.Name)
	}
	return pts, true
}

// integer returns the points of an integer issue: Genius's
// clamp(offset + slope·(v − lowerbound), 0, 1), exact at every whole
// number between the points by linear interpolation.
func (c *converter) integer(party *Party, is *ImportedIssue, pi *Issue) ([]Point, bool) {
	d := is.From
	lb := d.Low
	if pi.Bounded {
		lb = pi.Low
		if pi.Low != d.Low || pi.High != d.High {
			c.warnf(party, pi.BoundsPos, "issue %q runs from %d to %d here but from %d to %d in the domain; Genius evaluates it from the profile's lowerbound %d, as the settlement does", d.Name, pi.Low, pi.High, d.Low, d.High, lb)
		}
	}
	ev := pi.Evaluator
	if ev == nil {
		c.warnf(party, pi.Pos, "integer issue %q has no <evaluator>: Genius values every value 0, as the settlement does", d.Name)
		return nil, true
	}
	slope, ok1 := ev.Params["slope"]
	offset, ok2 := ev.Params["offset"]
	if !ok1 || !ok2 {
		c.errorf(ev.Pos, "the evaluator of integer issue %q has no slope or offset; Genius reads <evaluator ftype=\"linear\" slope=\"0.1\" offset=\"0\"/>", d.Name)
		return nil, false
	}
	if ev.FType != "" && !strings.EqualFold(ev.FType, "linear") {
		c.warnf(party, ev.Pos, "the evaluator of integer issue %q has ftype %q; Genius reads every integer evaluator as linear (slope and offset), as the settlement does", d.Name, ev.FType)
	}
	f := func(v int64) float64 { return clamp01(slope.Value*float64(v-lb) + offset.Value) }
	xs := []int64{d.Low, d.High}
	if slope.Value != 0 {
		for _, target := range []float64{0, 1} {
			x := float64(lb) + (target-offset.Value)/slope.Value
			if x > float64(d.Low) && x < float64(d.High) {
				xs = append(xs, int64(math.Floor(x)), int64(math.Ceil(x)))
			}
		}
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	var pts []Point
	for i, x := range xs {
		if i > 0 && x == xs[i-1] {
			continue
		}
		pts = append(pts, Point{strconv.FormatInt(x, 10), f(x)})
	}
	return pts, true
}

// real returns the points of a real issue at its grid values, from
// Genius's EvaluatorReal (linear, constant or triangular), keeping only
// the points that linear interpolation does not already give.
func (c *converter) real(is *ImportedIssue, pi *Issue) ([]Point, bool) {
	d := is.From
	ev := pi.Evaluator
	if ev == nil {
		c.errorf(pi.Pos, "real issue %q has no <evaluator>; give <evaluator ftype=\"linear\" parameter0=\"offset\" parameter1=\"slope\"/> (or constant, triangular)", d.Name)
		return nil, false
	}
	need := func(names ...string) ([]float64, bool) {
		out := make([]float64, len(names))
		for i, n := range names {
			v, ok := ev.Params[n]
			if !ok {
				c.errorf(ev.Pos, "the %s evaluator of real issue %q has no %s; it needs %s", ev.FType, d.Name, n, strings.Join(names, ", "))
				return nil, false
			}
			out[i] = v.Value
		}
		return out, true
	}
	var f func(x float64) float64
	switch strings.ToLower(ev.FType) {
	case "linear":
		ps, ok := need("parameter0", "parameter1")
		if !ok {
			return nil, false
		}
		f = func(x float64) float64 { return clamp01(ps[1]*x + ps[0]) }
	case "constant":
		ps, ok := need("parameter0")
		if !ok {
			return nil, false
		}
		f = func(float64) float64 { return ps[0] }
	case "triangular":
		ps, ok := need("parameter0", "parameter1", "parameter2")
		if !ok {
			return nil, false
		}
		f = func(x float64) float64 { return triangular(x, ps[0], ps[1], ps[2]) }
	case "":
		c.errorf(ev.Pos, "the evaluator of real issue %q has no ftype; give ftype=\"linear\", \"constant\" or \"triangular\"", d.Name)
		return nil, false
	default:
		c.errorf(ev.Pos, "the evaluator of real issue %q has ftype %q; Genius computes utilities with linear, constant and triangular evaluators only", d.Name, ev.FType)
		return nil, false
	}
	g := is.Grid
	xs := make([]int64, g.N)
	ys := make([]float64, g.N)
	for k := 0; k < g.N; k++ {
		x := g.At(k)
		y := f(x)
		if math.IsNaN(y) || y < 0 || y > 1 {
			c.errorf(ev.Pos, "the %s evaluator of real issue %q gives %s at %s = %s; an evaluation lies between 0 and 1", ev.FType, d.Name, num(y), d.Name, num(x))
			return nil, false
		}
		xs[k], ys[k] = is.Min+int64(k)*is.Step, y
	}
	keep := collinear(xs, ys)
	pts := make([]Point, 0, len(keep))
	for _, k := range keep {
		pts = append(pts, Point{strconv.FormatInt(xs[k], 10), ys[k]})
	}
	return pts, true
}

// collinear returns the indices of the points to keep so that linear
// interpolation between kept points gives every point within 1e-12.
func collinear(xs []int64, ys []float64) []int {
	if len(xs) <= 2 {
		out := make([]int, len(xs))
		for i := range out {
			out[i] = i
		}
		return out
	}
	keep := []int{0}
	last := 0
	for i := 1; i < len(xs)-1; i++ {
		// Can the segment from last to i+1 stand for every point between?
		ok := true
		for j := last + 1; j <= i; j++ {
			t := float64(xs[j]-xs[last]) / float64(xs[i+1]-xs[last])
			if math.Abs(ys[last]+(ys[i+1]-ys[last])*t-ys[j]) > 1e-12 {
				ok = false
				break
			}
		}
		if !ok {
			keep = append(keep, i)
			last = i
		}
	}
	return append(keep, len(xs)-1)
}

// triangular is Genius's EVALFUNCTYPE.evalTriangular.
func triangular(x, lower, upper, top float64) float64 {
	switch {
	case x < lower:
		return 0
	case x < top:
		return (x - lower) / (top - lower)
	case x < upper:
		return 1 - (x-top)/(upper-top)
	}
	return 0
}

func clamp01(x float64) float64 {
	switch {
	case x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}

// short formats a computed number (a sum) to 12 significant digits.
func short(x float64) string { return strconv.FormatFloat(x, 'g', 12, 64) }

// num formats a number as briefly as it round-trips.
func num(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	if a := math.Abs(x); a >= 1e-6 && a < 1e15 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func list(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

func issueList(issues []*Issue) string {
	s := make([]string, len(issues))
	for i, is := range issues {
		s[i] = fmt.Sprintf("%d %q", is.Index, is.Name)
	}
	return strings.Join(s, ", ")
}
