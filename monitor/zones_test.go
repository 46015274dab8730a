package monitor

import (
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// windingNumber is the reference point-in-ring test, written separately
// from zones.go: the winding number of the ring around p (Sunday's
// algorithm), non-zero inside. For simple rings it agrees with the
// even-odd rule everywhere but on the boundary. orb's planar package,
// which casts rays, is checked against it too.
func windingNumber(r orb.Ring, p orb.Point) int {
	wn := 0
	n := len(r)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		isLeft := (b[0]-a[0])*(p[1]-a[1]) - (p[0]-a[0])*(b[1]-a[1])
		if a[1] <= p[1] {
			if b[1] > p[1] && isLeft > 0 {
				wn++
			}
		} else if b[1] <= p[1] && isLeft < 0 {
			wn--
		}
	}
	return wn
}

func refContains(g orb.Geometry, p orb.Point) bool {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for _, poly := range polys {
		if windingNumber(poly[0], p) == 0 {
			continue
		}
		inHole := false
		for _, h := range poly[1:] {
			if windingNumber(h, p) != 0 {
				inHole = true
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// star returns a simple star-shaped ring of n vertices around c, with
// radii in [rmin, rmax] degrees.
func star(rng *rand.Rand, c orb.Point, n int, rmin, rmax float64) orb.Ring {
	r := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		rad := rmin + rng.Float64()*(rmax-rmin)
		r = append(r, orb.Point{c[0] + rad*math.Cos(a), c[1] + rad*math.Sin(a)})
	}
	return append(r, r[0])
}

// distanceToBoundary is the planar distance from p to the nearest ring
// edge, to keep test points off the boundary, where the rules may differ.
func distanceToBoundary(g orb.Geometry, p orb.Point) float64 {
	best := math.Inf(1)
	var rings []orb.Ring
	switch g := g.(type) {
	case orb.Polygon:
		rings = g
	case orb.MultiPolygon:
		for _, poly := range g {
			rings = append(rings, poly...)
		}
	}
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			dx, dy := b[0]-a[0], b[1]-a[1]
			t := 0.0
			if l := dx*dx + dy*dy; l > 0 {
				t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
			}
			best = math.Min(best, math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy))
		}
	}
	return best
}

func TestZoneAgainstWindingNumber(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	c1, c2 := orb.Point{37, 48}, orb.Point{31, 46.5}
	holed := orb.Polygon{star(rng, c1, 2000, 1.5, 3), star(rng, c1, 300, 0.3, 0.8)}
	multi := orb.MultiPolygon{
		{star(rng, c1, 500, 1, 2), star(rng, c1, 50, 0.2, 0.5)},
		{star(rng, c2, 9, 0.5, 1.5)},
	}
	cases := []struct {
		name string
		g    orb.Geometry
	}{
		{"triangle", orb.Polygon{{{0, 0}, {10, 0}, {5, 8}, {0, 0}}}},
		{"open ring", orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}}},
		{"star with a hole, 2000 vertices", holed},
		{"multipolygon with a hole", multi},
	}
	// The real oblast boundaries (geoBoundaries, 27 features).
	fc := readGeoJSON(t, filepath.Join(sharedData(t), "ukraine-adm1-geoboundaries-simplified.geojson"))
	for _, f := range fc.Features {
		cases = append(cases, struct {
			name string
			g    orb.Geometry
		}{f.Properties.MustString("shapeName", "?"), f.Geometry})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := newZone("z", tc.g)
			b := tc.g.Bound().Pad(0.2)
			in := 0
			for i := 0; i < 600; i++ {
				p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
				if distanceToBoundary(tc.g, p) < 1e-9 {
					continue
				}
				want := refContains(tc.g, p)
				if got := z.contains(p); got != want {
					t.Fatalf("contains(%v) = %v, want %v (winding number)", p, got, want)
				}
				if ray := orbContains(tc.g, p); ray != want {
					t.Fatalf("orb's ray casting says %v, the winding number %v, at %v", ray, want, p)
				}
				if want {
					in++
				}
			}
			if in == 0 {
				t.Errorf("no random point fell inside: the test tests nothing")
			}
		})
	}
}

// orbContains is orb's own ray-casting test, a second reference.
func orbContains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

func readGeoJSON(t testing.TB, path string) *geojson.FeatureCollection {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// TestZoneVertices: a ray through a vertex is counted once.
func TestZoneVertices(t *testing.T) {
	diamond := newZone("d", orb.Polygon{{{0, -1}, {1, 0}, {0, 1}, {-1, 0}, {0, -1}}})
	for _, tc := range []struct {
		p    orb.Point
		want bool
	}{
		{orb.Point{0, 0}, true},
		{orb.Point{-0.5, 0}, true}, // ray through the vertex (1, 0)
		{orb.Point{-2, 0}, false},  // ray through two vertices
		{orb.Point{0.2, 0.9}, false},
		{orb.Point{0, 1.5}, false},
	} {
		if got := diamond.contains(tc.p); got != tc.want {
			t.Errorf("contains(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}
