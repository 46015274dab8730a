package genius_test

import (
	"fmt"

	"github.com/entente-org/entente/genius"
)

const exampleDomain = `<negotiation_template>
  <utility_space>
    <objective index="0" name="Lunch">
      <issue index="1" name="Place" type="discrete">
        <item index="1" value="Canteen"/>
        <item index="2" value="Bistro"/>
      </issue>
      <issue index="2" name="Minutes" type="integer" lowerbound="30" upperbound="90"/>
    </objective>
  </utility_space>
</negotiation_template>`

const exampleProfile = `<utility_space>
  <objective index="0" name="Lunch">
    <issue index="1" name="Place" type="discrete">
      <item index="1" value="Canteen" evaluation="2"/>
      <item index="2" value="Bistro" evaluation="8"/>
    </issue>
    <issue index="2" name="Minutes" type="integer" lowerbound="30" upperbound="90">
      <evaluator ftype="linear" slope="-0.02" offset="1.2"/>
    </issue>
    <weight index="1" value="0.7"/>
    <weight index="2" value="0.3"/>
  </objective>
  <reservation value="0.25"/>
  <discount_factor value="0.9"/>
</utility_space>`

// Convert a domain and one profile. Place's evaluations 2 and 8 become
// 0.25 and 1 (divided by the largest); Minutes' evaluator
// clamp(1.2 − 0.02 × (m − 30), 0, 1) becomes points joined by lines.
func ExampleConvert() {
	d, err := genius.Parse("lunch.xml", []byte(exampleDomain))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := genius.Parse("alice.xml", []byte(exampleProfile))
	if err != nil {
		fmt.Println(err)
		return
	}
	im, err := genius.Convert(d, []*genius.File{p}, genius.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, is := range im.Issues {
		fmt.Println("issue", is.ID, is.Options, is.Min, is.Max)
	}
	party := im.Parties[0]
	fmt.Println("party", party.ID, "reservation", *party.Reservation)
	for k, is := range im.Issues {
		fmt.Println(" ", is.ID, party.Utility.Weights[k], party.Utility.Values[k])
	}
	for _, w := range im.Warnings {
		fmt.Println(w)
	}
	// Output:
	// issue place [Canteen Bistro] 0 0
	// issue minutes [] 30 90
	// party alice reservation 0.25
	//   place 0.7 [{Canteen 0.25} {Bistro 1}]
	//   minutes 0.3 [{30 1} {40 1} {90 0}]
	// alice.xml:14:27: warning: the discount factor 0.9: Genius multiplies utilities (and the reservation value) by 0.9^t at time t of the negotiation (t from 0 to 1); the settlement has no time, and holds the undiscounted utilities (t = 0)
}

// Problems are reported together, each with its file, line and column.
func ExampleParse_errors() {
	_, err := genius.Parse("alice.xml", []byte(`<utility_space>
  <objective index="0" name="Lunch">
    <issue index="1" name="Place" type="discrete">
      <item index="1" value="Canteen" evaluation="two"/>
    </issue>
    <weight index="1" value="0,7"/>
  </objective>
</utility_space>`))
	fmt.Println(err)
	// Output:
	// alice.xml:4:51: an evaluation "two" is not a finite number such as 0.5
	// alice.xml:6:30: a weight "0,7" is not a finite number such as 0.5
}
