package ledger

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// benchLog builds (once per size) a log of n leaves of about 200 bytes with
// a checkpoint every n/8 leaves.
var benchLogs sync.Map

func benchLog(b *testing.B, n int) (*Log, *Memory) {
	b.Helper()
	if e, ok := benchLogs.Load(n); ok {
		p := e.([2]any)
		return p[0].(*Log), p[1].(*Memory)
	}
	var at []int
	for k := 1; k < 8; k++ {
		at = append(at, n*k/8)
	}
	l, m, _, _ := newTestLog(b, n, at...)
	benchLogs.Store(n, [2]any{l, m})
	return l, m
}

// BenchmarkAppend appends batches of 1,000 leaves to memory storage.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	batch := make([]Leaf, 1000)
	for i := range batch {
		batch[i] = testLeaf(i)
	}
	l, _ := New(&Memory{}, DefaultOptions())
	for b.Loop() {
		if _, err := l.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "leaves/s")
}

// BenchmarkAppendOne appends one leaf per transaction.
func BenchmarkAppendOne(b *testing.B) {
	ctx := context.Background()
	l, _ := New(&Memory{}, DefaultOptions())
	leaf := testLeaf(1)
	for b.Loop() {
		if _, err := l.Append(ctx, leaf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leaves/s")
}

// BenchmarkProveInclusion proves (and checks) the inclusion of a leaf in a
// log of 1M leaves.
func BenchmarkProveInclusion(b *testing.B) {
	ctx := context.Background()
	l, _ := benchLog(b, 1<<20)
	i := int64(0)
	for b.Loop() {
		i = (i + 7919) % (1 << 20)
		p, err := l.ProveInclusion(ctx, i, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Check(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies a log of 1M leaves in memory storage: every
// leaf decoded and re-hashed, every stored hash compared, every
// checkpoint's signature and root, consistency and inclusion proofs.
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{1 << 16, 1 << 20} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			l, _ := benchLog(b, n)
			_, v := testKey(b, "entente.example/test-log")
			for b.Loop() {
				rep, err := l.Verify(ctx, VerifyOptions{LogKey: v})
				if err != nil || !rep.OK {
					b.Fatal(err, rep.Problems)
				}
			}
		})
	}
}

// BenchmarkVerifyExport verifies an export of 1M leaves on disk.
func BenchmarkVerifyExport(b *testing.B) {
	for _, n := range []int{1 << 16, 1 << 20} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			l, _ := benchLog(b, n)
			_, v := testKey(b, "entente.example/test-log")
			dir := b.TempDir()
			if _, err := l.Export(ctx, dir); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				rep, err := VerifyExport(os.DirFS(dir), VerifyOptions{LogKey: v})
				if err != nil || !rep.OK {
					b.Fatal(err, rep.Problems)
				}
			}
		})
	}
}

// BenchmarkRootBaseline is the floor under BenchmarkVerify: the bare RFC
// 6962 root of the same 1M encoded leaves, by transparency-dev/merkle's
// compact range (leaf and node hashing only: no decoding, no comparisons,
// no signatures).
func BenchmarkRootBaseline(b *testing.B) {
	ctx := context.Background()
	l, _ := benchLog(b, 1<<20)
	entries, err := l.Leaves(ctx, 0, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	hasher := rfc6962.DefaultHasher
	fact := compact.RangeFactory{Hash: hasher.HashChildren}
	for b.Loop() {
		r := fact.NewEmptyRange(0)
		for _, e := range entries {
			if err := r.Append(hasher.HashLeaf(e.Raw), nil); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := r.GetRootHash(nil); err != nil {
			b.Fatal(err)
		}
	}
}
