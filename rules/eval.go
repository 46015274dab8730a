package rules

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// Package is one combination of values of a settlement's issues, by issue
// id: an Enum issue's value is a string (one of its options); a Range
// issue's value is an int64 (any Go integer type is accepted) within
// [Min, Max] on the step; a Subset issue's value is a []string (or []any of
// strings) of distinct items.
type Package map[string]any

// Event is one monitoring event, as violation rules see it through the
// `event` variable of NewEventEnv. The cel tags give the CEL field names.
type Event struct {
	ID             string    `cel:"id"`              // event id in its source
	Source         string    `cel:"source"`          // "ucdp", "acled" or "jsonl"
	Date           time.Time `cel:"date"`            // CEL timestamp
	Side           string    `cel:"side"`            // party the event is attributed to
	OtherSide      string    `cel:"other_side"`      // the opposing party, if any
	Actor1         string    `cel:"actor1"`          // first actor as named in the data
	Actor2         string    `cel:"actor2"`          // second actor as named in the data
	Type           string    `cel:"type"`            // event type, e.g. "state-based"
	Subtype        string    `cel:"subtype"`         // event subtype
	Fatalities     int64     `cel:"fatalities"`      // best estimate of deaths
	Lat            float64   `cel:"lat"`             // latitude, degrees
	Lon            float64   `cel:"lon"`             // longitude, degrees
	Admin1         string    `cel:"admin1"`          // first-level administrative region
	Location       string    `cel:"location"`        // place name
	Zone           string    `cel:"zone"`            // id of the monitoring zone containing the event
	DistanceKm     float64   `cel:"distance_km"`     // distance from the line of contact, km
	PrecisionPlace int64     `cel:"precision_place"` // source's geographic precision code
	PrecisionDate  int64     `cel:"precision_date"`  // source's date precision code
	Notes          string    `cel:"notes"`           // free text: ACLED notes, UCDP source_headline
}

// ErrWrongEnv is returned (wrapped) by Eval on a rule compiled in an event
// environment and by EvalEvent on a rule compiled over issues.
var ErrWrongEnv = errors.New("rule evaluated in the wrong kind of environment")

// Eval evaluates the rule on a package. It validates the values of the
// issues the rule reads (other entries are ignored) and returns an error,
// never a panic, when one is missing or not in its issue's domain, or when
// evaluation fails (say, division by zero).
func (r *Rule) Eval(p Package) (ok bool, err error) {
	if r.env.event {
		return false, fmt.Errorf("rules: Eval: %w: the rule is over event; use EvalEvent", ErrWrongEnv)
	}
	act := &pkgActivation{names: r.reads, vals: make([]ref.Val, len(r.decls))}
	for i, d := range r.decls {
		v, present := p[d.ID]
		if !present {
			return false, fmt.Errorf("rules: package has no value for issue %s", d.ID)
		}
		if act.vals[i], err = d.value(v); err != nil {
			return false, err
		}
	}
	return r.eval(act)
}

// EvalEvent evaluates a rule compiled in an event environment on one event.
// It is safe for concurrent use and does not copy the event.
func (r *Rule) EvalEvent(ev *Event) (bool, error) {
	if !r.env.event {
		return false, fmt.Errorf("rules: EvalEvent: %w: the rule is over issues; use Eval", ErrWrongEnv)
	}
	if ev == nil {
		return false, errors.New("rules: EvalEvent: nil event")
	}
	return r.eval((*eventActivation)(ev))
}

// eval runs the program and insists on a bool result.
func (r *Rule) eval(act interpreter.Activation) (ok bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			ok, err = false, fmt.Errorf("rules: evaluating %q: internal error: %v", r.expr, v)
		}
	}()
	out, _, err := r.prg.Eval(act)
	if err != nil {
		return false, fmt.Errorf("rules: evaluating %q: %w", r.expr, err)
	}
	b, isBool := out.(types.Bool)
	if !isBool {
		return false, fmt.Errorf("rules: evaluating %q: result %v is not a bool", r.expr, out)
	}
	return bool(b), nil
}

