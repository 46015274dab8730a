package guarantee

import (
	"context"
	"math"
	"math/big"
	"math/bits"
	"slices"
)

// Power holds the exact power indices of a game's voters, indexed as
// [Game.Voters].
type Power struct {
	// Swings[i] counts the coalitions of the other voters that lose
	// without voter i and win with it.
	Swings []*big.Int
	// TotalSwings is the sum of Swings.
	TotalSwings *big.Int
	// Banzhaf[i] is Swings[i] over TotalSwings (the normalised index).
	Banzhaf []*big.Rat
	// ShapleyShubik[i] is the share of the n! orderings of the voters in
	// which voter i is pivotal.
	ShapleyShubik []*big.Rat
	// Winning counts the winning coalitions among the 2^n.
	Winning *big.Int
}

// Power computes swings, the normalised Banzhaf index and the
// Shapley–Shubik index of every voter, exactly.
//
// The method is a generating function over coalition size and state (see
// [Game]): C[k][s] counts the coalitions of k voters in losing state s,
// built one voter at a time; the counts without voter i follow by
// deletion, C₋ᵢ[k] = C[k] − shiftᵢ(C₋ᵢ[k−1]); and voter i is pivotal for
// the losing states that its weight lifts to a winning one. Only losing
// states are stored (they are closed under removing voters), counts are
// fixed-width multi-word integers, and the work is n²·(number of states).
// maxCells bounds the memory of the tables, in 64-bit words; beyond it
// the error is a [*TooLargeError].
func (g *Game) Power(ctx context.Context, maxCells int64) (*Power, error) {
	n := g.N()
	words := n/64 + 1 // counts are below 2^n
	need := (float64(n) + 3) * float64(g.size) * float64(words)
	if need > float64(maxCells) {
		return nil, &TooLargeError{What: "exact power indices (64-bit words of tables)", Need: need, Limit: float64(maxCells),
			Hint: "the tables hold (voters+3) × states × words; raise the limit or use fewer voters or smaller quotas"}
	}
	win := g.winTable()
	var lose []int32
	for s, w := range win {
		if !w {
			lose = append(lose, int32(s))
		}
	}
	// C[k] for k = 0..n over all states (winning cells stay zero), each a
	// set of word planes: plane w holds word w of every cell.
	C := make([]planes, n+1)
	for k := range C {
		C[k] = newPlanes(words, g.size)
	}
	C[0][0][0] = 1 // the empty coalition is in state 0, which loses
	// span[k] bounds the positions in lose of the non-zero cells of C[k]
	// (empty when lo > hi): passes over a layer visit only that span.
	span := make([][2]int, n+1)
	for k := range span {
		span[k] = [2]int{len(lose), -1}
	}
	span[0] = [2]int{0, 0}
	pos := make([]int32, g.size) // position of each losing state in lose
	for x, st := range lose {
		pos[st] = int32(x)
	}
	next := make([]int32, len(lose))
	for j := 0; j < n; j++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		g.transitions(j, lose, win, next)
		for k := j; k >= 0; k-- {
			lo, hi := span[k][0], span[k][1]
			if lo > hi {
				continue
			}
			if a, b, ok := C[k+1].addShifted(C[k], lose[lo:hi+1], next[lo:hi+1]); ok {
				span[k+1][0] = min(span[k+1][0], int(pos[a]))
				span[k+1][1] = max(span[k+1][1], int(pos[b]))
			}
		}
	}
	// The largest size of a losing coalition: no count beyond it.
	kmax := 0
	for k := range span {
		if span[k][0] <= span[k][1] {
			kmax = k
		}
	}
	p := &Power{Swings: make([]*big.Int, n), Banzhaf: make([]*big.Rat, n), ShapleyShubik: make([]*big.Rat, n),
		TotalSwings: new(big.Int), Winning: new(big.Int).Lsh(big.NewInt(1), uint(n))}
	acc := make([]uint64, words+1)
	for k := 0; k <= kmax; k++ {
		if lo, hi := span[k][0], span[k][1]; lo <= hi {
			p.Winning.Sub(p.Winning, C[k].sum(lose[lo:hi+1], acc))
		}
	}
	fact := factorials(n)
	prev, cur := newPlanes(words, g.size), newPlanes(words, g.size)
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// A voter who adds the same weights to the same leaves as an
		// earlier one moves every state alike: its counts are the same.
		if j := g.twinOf(i); j >= 0 {
			p.Swings[i] = new(big.Int).Set(p.Swings[j])
			p.TotalSwings.Add(p.TotalSwings, p.Swings[i])
			p.ShapleyShubik[i] = new(big.Rat).Set(p.ShapleyShubik[j])
			continue
		}
		g.transitions(i, lose, win, next)
		swings, ss := new(big.Int), new(big.Int)
		prevEnd := 0
		for k := 0; k <= kmax && k < n; k++ {
			// C₋ᵢ[k] = C[k] − shiftᵢ(C₋ᵢ[k−1]), and the sum of its
			// pivotal cells (those whose successor wins), in one pass.
			lo, hi := span[k][0], span[k][1]
			if k > 0 {
				lo = min(lo, span[k-1][0])
			}
			piv, end := cur.deletion(C[k], prev, k > 0, prevEnd, lose, next, acc, lo, hi)
			prevEnd = end
			swings.Add(swings, piv)
			// An ordering in which i comes after exactly the k voters of
			// such a coalition: k!(n−1−k)! of them.
			piv.Mul(piv, fact[k])
			piv.Mul(piv, fact[n-1-k])
			ss.Add(ss, piv)
			prev, cur = cur, prev
		}
		p.Swings[i] = swings
		p.TotalSwings.Add(p.TotalSwings, swings)
		p.ShapleyShubik[i] = new(big.Rat).SetFrac(ss, fact[n])
	}
	for i := range p.Banzhaf {
		p.Banzhaf[i] = new(big.Rat)
		if p.TotalSwings.Sign() > 0 {
			p.Banzhaf[i].SetFrac(p.Swings[i], p.TotalSwings)
		}
	}
	return p, nil
}

