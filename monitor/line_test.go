package monitor

import (
	"math"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
)

// The reference below is written separately from line.go, with the
// spherical trigonometry of the haversine, bearing, cross-track and
// along-track formulas (no 3-vectors), and tries every segment.

func rad(d float64) float64 { return d * math.Pi / 180 }

// havAngle is the central angle between two points by the haversine
// formula.
func havAngle(p, q orb.Point) float64 {
	dlat, dlon := rad(q[1]-p[1]), rad(q[0]-p[0])
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(rad(p[1]))*math.Cos(rad(q[1]))*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// bearing is the initial bearing from p to q, radians.
func bearing(p, q orb.Point) float64 {
	φ1, φ2, dλ := rad(p[1]), rad(q[1]), rad(q[0]-p[0])
	return math.Atan2(math.Sin(dλ)*math.Cos(φ2), math.Cos(φ1)*math.Sin(φ2)-math.Sin(φ1)*math.Cos(φ2)*math.Cos(dλ))
}

// refSegment is the angle from p to the great-circle segment a–b.
func refSegment(p, a, b orb.Point) float64 {
	d12 := havAngle(a, b)
	d13 := havAngle(a, p)
	if d12 == 0 {
		return d13
	}
	θ := bearing(a, p) - bearing(a, b)
	xt := math.Asin(math.Sin(d13) * math.Sin(θ))
	// along-track distance of the foot of the perpendicular from a
	c := math.Cos(d13) / math.Cos(xt)
	c = math.Max(-1, math.Min(1, c))
	at := math.Acos(c)
	if math.Cos(θ) < 0 {
		at = -at
	}
	if at < 0 || at > d12 {
		return math.Min(d13, havAngle(b, p))
	}
	return math.Abs(xt)
}

func refDistanceKm(p orb.Point, lines []orb.LineString) float64 {
	best := math.Inf(1)
	for _, l := range lines {
		for i := 0; i+1 < len(l); i++ {
			best = math.Min(best, refSegment(p, l[i], l[i+1]))
		}
	}
	return best * EarthRadiusKm
}

// randomLine is a wandering line of n vertices starting near (lon, lat),
// with steps of about step degrees, like a front line.
func randomLine(rng *rand.Rand, n int, lon, lat, step float64) orb.LineString {
	l := make(orb.LineString, n)
	dir := rng.Float64() * 2 * math.Pi
	for i := range l {
		l[i] = orb.Point{lon, lat}
		dir += rng.NormFloat64() * 0.6
		lon += math.Cos(dir) * step
		lat += math.Sin(dir) * step * 0.7
		lat = math.Max(-80, math.Min(80, lat))
	}
	return l
}

func TestLineDistanceAgainstHaversine(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, tc := range []struct {
		name  string
		lines []orb.LineString
		box   orb.Bound
	}{
		{"one segment", []orb.LineString{{{37, 48}, {38, 48.5}}}, orb.Bound{Min: orb.Point{30, 44}, Max: orb.Point{45, 52}}},
		{"donbas 5000 vertices", []orb.LineString{randomLine(rng, 5000, 37.5, 47.5, 0.01)}, orb.Bound{Min: orb.Point{34, 45}, Max: orb.Point{41, 51}}},
		{"three lines, 3000 vertices", []orb.LineString{randomLine(rng, 1000, 30, 50, 0.05), randomLine(rng, 1000, 36, 47, 0.05), randomLine(rng, 1000, 40, 49, 0.05)}, orb.Bound{Min: orb.Point{20, 40}, Max: orb.Point{50, 58}}},
		{"long arcs", []orb.LineString{{{-170, 10}, {170, 20}, {100, -40}, {10, 60}}}, orb.Bound{Min: orb.Point{-180, -89}, Max: orb.Point{180, 89}}},
		{"near the pole", []orb.LineString{{{0, 85}, {90, 86}, {180, 87}, {-90, 88}}}, orb.Bound{Min: orb.Point{-180, 70}, Max: orb.Point{180, 90}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := newLineIndex(tc.lines)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 250; i++ {
				p := orb.Point{tc.box.Min[0] + rng.Float64()*(tc.box.Max[0]-tc.box.Min[0]), tc.box.Min[1] + rng.Float64()*(tc.box.Max[1]-tc.box.Min[1])}
				if i%3 == 0 { // points close to the line
					l := tc.lines[rng.Intn(len(tc.lines))]
					v := l[rng.Intn(len(l))]
					p = orb.Point{v[0] + rng.NormFloat64()*0.05, math.Max(-90, math.Min(90, v[1]+rng.NormFloat64()*0.05))}
				}
				got := ix.DistanceKm(p)
				want := refDistanceKm(p, tc.lines)
				if math.Abs(got-want) > 1e-6*math.Max(1, want) {
					t.Fatalf("DistanceKm(%v) = %.9f, want %.9f (haversine brute force)", p, got, want)
				}
			}
		})
	}
}

func TestLineDistanceKnown(t *testing.T) {
	// One degree of latitude along a meridian is πR/180 km.
	ix, err := newLineIndex([]orb.LineString{{{30, 40}, {30, 50}}})
	if err != nil {
		t.Fatal(err)
	}
	deg := math.Pi * EarthRadiusKm / 180
	for _, tc := range []struct {
		p    orb.Point
		want float64
	}{
		{orb.Point{30, 45}, 0},
		{orb.Point{30, 51}, deg},         // beyond the end: to the vertex
		{orb.Point{30, 38.5}, 1.5 * deg}, // before the start
		{orb.Point{31, 0}, havAngle(orb.Point{31, 0}, orb.Point{30, 40}) * EarthRadiusKm},
	} {
		if got := ix.DistanceKm(tc.p); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("DistanceKm(%v) = %.6f, want %.6f", tc.p, got, tc.want)
		}
	}
	// Off the equator a point at 1° of longitude from a meridian segment
	// lies less than 1° of arc away: the great circle, not the parallel.
	p := orb.Point{31, 45}
	want := math.Asin(math.Sin(rad(1))*math.Cos(rad(45))) * EarthRadiusKm
	if got := ix.DistanceKm(p); math.Abs(got-want) > 1e-6 {
		t.Errorf("DistanceKm(%v) = %.6f, want %.6f", p, got, want)
	}
}