// pkgActivation resolves issue ids to the validated values of a package.
type pkgActivation struct {
	names []string // Rule.reads, shared
	vals  []ref.Val
}

// ResolveName implements interpreter.Activation.
func (a *pkgActivation) ResolveName(name string) (any, bool) {
	for i, n := range a.names {
		if n == name {
			return a.vals[i], true
		}
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *pkgActivation) Parent() interpreter.Activation { return nil }

// eventActivation binds `event` to an Event. Being a pointer type, it
// converts to interpreter.Activation without allocating.
type eventActivation Event

// ResolveName implements interpreter.Activation.
func (a *eventActivation) ResolveName(name string) (any, bool) {
	if name == "event" {
		return (*Event)(a), true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *eventActivation) Parent() interpreter.Activation { return nil }

// CheckPackage reports every entry of p that is not a valid value of a
// declared issue, every declared issue p lacks, and every key of p that is
// not a declared issue, joined into one error; nil if p is a complete,
// valid package.
func (e *Env) CheckPackage(p Package) error {
	var errs []error
	for _, d := range e.issues {
		v, ok := p[d.ID]
		if !ok {
			errs = append(errs, fmt.Errorf("rules: package has no value for issue %s", d.ID))
			continue
		}
		if _, err := d.value(v); err != nil {
			errs = append(errs, err)
		}
	}
	var extra []string
	for k := range p {
		if e.byID[k] == nil {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		errs = append(errs, fmt.Errorf("rules: package sets %q, which is not a declared issue", k))
	}
	return errors.Join(errs...)
}

// value validates v as a value of the issue and converts it for CEL.
func (d *issueDecl) value(v any) (ref.Val, error) {
	switch d.Kind {
	case Enum:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("rules: issue %s: value %v is a %T, not a string", d.ID, v, v)
		}
		if !d.set[s] {
			return nil, fmt.Errorf("rules: issue %s: %q is not an option; options: %s", d.ID, s, d.domain())
		}
		return types.String(s), nil
	case Range:
		n, ok := toInt64(v)
		if !ok {
			return nil, fmt.Errorf("rules: issue %s: value %v is a %T, not an integer", d.ID, v, v)
		}
		if n < d.Min || n > d.Max || !onStep(d, n) {
			return nil, fmt.Errorf("rules: issue %s: %d is not a value of %d..%d step %d", d.ID, n, d.Min, d.Max, d.Step)
		}
		return types.Int(n), nil
	case Subset:
		var items []string
		switch l := v.(type) {
		case []string:
			items = l
		case []any:
			items = make([]string, len(l))
			for i, x := range l {
				s, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("rules: issue %s: element %v is a %T, not a string", d.ID, x, x)
				}
				items[i] = s
			}
		default:
			return nil, fmt.Errorf("rules: issue %s: value %v is a %T, not a []string", d.ID, v, v)
		}
		for i, s := range items {
			if !d.set[s] {
				return nil, fmt.Errorf("rules: issue %s: %q is not an item; items: %s", d.ID, s, d.domain())
			}
			for _, t := range items[:i] {
				if s == t {
					return nil, fmt.Errorf("rules: issue %s: item %q appears twice", d.ID, s)
				}
			}
		}
		return types.NewStringList(types.DefaultTypeAdapter, items), nil
	}
	return nil, fmt.Errorf("rules: issue %s: unknown kind %v", d.ID, d.Kind)
}

// toInt64 converts any Go integer that fits into an int64.
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int16:
		return int64(n), true
	case int8:
		return int64(n), true
	case uint, uint64, uint32, uint16, uint8, uintptr:
		u := reflect.ValueOf(n).Uint()
		if u > math.MaxInt64 {
			return 0, false
		}
		return int64(u), true
	}
	return 0, false
}
