package rules

import (
	"math"
	"math/big"
	"sort"
	"strings"

	celast "cel.dev/cel-go/common/ast"
)

// linear is an int: c plus the sum of a*issue over its terms, one term per
// Range issue, sorted by issue.
type linear struct {
	terms []term
	c     int64
}

type term struct {
	d *issueDecl
	a int64
}

func (l linear) isConst() bool { return len(l.terms) == 0 }

// compare is the diagram of a op b for ints or strings (op is a CEL
// function name: _==_, _<_, _<=_, _>_, _>=_).
func (c *symc) compare(e celast.Expr, op string, a, b sym) int32 {
	if a.k != b.k {
		c.fail(e, "comparing a %s with a %s is outside what the deal-space engine compiles", a.k, b.k)
	}
	out := bddFalse
	switch a.k {
	case sString:
		for _, x := range a.cs {
			for _, y := range b.cs {
				if cmpHolds(op, strings.Compare(x.str, y.str)) {
					out = c.b.or(out, c.b.and(x.cond, y.cond))
				}
			}
		}
	case sInt:
		for _, x := range a.cs {
			for _, y := range b.cs {
				cond := c.b.and(x.cond, y.cond)
				if cond == bddFalse {
					continue
				}
				out = c.b.or(out, c.b.and(cond, c.cmpLinear(e, op, sub(x.lin, y.lin))))
			}
		}
	case sBool:
		if op != "_==_" {
			c.fail(e, "ordering bools is outside what the deal-space engine compiles")
		}
		return c.b.iff(a.b, b.b)
	default:
		c.fail(e, "ordering %ss is outside what the deal-space engine compiles", a.k)
	}
	return out
}

func cmpHolds(op string, sign int) bool {
	switch op {
	case "_==_":
		return sign == 0
	case "_<_":
		return sign < 0
	case "_<=_":
		return sign <= 0
	case "_>_":
		return sign > 0
	case "_>=_":
		return sign >= 0
	}
	return false
}

// bigLinear is a linear expression with exact coefficients, for
// comparisons (which CEL makes without overflow).
type bigLinear struct {
	terms []bigTerm
	c     *big.Int
}

type bigTerm struct {
	d *issueDecl
	a *big.Int
}

func sub(x, y linear) bigLinear { return addLinear(x, y, -1) }

// addLinear returns x + sign*y exactly.
func addLinear(x, y linear, sign int64) bigLinear {
	out := bigLinear{c: new(big.Int).Add(big.NewInt(x.c), new(big.Int).Mul(big.NewInt(y.c), big.NewInt(sign)))}
	coef := map[*issueDecl]*big.Int{}
	var order []*issueDecl
	add := func(ts []term, sign int64) {
		for _, t := range ts {
			if coef[t.d] == nil {
				coef[t.d] = new(big.Int)
				order = append(order, t.d)
			}
			coef[t.d].Add(coef[t.d], new(big.Int).Mul(big.NewInt(t.a), big.NewInt(sign)))
		}
	}
	add(x.terms, 1)
	add(y.terms, sign)
	sort.Slice(order, func(i, j int) bool { return order[i].index < order[j].index })
	for _, d := range order {
		if coef[d].Sign() != 0 {
			out.terms = append(out.terms, bigTerm{d, coef[d]})
		}
	}
	return out
}

