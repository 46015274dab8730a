package guarantee

import (
	"math/big"

	"github.com/entente-org/entente/settlement"
)

// This file holds the independent methods the engine is checked against:
// enumeration of every coalition and every ordering, written from the
// definitions and evaluating the rule with settlement.Decision.Wins
// (floating-point weights, no compilation, no states).

// bruteWins returns, for every coalition of the voters as a bit mask,
// whether it activates the rule.
func bruteWins(d *settlement.Decision, voters []string) []bool {
	n := len(voters)
	out := make([]bool, 1<<n)
	for mask := range out {
		c := map[string]bool{}
		for i, v := range voters {
			if mask&(1<<i) != 0 {
				c[v] = true
			}
		}
		out[mask] = d.Wins(c)
	}
	return out
}

// bruteSwings counts, for each voter, the coalitions of the others that
// lose without it and win with it.
func bruteSwings(win []bool, n int) []int64 {
	sw := make([]int64, n)
	for mask := range win {
		for i := 0; i < n; i++ {
			if mask&(1<<i) == 0 && !win[mask] && win[mask|1<<i] {
				sw[i]++
			}
		}
	}
	return sw
}

// bruteShapley enumerates all n! orderings (Heap's algorithm) and counts
// for each voter the orderings in which it is pivotal: the first voter
// whose arrival makes the coalition of those before it win.
func bruteShapley(win []bool, n int) []*big.Rat {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	piv := make([]int64, n)
	var total int64
	visit := func() {
		total++
		mask := 0
		for _, v := range perm {
			mask |= 1 << v
			if win[mask] {
				piv[v]++
				return
			}
		}
	}
	c := make([]int, n)
	visit()
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				perm[0], perm[i] = perm[i], perm[0]
			} else {
				perm[c[i]], perm[i] = perm[i], perm[c[i]]
			}
			visit()
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
	out := make([]*big.Rat, n)
	for i := range out {
		out[i] = big.NewRat(piv[i], total)
	}
	return out
}

// bruteMinimal lists the minimal winning coalitions as bit masks.
func bruteMinimal(win []bool, n int) []int {
	var out []int
	for mask, w := range win {
		if !w {
			continue
		}
		minimal := true
		for i := 0; i < n; i++ {
			if mask&(1<<i) != 0 && win[mask&^(1<<i)] {
				minimal = false
				break
			}
		}
		if minimal {
			out = append(out, mask)
		}
	}
	return out
}