// twinOf returns the first voter before i that adds the same weights to
// the same leaves as i, or -1 if there is none.
func (g *Game) twinOf(i int) int {
	for j := 0; j < i; j++ {
		if slices.Equal(g.contrib[j], g.contrib[i]) {
			return j
		}
	}
	return -1
}

// transitions sets next[x] to the state reached from lose[x] when voter i
// joins, or -1 when that state wins.
func (g *Game) transitions(i int, lose []int32, win []bool, next []int32) {
	for x, s := range lose {
		t := g.add(int(s), i)
		if win[t] {
			next[x] = -1
		} else {
			next[x] = int32(t)
		}
	}
}

func factorials(n int) []*big.Int {
	f := make([]*big.Int, n+1)
	f[0] = big.NewInt(1)
	for i := 1; i <= n; i++ {
		f[i] = new(big.Int).Mul(f[i-1], big.NewInt(int64(i)))
	}
	return f
}

// planes is a table of unsigned integers of len(planes) 64-bit words,
// one per state: plane w holds word w of every cell, least significant
// first. Keeping the words apart lets the common one- and two-word cases
// run as plain loops.
type planes [][]uint64

func newPlanes(words, size int) planes {
	p := make(planes, words)
	for w := range p {
		p[w] = make([]uint64, size)
	}
	return p
}

// addShifted adds src[s] into dst[next[s]] for every losing state s whose
// successor loses. It reports whether it added anything non-zero, and
// the lowest and highest states it added to.
func (dst planes) addShifted(src planes, lose, next []int32) (int32, int32, bool) {
	lo, hi := int32(math.MaxInt32), int32(-1)
	switch len(dst) {
	case 1:
		d, a := dst[0], src[0]
		for x, s := range lose {
			if v, t := a[s], next[x]; v != 0 && t >= 0 {
				d[t] += v
				lo, hi = min(lo, t), max(hi, t)
			}
		}
	case 2:
		d0, d1, a0, a1 := dst[0], dst[1], src[0], src[1]
		for x, s := range lose {
			t := next[x]
			if t < 0 || a0[s]|a1[s] == 0 {
				continue
			}
			var c uint64
			d0[t], c = bits.Add64(d0[t], a0[s], 0)
			d1[t] += a1[s] + c
			lo, hi = min(lo, t), max(hi, t)
		}
	default:
		for x, s := range lose {
			t := next[x]
			if t < 0 {
				continue
			}
			var c uint64
			nz := false
			for w := range dst {
				nz = nz || src[w][s] != 0
				dst[w][t], c = bits.Add64(dst[w][t], src[w][s], c)
			}
			if nz {
				lo, hi = min(lo, t), max(hi, t)
			}
		}
	}
	return lo, hi, hi >= 0
}