// cmpLinear is the diagram of l op 0.
func (c *symc) cmpLinear(e celast.Expr, op string, l bigLinear) int32 {
	switch len(l.terms) {
	case 0:
		return constB(cmpHolds(op, l.c.Sign()))
	case 1:
		t := l.terms[0]
		k := new(big.Int).Neg(l.c) // a*x op k
		a := t.a
		d := t.d
		switch op {
		case "_==_":
			q, r := new(big.Int).QuoRem(k, a, new(big.Int))
			if r.Sign() != 0 || !q.IsInt64() {
				return bddFalse
			}
			return c.isValue(d, q.Int64())
		case "_<=_":
			return c.leq(d, a, k)
		case "_<_":
			return c.leq(d, a, new(big.Int).Sub(k, big.NewInt(1)))
		case "_>_":
			return c.b.not(c.leq(d, a, k))
		case "_>=_":
			return c.b.not(c.leq(d, a, new(big.Int).Sub(k, big.NewInt(1))))
		}
		c.fail(e, "unknown comparison %s", op)
	}
	// Several issues: split over the values of the one with fewest.
	best := 0
	for i, t := range l.terms {
		if t.d.values() < l.terms[best].d.values() {
			best = i
		}
	}
	d := l.terms[best].d
	n := d.values()
	if n > MaxCases {
		c.fail(e, "the comparison combines issues whose values are too many to split (%s has %d values; the limit is %d)", d.ID, n, MaxCases)
	}
	rest := bigLinear{c: l.c}
	for i, t := range l.terms {
		if i != best {
			rest.terms = append(rest.terms, t)
		}
	}
	out := bddFalse
	a := l.terms[best].a
	for i := uint64(0); i < n; i++ {
		v := int64(uint64(d.Min) + i*uint64(d.Step))
		r := bigLinear{terms: rest.terms, c: new(big.Int).Add(rest.c, new(big.Int).Mul(a, big.NewInt(v)))}
		out = c.b.or(out, c.b.and(c.isValue(d, v), c.cmpLinear(e, op, r)))
	}
	return out
}

// leq is the diagram of a*x <= k.
func (c *symc) leq(d *issueDecl, a, k *big.Int) int32 {
	if a.Sign() > 0 {
		return c.atMost(d, floorDiv(k, a))
	}
	// a < 0: x >= ceil(k/a), i.e. not (x <= ceil(k/a) - 1).
	ceil := new(big.Int).Neg(floorDiv(new(big.Int).Neg(k), a))
	return c.b.not(c.atMost(d, new(big.Int).Sub(ceil, big.NewInt(1))))
}

// floorDiv returns floor(k/a).
func floorDiv(k, a *big.Int) *big.Int {
	q, m := new(big.Int).DivMod(k, a, new(big.Int)) // Euclidean: m >= 0
	if a.Sign() < 0 && m.Sign() != 0 {
		// k = q*a + m with 0 < m < |a|: k/a = q + m/a lies in (q-1, q).
		q.Sub(q, big.NewInt(1))
	}
	return q
}

// values returns the number of values of a Range issue.
func (d *issueDecl) values() uint64 {
	return (uint64(d.Max)-uint64(d.Min))/uint64(d.Step) + 1
}

// arith is the value of a op b for ints, strings (+) and lists (+).
func (c *symc) arith(e celast.Expr, op string, a, b sym) sym {
	if a.k != b.k {
		c.fail(e, "arithmetic between a %s and a %s is outside what the deal-space engine compiles", a.k, b.k)
	}
	switch a.k {
	case sString:
		if op != "_+_" {
			break
		}
		return c.pairs(e, sString, a, b, func(x, y scase) scase { return scase{cond: bddTrue, str: x.str + y.str} })
	case sList:
		if op != "_+_" {
			break
		}
		return c.pairs(e, sList, a, b, func(x, y scase) scase {
			return scase{cond: bddTrue, elems: append(append([]*elem(nil), x.elems...), y.elems...)}
		})
	case sInt:
		switch op {
		case "_+_", "_-_":
			sign := int64(1)
			if op == "_-_" {
				sign = -1
			}
			return c.pairs(e, sInt, a, b, func(x, y scase) scase {
				return scase{cond: bddTrue, lin: c.combine(e, x.lin, y.lin, sign)}
			})
		case "_*_":
			if !c.allConst(a) && !c.allConst(b) {
				if c.width(a) <= c.width(b) {
					a = c.concretize(e, a)
				} else {
					b = c.concretize(e, b)
				}
			}
			return c.pairs(e, sInt, a, b, func(x, y scase) scase {
				if x.lin.isConst() {
					return scase{cond: bddTrue, lin: c.scale(e, y.lin, x.lin.c)}
				}
				return scase{cond: bddTrue, lin: c.scale(e, x.lin, y.lin.c)}
			})
		case "_/_", "_%_":
			a, b = c.concretize(e, a), c.concretize(e, b)
			return c.pairs(e, sInt, a, b, func(x, y scase) scase {
				n, m := x.lin.c, y.lin.c
				if m == 0 {
					c.fail(e, "the divisor may be zero, which CEL reports as an error; guard the rule so that it cannot")
				}
				if n == math.MinInt64 && m == -1 {
					c.fail(e, "the division may overflow")
				}
				if op == "_/_" {
					return scase{cond: bddTrue, lin: linear{c: n / m}}
				}
				return scase{cond: bddTrue, lin: linear{c: n % m}}
			})
		}
	}
	c.fail(e, "%s on %ss is outside what the deal-space engine compiles", strings.Trim(op, "_"), a.k)
	return sym{}
}

