package monitor

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusKm is the radius of the sphere on which distances are
// measured: the IUGG mean Earth radius, 6,371.0088 km. On the ellipsoid
// true distances differ by at most about 0.5%.
const EarthRadiusKm = 6371.0088

// vec is a point of the unit sphere (or any 3-vector).
type vec struct{ x, y, z float64 }

func toVec(p orb.Point) vec {
	lon, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	cl := math.Cos(lat)
	return vec{cl * math.Cos(lon), cl * math.Sin(lon), math.Sin(lat)}
}

func (a vec) dot(b vec) float64 { return a.x*b.x + a.y*b.y + a.z*b.z }
func (a vec) cross(b vec) vec {
	return vec{a.y*b.z - a.z*b.y, a.z*b.x - a.x*b.z, a.x*b.y - a.y*b.x}
}
func (a vec) add(b vec) vec       { return vec{a.x + b.x, a.y + b.y, a.z + b.z} }
func (a vec) sub(b vec) vec       { return vec{a.x - b.x, a.y - b.y, a.z - b.z} }
func (a vec) norm() float64       { return math.Sqrt(a.dot(a)) }
func (a vec) scale(k float64) vec { return vec{a.x * k, a.y * k, a.z * k} }
func (a vec) unit() vec {
	n := a.norm()
	if n == 0 {
		return a
	}
	return a.scale(1 / n)
}

// angle returns the angle between two unit vectors, in radians, accurate
// for small and large angles alike.
func angle(a, b vec) float64 { return math.Atan2(a.cross(b).norm(), a.dot(b)) }

// arc is one segment of the line: the shorter great-circle arc from a to b.
type arc struct {
	a, b vec
	n    vec     // unit normal of the arc's great circle, a×b; zero for a point
	u, v vec     // n×a and b×n: p·u ≥ 0 and p·v ≥ 0 when p projects inside the arc
	mid  vec     // unit midpoint
	half float64 // half the arc's length, radians
}

func newArc(p, q orb.Point) (arc, error) {
	a, b := toVec(p), toVec(q)
	s := arc{a: a, b: b}
	c := a.cross(b)
	if n := c.norm(); n > 1e-15 {
		s.n = c.scale(1 / n)
		s.u, s.v = s.n.cross(a), b.cross(s.n)
		s.mid = a.add(b).unit()
	} else if a.dot(b) < 0 {
		return arc{}, fmt.Errorf("segment %v–%v joins antipodal points: no shorter great-circle arc", p, q)
	} else {
		s.mid = a // a point, or two points too close to tell apart
	}
	s.half = angle(a, b) / 2
	return s, nil
}

// dist returns the angle from p to the nearest point of the arc.
func (s *arc) dist(p vec) float64 { return chordAngle(s.chord2(p)) }

// chord2 returns the squared chord (straight-line distance through the
// unit sphere) from p to the nearest point of the arc: a monotone
// function of the angle, cheap and precise at small distances.
func (s *arc) chord2(p vec) float64 {
	// p's projection onto the great circle lies within the arc when it
	// is on the b side of a and on the a side of b: (a×p)·n ≥ 0 and
	// (p×b)·n ≥ 0, that is p·(n×a) ≥ 0 and p·(b×n) ≥ 0.
	if s.n != (vec{}) && p.dot(s.u) >= 0 && p.dot(s.v) >= 0 {
		// The angle θ to the great circle has sin θ = |p·n|; the chord is
		// 2 − 2 cos θ = 2 sin²θ / (1 + cos θ).
		sn := p.dot(s.n)
		s2 := sn * sn
		if s2 > 1 {
			s2 = 1
		}
		return 2 * s2 / (1 + math.Sqrt(1-s2))
	}
	da, db := p.sub(s.a), p.sub(s.b)
	a, b := da.dot(da), db.dot(db)
	if b < a {
		a = b
	}
	return a
}

// chordAngle converts a squared chord of the unit sphere to an angle.
func chordAngle(c2 float64) float64 {
	return 2 * math.Asin(math.Min(1, math.Sqrt(c2)/2))
}

// lineIndex finds the nearest segment of a line of contact exactly: a
// bounding-volume hierarchy over runs of consecutive segments, each node
// bounded two ways. A cap of centre c and angular radius r contains
// every point of its segments, so angle(p, c) − r is a lower bound of
// the distance from p to any of them (triangle inequality on the
// sphere). And every point of its segments lies within dev of the arc
// from the run's first vertex to its last (its chord), so
// angle(p, chord) − dev is another: much tighter for a run that is long
// and nearly straight, as a front line is at the scale of its vertices.
// A search visits a node only when both bounds beat the best distance
// found.
type lineIndex struct {
	arcs  []arc
	nodes []capNode
}

// capNode covers arcs[lo:hi]; leaves have left < 0.
type capNode struct {
	c          vec
	r          float64 // angular radius, with a margin for rounding
	cosR, sinR float64
	// chord is the arc from the first vertex to the last of the node's
	// arcs; every point of them lies within dev of it.
	chord          arc
	dev            float64
	cosDev, sinDev float64
	lo, hi         int32
	left, right    int32
}

// capMargin widens every cap by about 0.6 m, far more than the rounding
// of the comparisons below (about 1e-8 rad at worst), so that rounding
// never prunes the nearest segment.
const capMargin = 1e-7