func TestLineIndexErrors(t *testing.T) {
	if _, err := newLineIndex(nil); err == nil {
		t.Error("newLineIndex(nil) succeeded")
	}
	if _, err := newLineIndex([]orb.LineString{{{0, 0}, {180, 0}}}); err == nil {
		t.Error("newLineIndex(antipodal segment) succeeded")
	}
	ix, err := newLineIndex([]orb.LineString{{{10, 10}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ix.DistanceKm(orb.Point{10, 11}), math.Pi*EarthRadiusKm/180; math.Abs(got-want) > 1e-6 {
		t.Errorf("distance to a one-vertex line = %f, want %f", got, want)
	}
}

func TestBruteMatchesIndex(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	ix, _ := newLineIndex([]orb.LineString{randomLine(rng, 10000, 37, 48, 0.01)})
	for i := 0; i < 200; i++ {
		p := toVec(orb.Point{33 + rng.Float64()*8, 45 + rng.Float64()*6})
		if a, b := ix.distance(p), ix.bruteDistance(p); a != b {
			t.Fatalf("index %g, brute force %g", a, b)
		}
	}
}

// bruteDistance returns the angle from p to the nearest segment by trying
// every one, with the index's own segment distance: the index must find
// exactly the same nearest segment (benchmarks compare their speed).
func (ix *lineIndex) bruteDistance(p vec) float64 {
	best2 := math.Inf(1)
	for i := range ix.arcs {
		if d := ix.arcs[i].chord2(p); d < best2 {
			best2 = d
		}
	}
	return chordAngle(best2)
}