func (c *symc) allConst(s sym) bool {
	for _, x := range s.cs {
		if !x.lin.isConst() {
			return false
		}
	}
	return true
}

// width is the number of constant cases concretize would make.
func (c *symc) width(s sym) float64 {
	w := 0.0
	for _, x := range s.cs {
		p := 1.0
		for _, t := range x.lin.terms {
			p *= float64(t.d.values())
		}
		w += p
	}
	return w
}

// concretize splits every case of an int over the values of its issues,
// giving constant cases.
func (c *symc) concretize(e celast.Expr, s sym) sym {
	if c.allConst(s) {
		return s
	}
	if c.width(s) > MaxCases {
		c.fail(e, "the expression needs more than %d cases (the product of its issues' values); split the rule or use larger steps", MaxCases)
	}
	out := sym{k: sInt}
	for _, x := range s.cs {
		var rec func(i int, cond int32, acc *big.Int)
		rec = func(i int, cond int32, acc *big.Int) {
			if cond == bddFalse {
				return
			}
			if i == len(x.lin.terms) {
				if !acc.IsInt64() {
					c.fail(e, "the expression may overflow a 64-bit int")
				}
				out.cs = append(out.cs, scase{cond: cond, lin: linear{c: acc.Int64()}})
				return
			}
			t := x.lin.terms[i]
			for k := uint64(0); k < t.d.values(); k++ {
				v := int64(uint64(t.d.Min) + k*uint64(t.d.Step))
				rec(i+1, c.b.and(cond, c.isValue(t.d, v)), new(big.Int).Add(acc, new(big.Int).Mul(big.NewInt(t.a), big.NewInt(v))))
			}
		}
		rec(0, x.cond, big.NewInt(x.lin.c))
	}
	return c.compact(e, out)
}

// combine returns x + sign*y, failing when a value could overflow.
func (c *symc) combine(e celast.Expr, x, y linear, sign int64) linear {
	return c.fit(e, addLinear(x, y, sign))
}

func (c *symc) scale(e celast.Expr, x linear, k int64) linear {
	l := bigLinear{c: new(big.Int).Mul(big.NewInt(x.c), big.NewInt(k))}
	if k != 0 {
		for _, t := range x.terms {
			l.terms = append(l.terms, bigTerm{t.d, new(big.Int).Mul(big.NewInt(t.a), big.NewInt(k))})
		}
	}
	return c.fit(e, l)
}

// fit converts an exact linear expression back to int64 coefficients,
// failing when the expression could take a value outside int64 (CEL
// reports overflow as an error).
func (c *symc) fit(e celast.Expr, l bigLinear) linear {
	lo, hi := new(big.Int).Set(l.c), new(big.Int).Set(l.c)
	out := linear{}
	for _, t := range l.terms {
		x1 := new(big.Int).Mul(t.a, big.NewInt(t.d.Min))
		x2 := new(big.Int).Mul(t.a, big.NewInt(t.d.Max))
		if x1.Cmp(x2) > 0 {
			x1, x2 = x2, x1
		}
		lo.Add(lo, x1)
		hi.Add(hi, x2)
		if !t.a.IsInt64() {
			c.fail(e, "the expression may overflow a 64-bit int")
		}
		out.terms = append(out.terms, term{t.d, t.a.Int64()})
	}
	if !lo.IsInt64() || !hi.IsInt64() || !l.c.IsInt64() {
		c.fail(e, "the expression may overflow a 64-bit int")
	}
	out.c = l.c.Int64()
	return out
}
