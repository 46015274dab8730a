package guarantee

import (
	"context"
	"math/big"
	"math/bits"
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
	t := &tables{words: words, size: g.size}
	// C[k] for k = 0..n over all states (winning cells stay zero).
	C := make([][]uint64, n+1)
	for k := range C {
		C[k] = make([]uint64, g.size*words)
	}
	C[0][0] = 1 // the empty coalition is in state 0, which loses
	next := make([]int32, len(lose))
	for j := 0; j < n; j++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		g.transitions(j, lose, win, next)
		for k := j; k >= 0; k-- {
			t.push(C[k+1], C[k], lose, next, +1)
		}
	}
	p := &Power{Swings: make([]*big.Int, n), Banzhaf: make([]*big.Rat, n), ShapleyShubik: make([]*big.Rat, n),
		TotalSwings: new(big.Int), Winning: new(big.Int).Lsh(big.NewInt(1), uint(n))}
	for k := 0; k <= n; k++ {
		p.Winning.Sub(p.Winning, t.sum(C[k], lose, nil))
	}
	fact := factorials(n)
	prev := make([]uint64, g.size*words)
	cur := make([]uint64, g.size*words)
	pivotal := make([]bool, len(lose))
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		g.transitions(i, lose, win, next)
		for x := range lose {
			pivotal[x] = next[x] < 0
		}
		swings, ss := new(big.Int), new(big.Int)
		for k := 0; k < n; k++ {
			// C₋ᵢ[k] = C[k] − shiftᵢ(C₋ᵢ[k−1])
			t.copyLosing(cur, C[k], lose)
			if k > 0 {
				t.push(cur, prev, lose, next, -1)
			}
			piv := t.sum(cur, lose, pivotal)
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

// tables does the arithmetic of the counting tables: each cell is an
// unsigned integer of words 64-bit words, least significant first.
type tables struct {
	words int
	size  int
}

// push adds (sign +1) or subtracts (sign −1) src[s] into dst[next[s]] for
// every losing state s whose successor loses.
func (t *tables) push(dst, src []uint64, lose, next []int32, sign int) {
	w := t.words
	if w == 1 {
		for x, s := range lose {
			v := src[s]
			if v == 0 || next[x] < 0 {
				continue
			}
			if sign > 0 {
				dst[next[x]] += v
			} else {
				dst[next[x]] -= v
			}
		}
		return
	}
	for x, s := range lose {
		to := next[x]
		if to < 0 {
			continue
		}
		a := src[int(s)*w : int(s)*w+w]
		if isZero(a) {
			continue
		}
		b := dst[int(to)*w : int(to)*w+w]
		var c uint64
		if sign > 0 {
			for k := range b {
				b[k], c = bits.Add64(b[k], a[k], c)
			}
		} else {
			for k := range b {
				b[k], c = bits.Sub64(b[k], a[k], c)
			}
		}
	}
}

func isZero(a []uint64) bool {
	for _, x := range a {
		if x != 0 {
			return false
		}
	}
	return true
}

// copyLosing copies the losing cells of src into dst.
func (t *tables) copyLosing(dst, src []uint64, lose []int32) {
	w := t.words
	for _, s := range lose {
		copy(dst[int(s)*w:int(s)*w+w], src[int(s)*w:int(s)*w+w])
	}
}

// sum adds up the cells of the losing states (those marked in only, when
// only is not nil).
func (t *tables) sum(src []uint64, lose []int32, only []bool) *big.Int {
	w := t.words
	acc := make([]uint64, w+1) // at most 2^31 cells below 2^(64w) each
	for x, s := range lose {
		if only != nil && !only[x] {
			continue
		}
		a := src[int(s)*w : int(s)*w+w]
		var c uint64
		for k := range a {
			acc[k], c = bits.Add64(acc[k], a[k], c)
		}
		acc[w] += c
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
