package genius_test

import (
	"testing"

	"github.com/entente-org/entente/genius"
	"github.com/entente-org/entente/settlement"
)

// BenchmarkImport times the import of ANAC 2010's Travel domain and one
// profile (Parse both files, Convert, which includes loading the result to
// check it), side by side with loading the settlement it produces, the
// reference: an import costs a few loads of its result.
// Run: go test ./genius -run '^$' -bench Import -benchtime 300x
func BenchmarkImport(b *testing.B) {
	d := readTestdata(&testing.T{}, "travel/travel_domain.xml")
	p := readTestdata(&testing.T{}, "travel/travel_fanny.xml")
	var yaml []byte
	b.Run("genius-import", func(b *testing.B) {
		for b.Loop() {
			df, err := genius.Parse("travel_domain.xml", d)
			if err != nil {
				b.Fatal(err)
			}
			pf, err := genius.Parse("travel_fanny.xml", p)
			if err != nil {
				b.Fatal(err)
			}
			im, err := genius.Convert(df, []*genius.File{pf}, genius.DefaultOptions())
			if err != nil {
				b.Fatal(err)
			}
			yaml = im.YAML()
		}
	})
	b.Run("settlement-load", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := settlement.Parse("travel.yaml", yaml, settlement.DefaultOptions()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
