package monitor

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
	"github.com/paulmach/orb"
)

// Options tune classification. The zero value is valid; see
// DefaultOptions.
type Options struct {
	// WithdrawalGrace is how long after the ceasefire starts withdrawal
	// terms begin to apply (the settlement file states no deadline for
	// the withdrawal itself; Minsk II allowed 14 days). Default 0.
	WithdrawalGrace time.Duration
}

// DefaultOptions returns the default options.
func DefaultOptions() Options { return Options{} }

// Classification is what Classify finds about one event.
type Classification struct {
	// Rules lists the ids of the violation rules, then of the withdrawal
	// terms, that the event breaks, in settlement order.
	Rules []string
	// Unattributed is true when the event counts for no side: its first
	// actor (UCDP side_a, ACLED actor1) maps to no party through
	// monitoring.sides (then Event.Side is ""). Its second actor may
	// still map (Event.OtherSide).
	Unattributed bool
}

// Violation reports whether the event breaks at least one rule.
func (c Classification) Violation() bool { return len(c.Rules) > 0 }

// Classifier classifies events against a settlement's monitoring terms.
// It is immutable once built and safe for concurrent use.
type Classifier struct {
	actors      map[string]string // actor name → party id
	sides       []string          // party ids, settlement order
	zones       []*zone           // file order
	zoneIDs     []string
	line        *lineIndex // nil when the settlement has none
	vertices    int
	violations  []violationRule
	withdrawals []withdrawalTerm
	ruleIDs     []string
	maxWithdraw float64 // largest withdrawal distance, km
	fingerprint string
}

type violationRule struct {
	id   string
	rule *rules.Rule
}

type withdrawalTerm struct {
	id      string
	minKm   float64
	from    time.Time // zero: always
	systems weaponSet
	covers  []string // system names, for the fingerprint and Withdrawals
}

// FingerprintVersion is part of every fingerprint: it changes whenever
// classification itself changes (a reader's derivation, the weapons
// lexicon, the distance model), so stored classifications made by an
// older version show as stale.
const FingerprintVersion = "entente-monitor-classify/1"

