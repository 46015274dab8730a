// Package genius imports negotiation domains and utility profiles of
// Genius, the negotiation platform of TU Delft used by the Automated
// Negotiating Agents Competitions (ANAC), into settlements, so that the
// public negotiation-research domains can be analysed with entente.
//
// # Genius files
//
// A Genius domain is an XML file whose root element <negotiation_template>
// holds a <utility_space> with one root <objective>; the objective holds
// the <issue> elements (possibly inside nested objectives). An issue has an
// index, a name and a type:
//
//   - discrete: <item value="..."> children, the values of the issue;
//   - integer: a whole number from lowerbound to upperbound (attributes of
//     the issue, or of a <range> child in older files);
//   - real: a number in a <range lowerbound=… upperbound=…>.
//
// A utility profile is an XML file whose root element is <utility_space>.
// It repeats the domain's issues with their evaluations (an evaluation
// attribute per item, an <evaluator> for integer and real issues), gives a
// <weight index=… value=…> per issue, and may give a <reservation
// value=…> and a <discount_factor value=…>. Genius computes the utility of
// a package as the sum over issues of weight × evaluation, capped at 1,
// where a discrete evaluation is divided by the largest evaluation of the
// issue (EvaluatorDiscrete), an integer evaluator is clamp(offset + slope ×
// (value − lowerbound), 0, 1) (EvaluatorInteger), and a real evaluator is
// linear (clamped), constant or triangular (EvaluatorReal).
//
// # Reading and converting
//
// [Parse] reads one file of either kind, without I/O: it checks that the
// file is XML and Genius, and returns an [ErrorList] whose errors name the
// file, line and column and say what would be valid. [Convert] turns a
// parsed domain and its profiles into an [Import]: the settlement's issues
// (discrete → options; integer → range with step 1; real → a range over a
// grid, see [Grid]), one party per profile (id from the file name, see
// [PartyID]; role belligerent, entente's word for a principal party) and
// one position per additive profile, with weights, values and reservation.
// [Import.YAML] is the settlement file, which loads with settlement.Parse
// (Convert checks it does).
//
// Each position's utility equals the Genius utility of its profile on
// every package of the settlement: weights are written as given (they
// must sum to 1, unless [Options].NormaliseWeights), discrete values are
// the evaluations divided by the largest, and integer and real
// evaluators become points that linear interpolation joins exactly. What
// the settlement cannot express is a [Warning], also written as a comment
// in the file: a discount factor (the settlement has no time), the
// discretisation of a real issue, a nonlinear (hyper-rectangle) profile,
// whose party then gets no position, a preference-uncertainty profile.
//
// # Example
//
//	d, err := genius.Parse("party_domain.xml", domainXML)
//	...
//	p, err := genius.Parse("party1_utility.xml", profileXML)
//	...
//	im, err := genius.Convert(d, []*genius.File{p}, genius.DefaultOptions())
//	if err != nil {
//		return err // every problem, one per line: file:line:col: message
//	}
//	for _, w := range im.Warnings {
//		fmt.Fprintln(os.Stderr, w)
//	}
//	os.WriteFile("party.yaml", im.YAML(), 0o644)
//
// The command entente import genius DOMAIN.xml PROFILE.xml… does this;
// docs/genius.md describes the mapping for users.
package genius
