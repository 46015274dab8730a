package monitor

import (
	"bytes"
	"encoding/csv"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// denseLine returns the minsk-2015 line of contact resampled to n
// vertices, each jittered by up to about 500 m: a line as detailed as a
// mapped front.
func denseLine(s *settlement.Settlement, n int) orb.LineString {
	base := lines(s.Monitoring.LineFeatures)[0]
	rng := rand.New(rand.NewSource(7))
	out := make(orb.LineString, 0, n)
	per := (n - 1) / (len(base) - 1)
	for i := 0; i+1 < len(base); i++ {
		a, b := base[i], base[i+1]
		for k := 0; k < per; k++ {
			f := float64(k) / float64(per)
			out = append(out, orb.Point{a[0] + f*(b[0]-a[0]) + (rng.Float64()-0.5)*0.0005, a[1] + f*(b[1]-a[1]) + (rng.Float64()-0.5)*0.0005})
		}
	}
	for len(out) < n {
		out = append(out, base[len(base)-1])
	}
	return out
}

// benchEvents are n events spread over eastern Ukraine, many near the
// line, with the fields the minsk-2015 rules read.
func benchEvents(n int) []rules.Event {
	rng := rand.New(rand.NewSource(8))
	evs := make([]rules.Event, n)
	for i := range evs {
		evs[i] = rules.Event{ID: "x", Source: "ucdp", Date: day("2015-03-01").AddDate(0, 0, rng.Intn(300)), Type: "state-based",
			Actor1: "Government of Ukraine", Actor2: "DPR", Fatalities: int64(rng.Intn(3)),
			Lat: 46.5 + rng.Float64()*3.5, Lon: 35.5 + rng.Float64()*5, PrecisionPlace: int64(1 + rng.Intn(5)), Location: "somewhere"}
	}
	return evs
}

// minskDense is the minsk-2015 settlement with its line resampled to
// 10,000 vertices.
func minskDense(b *testing.B) *settlement.Settlement {
	s := loadSettlement(b, "../examples/minsk-2015/settlement.yaml")
	line := denseLine(s, 10000)
	s.Monitoring.LineFeatures = geojson.NewFeatureCollection()
	s.Monitoring.LineFeatures.Append(geojson.NewFeature(line))
	return s
}

// BenchmarkClassify classifies events against the minsk-2015 terms (one
// zone, three violation rules, three withdrawal terms) with the line
// resampled to 10,000 vertices: "index" is Classify; "brute" does the
// same work and then measures the distance again by trying every
// segment, which is what a classifier without the index would spend.
// "ucdp" events are the 2,677 real events of 2014–2019 (most within 30 km
// of the line); "uniform" events are spread evenly over 35.5–40.5°E,
// 46.5–50°N, up to 200 km from it.
func BenchmarkClassify(b *testing.B) {
	s := minskDense(b)
	c, err := NewClassifier(s, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	if c.LineVertices() != 10000 {
		b.Fatalf("line of %d vertices", c.LineVertices())
	}
	recs, _ := readAll(b, filepath.Join(sharedData(b), "ucdp-ged-ukraine-2014-2019.csv"))
	real := make([]rules.Event, len(recs))
	for i := range recs {
		real[i] = recs[i].Event
	}
	for _, set := range []struct {
		name string
		evs  []rules.Event
	}{{"ucdp", real}, {"uniform", benchEvents(4096)}} {
		evs := set.evs
		b.Run(set.name+"/index", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ev := evs[i%len(evs)]
				if _, err := c.Classify(&ev); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
		b.Run(set.name+"/brute", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ev := evs[i%len(evs)]
				if _, err := c.Classify(&ev); err != nil {
					b.Fatal(err)
				}
				ev.DistanceKm = c.line.bruteDistance(toVec(orb.Point{ev.Lon, ev.Lat})) * EarthRadiusKm
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkDistance measures the distance alone to the 10,000-vertex line.
func BenchmarkDistance(b *testing.B) {
	s := minskDense(b)
	c, err := NewClassifier(s, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	evs := benchEvents(4096)
	pts := make([]vec, len(evs))
	for i, ev := range evs {
		pts[i] = toVec(orb.Point{ev.Lon, ev.Lat})
	}
	b.Run("index", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			c.line.distance(pts[i%len(pts)])
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	})
	b.Run("brute", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			c.line.bruteDistance(pts[i%len(pts)])
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	})
}

// BenchmarkReadUCDP reads the real 2014–2019 GED file (2,677 events, 49
// columns) from memory: "reader" is Reader.Next, building every Record
// with its Raw JSON; "csv" is encoding/csv alone splitting the same bytes,
// the floor any CSV reader stands on.
func BenchmarkReadUCDP(b *testing.B) {
	for _, name := range []string{"ucdp-ged-ukraine-2014-2019.csv", "ucdp-ged251-ukraine-sample-2022-2023.csv"} {
		src, err := os.ReadFile(filepath.Join(sharedData(b), name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/reader", func(b *testing.B) {
			events := 0
			for i := 0; i < b.N; i++ {
				r, err := NewReader(name, bytes.NewReader(src))
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					events++
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.SetBytes(int64(len(src)))
		})
		b.Run(name+"/csv", func(b *testing.B) {
			events := 0
			for i := 0; i < b.N; i++ {
				cr := csv.NewReader(bytes.NewReader(src))
				cr.ReuseRecord = true
				if _, err := cr.Read(); err != nil {
					b.Fatal(err)
				}
				for {
					_, err := cr.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					events++
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.SetBytes(int64(len(src)))
		})
	}
}