const leafArcs = 8

// errNoLine is returned when the line geometry holds no segment.
var errNoLine = errors.New("no line segment")

// newLineIndex indexes every segment of the lines.
func newLineIndex(lines []orb.LineString) (*lineIndex, error) {
	ix := &lineIndex{}
	for _, ls := range lines {
		if len(ls) == 1 {
			s, err := newArc(ls[0], ls[0])
			if err != nil {
				return nil, err
			}
			ix.arcs = append(ix.arcs, s)
		}
		for i := 0; i+1 < len(ls); i++ {
			s, err := newArc(ls[i], ls[i+1])
			if err != nil {
				return nil, err
			}
			ix.arcs = append(ix.arcs, s)
		}
	}
	if len(ix.arcs) == 0 {
		return nil, errNoLine
	}
	ix.build(0, len(ix.arcs))
	return ix, nil
}

// build adds the node covering arcs[lo:hi] and its children; it returns
// the node's index.
func (ix *lineIndex) build(lo, hi int) int32 {
	var sum vec
	for _, s := range ix.arcs[lo:hi] {
		sum = sum.add(s.mid.scale(s.half + 1e-9))
	}
	c := sum.unit()
	if c == (vec{}) {
		c = ix.arcs[lo].mid
	}
	r := 0.0
	for _, s := range ix.arcs[lo:hi] {
		if d := angle(c, s.mid) + s.half; d > r {
			r = d
		}
	}
	// The chord from the first vertex to the last, and how far the arcs
	// stray from it: a point X of arc i lies within half_i of one of the
	// arc's ends, and each end lies within its own distance of the chord.
	first, last := ix.arcs[lo].a, ix.arcs[hi-1].b
	chord := arc{a: first, b: last, mid: first}
	if cr := first.cross(last); cr.norm() > 1e-15 && first.dot(last) > 0 {
		chord.n = cr.unit()
		chord.u, chord.v = chord.n.cross(first), last.cross(chord.n)
	}
	dev := 0.0
	for _, s := range ix.arcs[lo:hi] {
		if d := math.Max(chord.dist(s.a), chord.dist(s.b)) + s.half; d > dev {
			dev = d
		}
	}
	dev += capMargin
	if first.dot(last) <= 0 {
		dev = math.Pi // a chord of half the globe or more bounds nothing
	}
	id := int32(len(ix.nodes))
	r += capMargin
	ix.nodes = append(ix.nodes, capNode{c: c, r: r, cosR: math.Cos(r), sinR: math.Sin(r),
		chord: chord, dev: dev, cosDev: math.Cos(dev), sinDev: math.Sin(dev),
		lo: int32(lo), hi: int32(hi), left: -1, right: -1})
	if hi-lo > leafArcs {
		mid := (lo + hi) / 2
		l := ix.build(lo, mid)
		rt := ix.build(mid, hi)
		ix.nodes[id].left, ix.nodes[id].right = l, rt
	}
	return id
}

// distance returns the angle from p to the nearest point of the line.
//
// A node is pruned when either lower bound reaches the best distance
// found: its cap's, angle(p, c) − r ≥ best, that is p·c ≤ cos(best + r)
// (with best + r < π); or its chord's, angle(p, chord) − dev ≥ best.
// Both are computed from cosines and sines of best, r and dev without
// any inverse trigonometric function.
func (ix *lineIndex) distance(p vec) float64 {
	best2 := math.Inf(1) // squared chord to the nearest point found
	best := math.Pi      // its angle
	cb, sb := -1.0, 0.0  // cos and sin of best
	// Each entry carries the squared chord from p to its node's chord,
	// computed when the node was ordered among its siblings.
	type entry struct {
		id int32
		c2 float64
	}
	var stack [64]entry
	stack[0] = entry{0, ix.nodes[0].chord.chord2(p)}
	sp := 1
	for sp > 0 {
		sp--
		e := stack[sp]
		n := &ix.nodes[e.id]
		if best+n.r < math.Pi && p.dot(n.c) <= cb*n.cosR-sb*n.sinR {
			continue
		}
		// The chord's bound: angle(p, chord) − dev ≥ best, that is
		// chord²(p, chord) ≥ 2 − 2 cos(best + dev).
		if best+n.dev < math.Pi && e.c2 >= 2-2*(cb*n.cosDev-sb*n.sinDev) {
			continue
		}
		if n.left < 0 {
			improved := false
			for i := n.lo; i < n.hi; i++ {
				if d := ix.arcs[i].chord2(p); d < best2 {
					best2, improved = d, true
				}
			}
			if improved {
				best = chordAngle(best2)
				cb, sb = math.Cos(best), math.Sin(best)
			}
			continue
		}
		// Visit the child nearer by its chord first: push it last.
		l := entry{n.left, ix.nodes[n.left].chord.chord2(p)}
		r := entry{n.right, ix.nodes[n.right].chord.chord2(p)}
		if l.c2 < r.c2 {
			l, r = r, l
		}
		stack[sp] = l
		stack[sp+1] = r
		sp += 2
	}
	return best
}

// DistanceKm returns the distance in km from a point to the nearest
// point of the indexed line.
func (ix *lineIndex) DistanceKm(p orb.Point) float64 {
	return ix.distance(toVec(p)) * EarthRadiusKm
}
