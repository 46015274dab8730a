package genius_test

// An independent reading of Genius files, written from Genius's Java
// sources (AdditiveUtilitySpace, EvaluatorDiscrete, EvaluatorInteger,
// EvaluatorReal, EVALFUNCTYPE, BidIterator of Genius 10.4) with
// encoding/xml's struct decoding. It shares no code with package genius:
// the tests compare the settlement's utilities with the utilities computed
// here on every package of small domains.

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"
)

type refItem struct {
	Value      string `xml:"value,attr"`
	Evaluation string `xml:"evaluation,attr"`
}

type refRange struct {
	Low  string `xml:"lowerbound,attr"`
	High string `xml:"upperbound,attr"`
}

type refEvaluator struct {
	FType  string `xml:"ftype,attr"`
	Slope  string `xml:"slope,attr"`
	Offset string `xml:"offset,attr"`
	P0     string `xml:"parameter0,attr"`
	P1     string `xml:"parameter1,attr"`
	P2     string `xml:"parameter2,attr"`
}

type refIssue struct {
	Index     int           `xml:"index,attr"`
	Name      string        `xml:"name,attr"`
	Type      string        `xml:"type,attr"`
	VType     string        `xml:"vtype,attr"`
	Low       string        `xml:"lowerbound,attr"`
	High      string        `xml:"upperbound,attr"`
	Range     *refRange     `xml:"range"`
	Items     []refItem     `xml:"item"`
	Evaluator *refEvaluator `xml:"evaluator"`
}

type refWeight struct {
	Index int     `xml:"index,attr"`
	Value float64 `xml:"value,attr"`
}

type refObjective struct {
	Issues     []refIssue     `xml:"issue"`
	Weights    []refWeight    `xml:"weight"`
	Objectives []refObjective `xml:"objective"`
}

type refValue struct {
	Value float64 `xml:"value,attr"`
}

type refSpace struct {
	Objective   refObjective `xml:"objective"`
	Reservation *refValue    `xml:"reservation"`
}

// refIssues returns the issues of an objective tree, depth first as
// Genius's preorder enumeration, and its weights by issue index.
func (o refObjective) collect(issues *[]refIssue, weights map[int]float64) {
	for _, w := range o.Weights {
		weights[w.Index] = w.Value
	}
	*issues = append(*issues, o.Issues...)
	for _, c := range o.Objectives {
		c.collect(issues, weights)
	}
}

// refDomain is a domain: its issues.
type refDomain struct {
	Issues []refIssue
}

func readRefDomain(t *testing.T, src []byte) refDomain {
	t.Helper()
	var doc struct {
		Space refSpace `xml:"utility_space"`
	}
	if err := xml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("reference reader: %v", err)
	}
	var d refDomain
	doc.Space.Objective.collect(&d.Issues, map[int]float64{})
	return d
}

// refProfile is a profile: evaluators and weights by issue index.
type refProfile struct {
	Issues      map[int]refIssue
	Weights     map[int]float64
	Reservation *float64
}

func readRefProfile(t *testing.T, src []byte) refProfile {
	t.Helper()
	var doc refSpace
	if err := xml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("reference reader: %v", err)
	}
	var issues []refIssue
	p := refProfile{Issues: map[int]refIssue{}, Weights: map[int]float64{}}
	doc.Objective.collect(&issues, p.Weights)
	for _, is := range issues {
		p.Issues[is.Index] = is
	}
	if doc.Reservation != nil {
		v := doc.Reservation.Value
		p.Reservation = &v
	}
	return p
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatalf("reference reader: %q: %v", s, err)
	}
	return v
}

func kindOf(is refIssue) string {
	switch {
	case is.Type != "":
		return strings.ToLower(is.Type)
	case is.VType != "":
		return strings.ToLower(is.VType)
	}
	return "discrete"
}

// bounds returns an integer or real issue's bounds, from its attributes or
// its <range>.
func bounds(t *testing.T, is refIssue) (lo, hi float64) {
	if is.Low != "" {
		return atof(t, is.Low), atof(t, is.High)
	}
	return atof(t, is.Range.Low), atof(t, is.Range.High)
}

// refValues returns the values of a domain issue as Genius's BidIterator
// enumerates them: the items, the whole numbers, or n real values.
func refValues(t *testing.T, is refIssue, realValues int) []any {
	var out []any
	switch kindOf(is) {
	case "discrete":
		for _, it := range is.Items {
			out = append(out, it.Value)
		}
	case "integer":
		lo, hi := bounds(t, is)
		for v := int64(lo); v <= int64(hi); v++ {
			out = append(out, v)
		}
	case "real":
		lo, hi := bounds(t, is)
		if lo == hi {
			return []any{lo}
		}
		step := (hi - lo) / float64(realValues-1) // BidIterator: lOneStep
		for k := 0; k < realValues; k++ {
			out = append(out, lo+step*float64(k))
		}
	}
	return out
}

// evaluation is Evaluator.getEvaluation for the profile's issue.
func (p refProfile) evaluation(t *testing.T, index int, v any) float64 {
	is := p.Issues[index]
	clamp := func(x float64) float64 { return math.Max(0, math.Min(1, x)) }
	switch kindOf(is) {
	case "discrete":
		max, val := math.Inf(-1), math.NaN()
		for _, it := range is.Items {
			e := atof(t, it.Evaluation)
			max = math.Max(max, e)
			if it.Value == v.(string) {
				val = e
			}
		}
		if max < 0.00001 {
			return 0
		}
		return val / max
	case "integer":
		if is.Evaluator == nil {
			return 0 // slope and offset stay 0
		}
		lo, _ := bounds(t, is)
		x := float64(v.(int64) - int64(lo))
		return clamp(atof(t, is.Evaluator.Slope)*x + atof(t, is.Evaluator.Offset))
	case "real":
		x := v.(float64)
		e := is.Evaluator
		switch e.FType {
		case "linear":
			return clamp(atof(t, e.P1)*x + atof(t, e.P0))
		case "constant":
			return atof(t, e.P0)
		case "triangular":
			lower, upper, top := atof(t, e.P0), atof(t, e.P1), atof(t, e.P2)
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
	}
	t.Fatalf("reference: cannot evaluate issue %d", index)
	return 0
}

// table returns the evaluation of every value of every issue: table[i][k]
// for the k-th value of the domain's i-th issue in values.
func (p refProfile) table(t *testing.T, d refDomain, values [][]any) [][]float64 {
	out := make([][]float64, len(d.Issues))
	for i, is := range d.Issues {
		for _, v := range values[i] {
			out[i] = append(out[i], p.evaluation(t, is.Index, v))
		}
	}
	return out
}

// utility is AdditiveUtilitySpace.getUtility of the bid that takes the
// bid[i]-th value of issue i: the weighted sum of the evaluations, capped
// at 1.
func (p refProfile) utility(d refDomain, table [][]float64, bid []int) float64 {
	u := 0.0
	for i, is := range d.Issues {
		u += p.Weights[is.Index] * table[i][bid[i]]
	}
	if u > 1 {
		return 1
	}
	return u
}
