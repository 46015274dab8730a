package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// testKey returns a deterministic key pair named name.
func testKey(t testing.TB, name string) (*Signer, note.Verifier) {
	t.Helper()
	seed := sha256.Sum256([]byte("entente test key " + name))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

var testTime = time.Date(2025, 8, 20, 12, 0, 0, 0, time.UTC)

// testLeaf returns the i-th leaf of the test logs.
func testLeaf(i int) Leaf {
	kinds := Kinds()
	content := fmt.Sprintf(`{"n": %d, "finding": "violation %d at Pokrovsk", "side": "RU"}`, i, i)
	return Leaf{Kind: kinds[i%len(kinds)], Time: testTime.Add(time.Duration(i) * time.Minute), Content: []byte(content)}
}

// newTestLog returns a log over memory with n test leaves, a checkpoint
// after each of the given sizes (which must be ≤ n, increasing) and one at
// n.
func newTestLog(t testing.TB, n int, checkpointsAt ...int) (*Log, *Memory, *Signer, note.Verifier) {
	t.Helper()
	ctx := context.Background()
	m := &Memory{}
	l, err := New(m, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	s, v := testKey(t, "entente.example/test-log")
	done := 0
	for _, at := range append(checkpointsAt, n) {
		var batch []Leaf
		for ; done < at; done++ {
			batch = append(batch, testLeaf(done))
		}
		if len(batch) > 0 {
			if _, err := l.Append(ctx, batch...); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := l.Checkpoint(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return l, m, s, v
}
