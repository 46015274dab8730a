// Package ledger is entente's tamper-evident record: every ingested batch,
// monitoring report, ruling and guarantee activation, appended to one log
// that any party can verify on its own machine without trusting whoever
// runs the server.
//
// The log is a transparency log in the sense of RFC 6962 and the Go
// checksum database: leaves are hashed into a Merkle tree
// (golang.org/x/mod/sumdb/tlog), and the log's key signs checkpoints,
// signed notes (golang.org/x/mod/sumdb/note) that commit to the tree's
// size and root hash. Given a checkpoint, anyone can check that a leaf is
// in the log (an inclusion proof), that a later checkpoint extends an
// earlier one rather than rewriting it (a consistency proof), and, holding
// the leaves, that nothing was changed at all. The parties countersign
// checkpoints with their own keys: a checkpoint cosigned by every party is
// one record none of them can later deny.
//
// # Leaves
//
// A [Leaf] has a [Kind] (batch, report, ruling, activation, position, publication), a time and a
// JSON content. Its encoding ([Leaf.Encode], [DecodeLeaf]) is canonical and
// stable: a version byte, the kind byte, the time in Unix nanoseconds, the
// SHA-256 of the content, then the content byte for byte (so the hash is
// that of the file it came from). docs/log-format.md gives it byte by byte
// with its forward-compatibility rule: new kinds take new kind bytes, and
// any other change takes a new version byte; the tree never depends on
// the encoding, so a reader verifies leaves it cannot decode.
//
// # Storage
//
// A [Log] works over a [Storage], a small interface that this package
// owns: a read view and a read-write transaction, given as closures. A
// transaction reads the log's size and its stored hashes (as a
// tlog.HashReader, through [Reader.ReadHashes]) and writes leaves with
// their stored hashes and signed checkpoints. Its contract is written on
// [Storage]: one writer at a time across processes, all or nothing. [Log]
// computes every stored hash itself (tlog.StoredHashes) when it appends,
// so a backend holds bytes and hashes and knows nothing of Merkle trees.
// [Memory] is the in-memory implementation; the store package's SQLite and
// PostgreSQL backends are the durable ones (store.LogStorage), where a
// batch of events and its leaf commit in one transaction ([AppendTx]).
// Package ledgertest is the conformance suite every implementation runs.
//
// # Checkpoints
//
// A [Checkpoint] is the text of the C2SP tlog-checkpoint format, which is
// also the Go checksum database's (tlog.FormatTree) with an origin line:
//
//	entente.example/ukraine-2025
//	4
//	WMoU6mUgovyf4XfLLUBmzJx1V8B+3QTQ/MIHJ6Y/X00=
//
// followed, in the signed note, by a blank line and one signature line per
// signer. The origin is the name of the log's key: the key that signs a
// log's checkpoints names it, and a checkpoint whose origin is not the
// expected one comes from another log ([ErrOrigin]). [Log.Checkpoint]
// signs and stores one; [OpenCheckpoint] checks one; [Cosign] and
// [Log.Cosign] add a party's signature.
//
// # Verifying
//
// [Log.Verify] and [VerifyExport] re-derive the whole tree from the leaves
// and compare it with everything the log claims: each stored hash (or tile
// hash), each checkpoint's signature and root, consistency proofs between
// successive checkpoints and inclusion proofs, both built from the log's
// own hashes the way a client builds them. Recomputing the root from every
// leaf and finding the signed root proves every leaf's inclusion at once.
// Each [Problem] names the leaf index, checkpoint or file: an edited leaf
// is named by its index (its hash no longer matches), a deleted or moved
// one by the first index that shifted, a truncation by the first missing
// index, and a leaf rewritten together with every hash by the checkpoints
// whose roots it breaks. [Log.Fsck] does the same without keys and is
// read for its first problem.
//
// # Exports
//
// [Log.Export] writes the log in the C2SP tlog-tiles static layout, so
// that standard tlog clients and witnesses can read it:
//
//	checkpoint                 the latest signed checkpoint
//	tile/<L>/<N>[.p/<W>]       hash tiles, 256 hashes wide
//	tile/entries/<N>[.p/<W>]   entry bundles: the leaves, each after a big-endian uint16 length
//	checkpoints/<seq>          every checkpoint, 1, 2, …, for consistency checks
//
// Partial tiles are written for every checkpoint's size. [VerifyExport]
// checks an export offline against the log's public key.
//
// # Keys
//
// Keys are Ed25519 note keys. [WriteKeyPair] writes NAME.key (the signer
// key, mode 0600, never overwritten) and NAME.pub (the verifier key);
// [ReadSigner] and [ReadVerifier] read them.
//
// # A worked example
//
// A mediator logs a ruling and signs a checkpoint; a party checks that the
// ruling is in the log; everyone verifies the whole log:
//
//	signer, _ := ledger.ReadSigner("mission.key")
//	l, _ := ledger.New(&ledger.Memory{}, ledger.DefaultOptions())
//	ruling, _ := ledger.NewLeaf(ledger.KindRuling, time.Now(), []byte(`{"event": "ucdp-1", "ruling": "violation"}`))
//	i, _ := l.Append(ctx, ruling)
//	cp, _ := l.Checkpoint(ctx, signer)           // a signed note: origin, size, root
//	p, _ := l.ProveInclusion(ctx, i, cp.Size)    // leaf i is in the tree cp signs
//	err := p.Check()                             // nil
//	rep, _ := l.Verify(ctx, ledger.VerifyOptions{LogKey: signer.Verifier()})
//	// rep.OK, rep.Size == 1, rep.Root == cp.Hash
//
// From the command line the same is
//
//	entente log keygen --name mission --out keys
//	entente log append --kind ruling ruling.json
//	entente log checkpoint --key keys/mission.key
//	entente log prove 0
//	entente log export published/
//	entente log verify --export published/ --key keys/mission.pub
//
// The runnable examples (Example, ExampleVerifyExport) show the outputs,
// including a failed verification.
package ledger
