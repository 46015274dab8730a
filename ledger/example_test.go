package ledger_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/entente-org/entente/ledger"
)

// exampleSigner returns a fixed key, so that the outputs below are stable.
func exampleSigner(name string) *ledger.Signer {
	seed := sha256.Sum256([]byte("example " + name))
	skey, _, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		panic(err)
	}
	s, err := ledger.ParseSigner(skey)
	if err != nil {
		panic(err)
	}
	return s
}

// A mediator logs two rulings, signs a checkpoint, proves that the first
// ruling is in the log, and verifies the whole log.
func Example() {
	ctx := context.Background()
	signer := exampleSigner("entente.example/ukraine-2025")
	l, err := ledger.New(&ledger.Memory{}, ledger.DefaultOptions())
	if err != nil {
		panic(err)
	}
	at := time.Date(2025, 8, 20, 12, 0, 0, 0, time.UTC)
	r1, _ := ledger.NewLeaf(ledger.KindRuling, at, []byte(`{"event": "ucdp-1", "ruling": "violation", "side": "RU"}`))
	r2, _ := ledger.NewLeaf(ledger.KindRuling, at, []byte(`{"event": "ucdp-2", "ruling": "no violation"}`))
	first, err := l.Append(ctx, r1, r2)
	if err != nil {
		panic(err)
	}
	cp, err := l.Checkpoint(ctx, signer)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s", cp.Checkpoint.Text())
	p, err := l.ProveInclusion(ctx, first, cp.Size)
	if err != nil {
		panic(err)
	}
	fmt.Println("inclusion of leaf", p.Index, "in", p.Size, "leaves:", p.Check() == nil)
	rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: signer.Verifier()})
	if err != nil {
		panic(err)
	}
	fmt.Println("verified:", rep.OK, "size", rep.Size, "root matches:", rep.Root == cp.Hash)
	// Output:
	// entente.example/ukraine-2025
	// 2
	// cuzfTEfmt5A5W9bdWia1G7Mx+kE2wG4w/MUo9Z5HHYU=
	// inclusion of leaf 0 in 2 leaves: true
	// verified: true size 2 root matches: true
}

// An export is verified offline with the log's public key; a changed byte
// in an entry bundle is found and named.
func ExampleVerifyExport() {
	ctx := context.Background()
	signer := exampleSigner("entente.example/ukraine-2025")
	l, _ := ledger.New(&ledger.Memory{}, ledger.DefaultOptions())
	at := time.Date(2025, 8, 20, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		leaf, _ := ledger.NewLeaf(ledger.KindReport, at, fmt.Appendf(nil, `{"day": %d, "violations": %d}`, i+1, 60+i))
		if _, err := l.Append(ctx, leaf); err != nil {
			panic(err)
		}
	}
	if _, err := l.Checkpoint(ctx, signer); err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "export")
	defer os.RemoveAll(dir)
	if _, err := l.Export(ctx, dir); err != nil {
		panic(err)
	}
	opts := ledger.VerifyOptions{LogKey: signer.Verifier()}
	rep, _ := ledger.VerifyExport(os.DirFS(dir), opts)
	fmt.Println("untouched:", rep.OK)

	// Someone lowers day 2's count from 61 to 51.
	bundle := filepath.Join(dir, "tile", "entries", "000.p", "3")
	b, _ := os.ReadFile(bundle)
	b = bytes.Replace(b, []byte(`"violations": 61`), []byte(`"violations": 51`), 1)
	os.WriteFile(bundle, b, 0o644)
	rep, _ = ledger.VerifyExport(os.DirFS(dir), opts)
	fmt.Println("tampered:", rep.OK, "first problem:", rep.First().Code, "at leaf", rep.First().Index)
	// Output:
	// untouched: true
	// tampered: false first problem: leaf-format at leaf 1
}
