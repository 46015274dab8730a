package ledger

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
)

// rawLog returns a log over memory holding the given raw leaves (any bytes:
// the tree does not depend on the leaf encoding).
func rawLog(t testing.TB, leaves [][]byte) *Log {
	t.Helper()
	m := &Memory{}
	ctx := context.Background()
	err := m.Update(ctx, func(ctx context.Context, tx Tx) error {
		hashes, err := storedHashes(ctx, tx, 0, leaves)
		if err != nil {
			return err
		}
		return tx.WriteLeaves(ctx, 0, leaves, hashes)
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(m, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type hexHash tlog.Hash

func (h *hexHash) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	copy(h[:], d)
	return err
}

type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	*h = d
	return err
}

// TestRFC6962Vectors checks roots, inclusion proofs and consistency proofs
// against the fixed RFC 6962 test vectors in testdata/rfc6962.json.
func TestRFC6962Vectors(t *testing.T) {
	var v struct {
		Leaves     []hexBytes
		LeafHashes []hexHash `json:"leaf_hashes"`
		Roots      []hexHash
		Inclusion  []struct {
			Leaf, Size int64
			Proof      []hexHash
		}
		Consistency []struct {
			Size1, Size2 int64
			Proof        []hexHash
		}
	}
	b, err := os.ReadFile("testdata/rfc6962.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var leaves [][]byte
	for _, l := range v.Leaves {
		leaves = append(leaves, l)
	}
	for i, l := range leaves {
		if got := tlog.RecordHash(l); got != tlog.Hash(v.LeafHashes[i]) {
			t.Errorf("RecordHash(leaf %d) = %x, want %x", i, got, v.LeafHashes[i])
		}
	}
	for n := range len(leaves) + 1 {
		l := rawLog(t, leaves[:n])
		root, err := l.Root(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if root.Hash != tlog.Hash(v.Roots[n]) {
			t.Errorf("Root(size %d) = %x, want %x", n, root.Hash, v.Roots[n])
		}
	}
	l := rawLog(t, leaves)
	for _, tc := range v.Inclusion {
		p, err := l.ProveInclusion(ctx, tc.Leaf-1, tc.Size)
		if err != nil {
			t.Fatalf("ProveInclusion(%d, %d): %v", tc.Leaf-1, tc.Size, err)
		}
		if !sameProof(p.Proof, tc.Proof) {
			t.Errorf("ProveInclusion(%d, %d) = %x, want %x", tc.Leaf-1, tc.Size, p.Proof, tc.Proof)
		}
		if p.Root != tlog.Hash(v.Roots[tc.Size]) || p.Check() != nil {
			t.Errorf("ProveInclusion(%d, %d): root %x, check %v", tc.Leaf-1, tc.Size, p.Root, p.Check())
		}
	}
	for _, tc := range v.Consistency {
		p, err := l.ProveConsistency(ctx, tc.Size1, tc.Size2)
		if err != nil {
			t.Fatalf("ProveConsistency(%d, %d): %v", tc.Size1, tc.Size2, err)
		}
		if !sameProof(p.Proof, tc.Proof) {
			t.Errorf("ProveConsistency(%d, %d) = %x, want %x", tc.Size1, tc.Size2, p.Proof, tc.Proof)
		}
		if err := p.Check(); err != nil {
			t.Errorf("ProveConsistency(%d, %d).Check() = %v", tc.Size1, tc.Size2, err)
		}
	}
}

func sameProof(got []tlog.Hash, want []hexHash) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != tlog.Hash(want[i]) {
			return false
		}
	}
	return true
}

// TestAgainstTransparencyDevMerkle compares roots and proofs with an
// independent RFC 6962 implementation, github.com/transparency-dev/merkle,
// on random logs: its compact ranges give the roots, and its verifier
// checks our inclusion and consistency proofs, which must also equal the
// proofs it describes (proof.Inclusion, proof.Consistency) filled from a
// naive recursive Merkle Tree Hash written here.
func TestAgainstTransparencyDevMerkle(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	hasher := rfc6962.DefaultHasher
	for _, n := range []int{1, 2, 3, 5, 8, 13, 100, 255, 256, 257, 600, 1000 + rng.IntN(1000)} {
		leaves := make([][]byte, n)
		for i := range leaves {
			leaves[i] = make([]byte, rng.IntN(100))
			for j := range leaves[i] {
				leaves[i][j] = byte(rng.Uint32())
			}
		}
		l := rawLog(t, leaves)
		// Roots of every prefix (a sample for big logs).
		fact := compact.RangeFactory{Hash: hasher.HashChildren}
		r := fact.NewEmptyRange(0)
		for i, leaf := range leaves {
			if err := r.Append(hasher.HashLeaf(leaf), nil); err != nil {
				t.Fatal(err)
			}
			if i%7 != 0 && i != n-1 {
				continue
			}
			want, err := r.GetRootHash(nil)
			if err != nil {
				t.Fatal(err)
			}
			p, err := l.ProveConsistency(ctx, int64(i+1), int64(n))
			if err != nil {
				t.Fatal(err)
			}
			if string(p.OldRoot[:]) != string(want) {
				t.Fatalf("n=%d: root of size %d = %x, merkle says %x", n, i+1, p.OldRoot, want)
			}
		}
		full, _ := r.GetRootHash(nil)
		mth := naiveMTH(leaves)
		for k := 0; k < 30; k++ {
			size := 1 + rng.IntN(n)
			index := rng.IntN(size)
			p, err := l.ProveInclusion(ctx, int64(index), int64(size))
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(hasher, uint64(index), uint64(size), hasher.HashLeaf(leaves[index]), hashesBytes(p.Proof), p.Root[:]); err != nil {
				t.Errorf("n=%d: merkle rejects our inclusion proof of %d in %d: %v", n, index, size, err)
			}
			nodes, err := proof.Inclusion(uint64(index), uint64(size))
			if err != nil {
				t.Fatal(err)
			}
			if want := rehash(t, nodes, mth, hasher.HashChildren); !sameBytes(p.Proof, want) {
				t.Errorf("n=%d: inclusion proof of %d in %d = %x, merkle's = %x", n, index, size, p.Proof, want)
			}
			old := rng.IntN(size + 1)
			cp, err := l.ProveConsistency(ctx, int64(old), int64(size))
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(hasher, uint64(old), uint64(size), hashesBytes(cp.Proof), cp.OldRoot[:], cp.NewRoot[:]); err != nil {
				t.Errorf("n=%d: merkle rejects our consistency proof %d→%d: %v", n, old, size, err)
			}
			cnodes, err := proof.Consistency(uint64(old), uint64(size))
			if err != nil {
				t.Fatal(err)
			}
			if want := rehash(t, cnodes, mth, hasher.HashChildren); !sameBytes(cp.Proof, want) {
				t.Errorf("n=%d: consistency proof %d→%d = %x, merkle's = %x", n, old, size, cp.Proof, want)
			}
		}
		root, err := l.Root(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(root.Hash[:]) != string(full) {
			t.Errorf("n=%d: root %x, merkle says %x", n, root.Hash, full)
		}
	}
}

// naiveMTH returns a function giving the hash of the perfect subtree at
// (level, index), computed by the recursive definition of RFC 6962 §2.1.
func naiveMTH(leaves [][]byte) func(level uint, index uint64) []byte {
	h := rfc6962.DefaultHasher
	var mth func(lo, hi int) []byte
	mth = func(lo, hi int) []byte {
		if hi-lo == 1 {
			return h.HashLeaf(leaves[lo])
		}
		k := 1
		for k*2 < hi-lo {
			k *= 2
		}
		return h.HashChildren(mth(lo, lo+k), mth(lo+k, hi))
	}
	return func(level uint, index uint64) []byte {
		lo := int(index << level)
		return mth(lo, min(lo+1<<level, len(leaves)))
	}
}

func rehash(t *testing.T, n proof.Nodes, mth func(uint, uint64) []byte, hc func(a, b []byte) []byte) [][]byte {
	t.Helper()
	var hs [][]byte
	for _, id := range n.IDs {
		hs = append(hs, mth(id.Level, id.Index))
	}
	out, err := n.Rehash(hs, hc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hashesBytes(p []tlog.Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

func sameBytes(a []tlog.Hash, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if string(a[i][:]) != string(b[i]) {
			return false
		}
	}
	return true
}