// deletion sets cur = ck − shift(prev) over the losing states (shift moves
// prev[s] to next[s]; without prev when usePrev is false) and returns the
// sum of cur over the pivotal states, those whose successor wins
// (next < 0). States are visited in increasing
// order and a voter only moves a coalition up, so every subtraction into
// a state is done before the state is read.
//
// Only positions lo..hi of lose are visited: the span of the non-zero
// cells of ck and prev; cur is cleared from lose[lo] to the last state
// the pass may write.
//
// prev holds valid counts only below the state prevEnd (the end the pass
// that wrote it returned); the pass returns its own end.
func (cur planes) deletion(ck, prev planes, usePrev bool, prevEnd int, lose, next []int32, acc []uint64, lo, hi int) (*big.Int, int) {
	clear(acc)
	if lo > hi {
		return new(big.Int), 0
	}
	if !usePrev {
		prevEnd = 0
	}
	end := int(lose[hi]) + 1
	for x := lo; x <= hi; x++ {
		if t := int(next[x]); t >= end {
			end = t + 1
		}
	}
	for w := range cur {
		clear(cur[w][lose[lo]:end])
	}
	lose, next = lose[lo:hi+1], next[lo:hi+1]
	switch len(cur) {
	case 1:
		c0, k0, p0 := cur[0], ck[0], prev[0]
		var sum, hi uint64
		for x, s := range lose {
			v := c0[s] + k0[s]
			c0[s] = v
			if t := next[x]; t < 0 {
				var c uint64
				sum, c = bits.Add64(sum, v, 0)
				hi += c
			} else if int(s) < prevEnd {
				c0[t] -= p0[s]
			}
		}
		acc[0], acc[1] = sum, hi
	case 2:
		c0, c1, k0, k1, p0, p1 := cur[0], cur[1], ck[0], ck[1], prev[0], prev[1]
		var s0, s1, s2 uint64
		for x, s := range lose {
			var c uint64
			c0[s], c = bits.Add64(c0[s], k0[s], 0)
			c1[s] += k1[s] + c
			if t := next[x]; t < 0 {
				s0, c = bits.Add64(s0, c0[s], 0)
				s1, c = bits.Add64(s1, c1[s], c)
				s2 += c
			} else if int(s) < prevEnd {
				c0[t], c = bits.Sub64(c0[t], p0[s], 0)
				c1[t] -= p1[s] + c
			}
		}
		acc[0], acc[1], acc[2] = s0, s1, s2
	default:
		W := len(cur)
		for x, s := range lose {
			var c uint64
			for w := 0; w < W; w++ {
				cur[w][s], c = bits.Add64(cur[w][s], ck[w][s], c)
			}
			if t := next[x]; t < 0 {
				c = 0
				for w := 0; w < W; w++ {
					acc[w], c = bits.Add64(acc[w], cur[w][s], c)
				}
				acc[W] += c
			} else if int(s) < prevEnd {
				c = 0
				for w := 0; w < W; w++ {
					cur[w][t], c = bits.Sub64(cur[w][t], prev[w][s], c)
				}
			}
		}
	}
	return wordsToInt(acc), end
}

// sum adds up the cells of the losing states, using acc (len(p)+1 words)
// as scratch.
func (p planes) sum(lose []int32, acc []uint64) *big.Int {
	clear(acc)
	W := len(p)
	for _, s := range lose {
		var c uint64
		for w := 0; w < W; w++ {
			acc[w], c = bits.Add64(acc[w], p[w][s], c)
		}
		acc[W] += c
	}
	return wordsToInt(acc)
}

func wordsToInt(a []uint64) *big.Int {
	ws := make([]big.Word, 0, len(a)*2)
	for _, x := range a {
		if bits.UintSize == 64 {
			ws = append(ws, big.Word(x))
		} else {
			ws = append(ws, big.Word(uint32(x)), big.Word(x>>32))
		}
	}
	return new(big.Int).SetBits(ws)
}
