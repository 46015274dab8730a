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
	mid  vec     // unit midpoint
	half float64 // half the arc's length, radians
}

func newArc(p, q orb.Point) (arc, error) {
	a, b := toVec(p), toVec(q)
	s := arc{a: a, b: b}
	c := a.cross(b)
	if n := c.norm(); n > 1e-15 {
		s.n = c.scale(1 / n)
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
func (s *arc) dist(p vec) float64 {
	if s.n != (vec{}) {
		// p's projection onto the great circle lies within the arc when it
		// is on the b side of a and on the a side of b.
		if s.a.cross(p).dot(s.n) >= 0 && p.cross(s.b).dot(s.n) >= 0 {
			d := math.Abs(p.dot(s.n))
			if d > 1 {
				d = 1
			}
			return math.Asin(d)
		}
	}
	return math.Min(angle(p, s.a), angle(p, s.b))
}

// lineIndex finds the nearest segment of a line of contact exactly: a
// bounding-volume hierarchy of spherical caps over runs of consecutive
// segments. A cap of centre c and angular radius r contains every point
// of its segments, so angle(p, c) − r is a lower bound of the distance
// from p to any of them (triangle inequality on the sphere); a search
// visits a node only when that bound beats the best distance found.
type lineIndex struct {
	arcs  []arc
	nodes []capNode
}

// capNode covers arcs[lo:hi]; leaves have left < 0.
type capNode struct {
	c           vec
	r           float64
	lo, hi      int
	left, right int32
}

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
	id := int32(len(ix.nodes))
	ix.nodes = append(ix.nodes, capNode{c: c, r: r * (1 + 1e-12), lo: lo, hi: hi, left: -1, right: -1})
	if hi-lo > leafArcs {
		mid := (lo + hi) / 2
		l := ix.build(lo, mid)
		rt := ix.build(mid, hi)
		ix.nodes[id].left, ix.nodes[id].right = l, rt
	}
	return id
}

// distance returns the angle from p to the nearest point of the line.
func (ix *lineIndex) distance(p vec) float64 {
	best := math.Inf(1)
	var stack [64]int32
	sp := 0
	stack[sp] = 0
	sp++
	for sp > 0 {
		sp--
		n := &ix.nodes[stack[sp]]
		if angle(p, n.c)-n.r >= best {
			continue
		}
		if n.left < 0 {
			for i := n.lo; i < n.hi; i++ {
				if d := ix.arcs[i].dist(p); d < best {
					best = d
				}
			}
			continue
		}
		// Visit the nearer child first: push it last.
		l, r := n.left, n.right
		if angle(p, ix.nodes[l].c)-ix.nodes[l].r < angle(p, ix.nodes[r].c)-ix.nodes[r].r {
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

// bruteDistance returns the angle from p to the nearest segment by trying
// every one (benchmarks compare the index against it).
func (ix *lineIndex) bruteDistance(p vec) float64 {
	best := math.Inf(1)
	for i := range ix.arcs {
		if d := ix.arcs[i].dist(p); d < best {
			best = d
		}
	}
	return best
}
