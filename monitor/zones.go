package monitor

import (
	"math"

	"github.com/paulmach/orb"
)

// zone is one monitoring zone: a polygon or multipolygon with an id.
// Membership is planar in longitude and latitude, as RFC 7946 draws
// polygon edges, with the even-odd rule on each ring: a point inside the
// outer ring and inside no hole is in the polygon.
type zone struct {
	id    string
	bound orb.Bound
	polys []zonePolygon
}

type zonePolygon struct {
	bound orb.Bound
	outer *bandedRing
	holes []*bandedRing
}

func newZone(id string, g orb.Geometry) *zone {
	z := &zone{id: id, bound: g.Bound()}
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for _, p := range polys {
		if len(p) == 0 || len(p[0]) == 0 {
			continue
		}
		zp := zonePolygon{bound: p.Bound(), outer: newBandedRing(p[0])}
		for _, h := range p[1:] {
			if len(h) > 0 {
				zp.holes = append(zp.holes, newBandedRing(h))
			}
		}
		z.polys = append(z.polys, zp)
	}
	return z
}

// contains reports whether the zone contains the point.
func (z *zone) contains(p orb.Point) bool {
	if !z.bound.Contains(p) {
		return false
	}
	for i := range z.polys {
		zp := &z.polys[i]
		if !zp.bound.Contains(p) || !zp.outer.contains(p) {
			continue
		}
		inHole := false
		for _, h := range zp.holes {
			if h.contains(p) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// bandedRing answers point-in-ring queries by the crossing number of a
// ray cast towards +x, testing only the edges that span the point's
// latitude: the ring's latitude range is cut into bands, each listing the
// edges that overlap it.
type bandedRing struct {
	pts        orb.Ring
	minY, step float64
	bands      [][]int32 // edge i joins pts[i] and pts[i+1]
}

func newBandedRing(r orb.Ring) *bandedRing {
	if len(r) > 0 && r[0] != r[len(r)-1] {
		r = append(append(orb.Ring(nil), r...), r[0]) // close it
	}
	b := r.Bound()
	br := &bandedRing{pts: r, minY: b.Min[1]}
	edges := len(r) - 1
	nb := edges / 4
	if nb < 1 {
		nb = 1
	}
	if nb > 4096 {
		nb = 4096
	}
	height := b.Max[1] - b.Min[1]
	if height <= 0 {
		nb = 1
		br.step = 1
	} else {
		br.step = height / float64(nb)
	}
	br.bands = make([][]int32, nb)
	for i := 0; i < edges; i++ {
		y0, y1 := r[i][1], r[i+1][1]
		if y0 > y1 {
			y0, y1 = y1, y0
		}
		lo, hi := br.band(y0), br.band(y1)
		for k := lo; k <= hi; k++ {
			br.bands[k] = append(br.bands[k], int32(i))
		}
	}
	return br
}

// band returns the band of latitude y, clamped to the ring's bands.
func (br *bandedRing) band(y float64) int {
	k := int(math.Floor((y - br.minY) / br.step))
	if k < 0 {
		return 0
	}
	if k >= len(br.bands) {
		return len(br.bands) - 1
	}
	return k
}

// contains reports whether p is inside the ring (even-odd rule). An edge
// counts when it straddles p's latitude, half-open below, so that a ray
// through a vertex is counted once.
func (br *bandedRing) contains(p orb.Point) bool {
	if len(br.pts) < 4 {
		return false
	}
	x, y := p[0], p[1]
	in := false
	for _, i := range br.bands[br.band(y)] {
		a, b := br.pts[i], br.pts[i+1]
		if (a[1] > y) != (b[1] > y) {
			if x < a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
				in = !in
			}
		}
	}
	return in
}