// NewClassifier builds a classifier from the settlement's monitoring
// terms: the actor names of each side, the zones and the line of contact
// (the settlement's loaded GeoJSON features), the violation rules
// (compiled in the rules package's event environment) and the withdrawal
// terms. It fails when the settlement has no monitoring section, when
// its zone or line files were not loaded or hold the wrong geometry,
// when an actor is listed under two parties, when a rule does not
// compile, or when a violation rule and a withdrawal term share an id.
func NewClassifier(s *settlement.Settlement, opts Options) (*Classifier, error) {
	if s == nil || s.Monitoring == nil {
		name := ""
		if s != nil {
			name = s.File
		}
		return nil, fmt.Errorf("monitor: settlement %s has no monitoring section", name)
	}
	if opts.WithdrawalGrace < 0 {
		return nil, fmt.Errorf("monitor: negative withdrawal grace %v", opts.WithdrawalGrace)
	}
	m := s.Monitoring
	c := &Classifier{actors: map[string]string{}}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	// Sides.
	order := m.SideOrder
	if len(order) == 0 {
		for p := range m.Sides {
			order = append(order, p)
		}
		sort.Strings(order)
	}
	for _, party := range order {
		c.sides = append(c.sides, party)
		for _, a := range m.Sides[party] {
			a = strings.TrimSpace(a)
			if a == "" {
				fail("monitoring sides: an empty actor name under %s", party)
				continue
			}
			if other, dup := c.actors[a]; dup && other != party {
				fail("monitoring sides: actor %q is listed under both %s and %s; an actor belongs to one side", a, other, party)
				continue
			}
			c.actors[a] = party
		}
	}

	// Zones.
	if m.Zones != "" {
		if m.ZoneFeatures == nil {
			fail("monitoring zones: %s was not loaded", m.Zones)
		} else {
			seen := map[string]bool{}
			for i, f := range m.ZoneFeatures.Features {
				id, _ := f.Properties["id"].(string)
				switch f.Geometry.(type) {
				case orb.Polygon, orb.MultiPolygon:
				default:
					fail("monitoring zones: feature %d of %s is a %s; zones are Polygon or MultiPolygon features", i, m.Zones, geomName(f.Geometry))
					continue
				}
				if id == "" || seen[id] {
					fail("monitoring zones: feature %d of %s has no unique properties.id", i, m.Zones)
					continue
				}
				seen[id] = true
				c.zones = append(c.zones, newZone(id, f.Geometry))
				c.zoneIDs = append(c.zoneIDs, id)
			}
			if len(c.zones) == 0 && len(errs) == 0 {
				fail("monitoring zones: %s holds no polygons", m.Zones)
			}
		}
	}

	// Line of contact.
	if m.Line != "" {
		if m.LineFeatures == nil {
			fail("monitoring line: %s was not loaded", m.Line)
		} else {
			var lines []orb.LineString
			for i, f := range m.LineFeatures.Features {
				switch g := f.Geometry.(type) {
				case orb.LineString:
					lines = append(lines, g)
				case orb.MultiLineString:
					lines = append(lines, g...)
				default:
					fail("monitoring line: feature %d of %s is a %s; the line of contact is LineString or MultiLineString features", i, m.Line, geomName(f.Geometry))
				}
			}
			for _, l := range lines {
				c.vertices += len(l)
			}
			ix, err := newLineIndex(lines)
			switch {
			case errors.Is(err, errNoLine):
				fail("monitoring line: %s holds no line", m.Line)
			case err != nil:
				fail("monitoring line: %s: %v", m.Line, err)
			}
			c.line = ix
		}
	}

	// Violation rules.
	env, err := rules.NewEventEnv()
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	ids := map[string]string{}
	for _, v := range m.Violations {
		r := v.Rule.Compiled
		if r == nil || !r.Env().IsEvent() {
			var probs []rules.Problem
			r, probs = env.Compile(v.Rule.Expr)
			if r == nil {
				msgs := make([]string, len(probs))
				for i, p := range probs {
					msgs[i] = p.String()
				}
				fail("violation rule %s: %s", v.ID, strings.Join(msgs, "; "))
				continue
			}
		}
		if ids[v.ID] != "" {
			fail("violation rule %s is defined twice", v.ID)
			continue
		}
		ids[v.ID] = "violation rule"
		c.violations = append(c.violations, violationRule{id: v.ID, rule: r})
		c.ruleIDs = append(c.ruleIDs, v.ID)
	}

	// Withdrawal terms.
	var from time.Time
	if m.Ceasefire != nil && !m.Ceasefire.From.IsZero() {
		from = m.Ceasefire.From.Add(opts.WithdrawalGrace)
	}
	for _, w := range m.Withdrawals {
		if kind := ids[w.ID]; kind != "" {
			fail("withdrawal %s has the id of a %s; ids must differ, since reports count both by id", w.ID, kind)
			continue
		}
		if !(w.MinKm > 0) {
			fail("withdrawal %s: min_km %g; want a distance in km above 0", w.ID, w.MinKm)
			continue
		}
		ids[w.ID] = "withdrawal"
		t := withdrawalTerm{id: w.ID, minKm: w.MinKm, from: from, systems: coverage(w.Weapons)}
		t.covers = t.systems.systems()
		c.withdrawals = append(c.withdrawals, t)
		c.ruleIDs = append(c.ruleIDs, w.ID)
		if w.MinKm > c.maxWithdraw {
			c.maxWithdraw = w.MinKm
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("monitor: settlement %s: %w", s.File, errors.Join(errs...))
	}
	c.fingerprint = c.computeFingerprint(m, opts)
	return c, nil
}

func geomName(g orb.Geometry) string {
	if g == nil {
		return "feature without geometry"
	}
	return g.GeoJSONType()
}

// computeFingerprint hashes everything classification depends on.
func (c *Classifier) computeFingerprint(m *settlement.Monitoring, opts Options) string {
	type zoneFP struct {
		ID   string          `json:"id"`
		Geom json.RawMessage `json:"geometry"`
	}
	type ruleFP struct{ ID, Expr string }
	type withdrawalFP struct {
		ID     string
		MinKm  float64
		From   string
		Covers []string
	}
	fp := struct {
		Version     string
		Sides       map[string][]string
		Zones       []zoneFP
		Line        json.RawMessage
		Rules       []ruleFP
		Withdrawals []withdrawalFP
		Options     Options
	}{Version: FingerprintVersion, Sides: map[string][]string{}, Options: opts}
	for a, p := range c.actors {
		fp.Sides[p] = append(fp.Sides[p], a)
	}
	for _, v := range fp.Sides {
		sort.Strings(v)
	}
	if m.ZoneFeatures != nil {
		for _, f := range m.ZoneFeatures.Features {
			id, _ := f.Properties["id"].(string)
			g, _ := json.Marshal(geometryJSON(f.Geometry))
			fp.Zones = append(fp.Zones, zoneFP{ID: id, Geom: g})
		}
	}
	if m.LineFeatures != nil {
		var gs []any
		for _, f := range m.LineFeatures.Features {
			gs = append(gs, geometryJSON(f.Geometry))
		}
		fp.Line, _ = json.Marshal(gs)
	}
	for _, v := range c.violations {
		fp.Rules = append(fp.Rules, ruleFP{v.id, v.rule.Expr()})
	}
	for _, w := range c.withdrawals {
		from := ""
		if !w.from.IsZero() {
			from = w.from.UTC().Format(time.RFC3339Nano)
		}
		fp.Withdrawals = append(fp.Withdrawals, withdrawalFP{w.id, w.minKm, from, w.covers})
	}
	b, _ := json.Marshal(fp)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// geometryJSON returns a geometry's coordinates as plain arrays for
// hashing.
func geometryJSON(g orb.Geometry) any {
	if g == nil {
		return nil
	}
	return map[string]any{"type": g.GeoJSONType(), "coordinates": g}
}

// Fingerprint returns a hex SHA-256 of everything classification depends
// on: FingerprintVersion, the sides' actor names, the zones' ids and
// geometry, the line's geometry, the violation rules' ids and
// expressions in order, the withdrawal terms (id, distance, start, the
// weapons they cover) and the options. Two classifiers with the same
// fingerprint classify every event alike; a store compares it with the
// one it saved to know when stored classifications are stale.
func (c *Classifier) Fingerprint() string { return c.fingerprint }

// RuleIDs returns the ids of the violation rules, then of the withdrawal
// terms, in settlement order: the keys of a report's by_rule.
func (c *Classifier) RuleIDs() []string { return append([]string(nil), c.ruleIDs...) }

// Sides returns the party ids of monitoring.sides, in settlement order.
func (c *Classifier) Sides() []string { return append([]string(nil), c.sides...) }

// Zones returns the zone ids, in the order of the zones file.
func (c *Classifier) Zones() []string { return append([]string(nil), c.zoneIDs...) }

// LineVertices returns the number of vertices of the line of contact (0
// when the settlement has none).
func (c *Classifier) LineVertices() int { return c.vertices }

// Side returns the party an actor name maps to through monitoring.sides,
// or "".
func (c *Classifier) Side(actor string) string { return c.actors[strings.TrimSpace(actor)] }

// Withdrawals returns, for each withdrawal term in settlement order, the
// weapon systems of the lexicon it covers (empty when its weapons text
// names nothing the lexicon knows: such a term is never broken).
func (c *Classifier) Withdrawals() map[string][]string {
	out := map[string][]string{}
	for _, w := range c.withdrawals {
		out[w.id] = append([]string{}, w.covers...)
	}
	return out
}

// ReportOptions returns report options that list this classifier's
// rules, sides and zones, so that a report shows each with its count,
// zero included.
func (c *Classifier) ReportOptions() ReportOptions {
	return ReportOptions{Rules: c.RuleIDs(), Sides: c.Sides(), Zones: c.Zones()}
}

// DistanceKm returns the geodesic distance in km from (lat, lon) to the
// line of contact, or −1 when the settlement has none.
func (c *Classifier) DistanceKm(lat, lon float64) float64 {
	if c.line == nil {
		return -1
	}
	return c.line.DistanceKm(orb.Point{lon, lat})
}

// Zone returns the id of the first zone, in file order, that contains
// (lat, lon), or "".
func (c *Classifier) Zone(lat, lon float64) string {
	p := orb.Point{lon, lat}
	for _, z := range c.zones {
		if z.contains(p) {
			return z.id
		}
	}
	return ""
}

// placedForWithdrawal reports whether an event is placed precisely
// enough to be measured against a withdrawal distance: better than a
// first-order region. UCDP where_prec 4 and above (region, linear
// feature, country, waters) and ACLED geo_precision 3 (only the region
// is known) are not; JSON lines follow UCDP's scale. 0 (the data gives
// no code) is judged.
func placedForWithdrawal(ev *rules.Event) bool {
	if ev.Source == "acled" {
		return ev.PrecisionPlace != 3
	}
	return ev.PrecisionPlace < 4
}

// Classify fills ev.Side and ev.OtherSide (the parties of ev.Actor1 and
// ev.Actor2 through monitoring.sides, "" when unmapped), ev.Zone (the
// first zone in file order that contains the event, or "") and
// ev.DistanceKm (to the line of contact, −1 when the settlement has
// none), then evaluates every violation rule and withdrawal term. It
// fails on coordinates that are not finite or out of range, and when a
// rule fails to evaluate. Classify only writes to ev, so it may run on
// many goroutines at once.
func (c *Classifier) Classify(ev *rules.Event) (Classification, error) {
	if ev == nil {
		return Classification{}, errors.New("monitor: classify: nil event")
	}
	if math.IsNaN(ev.Lat) || math.IsNaN(ev.Lon) || ev.Lat < -90 || ev.Lat > 90 || ev.Lon < -180 || ev.Lon > 180 {
		return Classification{}, fmt.Errorf("monitor: classify event %s:%s: coordinates (%g, %g) out of range", ev.Source, ev.ID, ev.Lat, ev.Lon)
	}
	ev.Side = c.actors[ev.Actor1]
	ev.OtherSide = c.actors[ev.Actor2]
	ev.Zone = c.Zone(ev.Lat, ev.Lon)
	ev.DistanceKm = c.DistanceKm(ev.Lat, ev.Lon)
	var cl Classification
	cl.Unattributed = ev.Side == ""
	for _, v := range c.violations {
		ok, err := v.rule.EvalEvent(ev)
		if err != nil {
			return Classification{}, fmt.Errorf("monitor: classify event %s:%s: violation rule %s: %w", ev.Source, ev.ID, v.id, err)
		}
		if ok {
			cl.Rules = append(cl.Rules, v.id)
		}
	}
	if len(c.withdrawals) > 0 && ev.DistanceKm >= 0 && ev.DistanceKm < c.maxWithdraw && ev.Notes != "" && placedForWithdrawal(ev) {
		var implied weaponSet
		scanned := false
		for _, w := range c.withdrawals {
			if ev.DistanceKm >= w.minKm || (!w.from.IsZero() && ev.Date.Before(w.from)) || w.systems == 0 {
				continue
			}
			if !scanned {
				implied, scanned = mentions(ev.Notes), true
			}
			if implied&w.systems != 0 {
				cl.Rules = append(cl.Rules, w.id)
			}
		}
	}
	return cl, nil
}
