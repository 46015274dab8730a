package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrIndex is the error (wrapped) for a leaf index or tree size beyond the
// log.
var ErrIndex = errors.New("index beyond the log")

// ErrNoCheckpoint is the error (wrapped) when an operation needs a signed
// checkpoint and the log has none.
var ErrNoCheckpoint = errors.New("no checkpoint")

// Options configures a [Log].
type Options struct {
	// ReadBatch is how many leaves Verify, Fsck and Export read from storage
	// at a time.
	ReadBatch int
}

// DefaultOptions returns the options entente uses.
func DefaultOptions() Options { return Options{ReadBatch: 4096} }

// Log is a tamper-evident log over a [Storage]: it encodes and appends
// leaves, computes every stored hash, signs checkpoints, proves inclusion
// and consistency, checks the storage (Fsck, Verify) and exports it.
// A Log is safe for concurrent use; writers are serialised by the storage.
type Log struct {
	storage Storage
	opts    Options
}

// New returns a Log over storage.
func New(storage Storage, opts Options) (*Log, error) {
	if storage == nil {
		return nil, errors.New("new log: nil storage")
	}
	if opts.ReadBatch <= 0 {
		return nil, fmt.Errorf("new log: ReadBatch %d must be positive", opts.ReadBatch)
	}
	return &Log{storage: storage, opts: opts}, nil
}

// Append encodes leaves and appends them in one transaction: all of them or
// none. It returns the index of the first. Each leaf's stored hashes are
// computed here (tlog.StoredHashes) and written with it.
func (l *Log) Append(ctx context.Context, leaves ...Leaf) (first int64, err error) {
	enc, err := encodeAll(leaves)
	if err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	err = l.storage.Update(ctx, func(ctx context.Context, tx Tx) error {
		first, err = appendEncoded(ctx, tx, enc)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	return first, nil
}

// AppendTx appends leaves within a transaction the caller runs, so that a
// record and the data it describes commit together (entente monitor ingest
// writes a batch of events and the batch's leaf in one store transaction).
// It returns the index of the first leaf.
func AppendTx(ctx context.Context, tx Tx, leaves ...Leaf) (first int64, err error) {
	enc, err := encodeAll(leaves)
	if err == nil {
		first, err = appendEncoded(ctx, tx, enc)
	}
	if err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	return first, nil
}

func encodeAll(leaves []Leaf) ([][]byte, error) {
	enc := make([][]byte, len(leaves))
	for i, lf := range leaves {
		b, err := lf.Encode()
		if err != nil {
			return nil, fmt.Errorf("leaf %d of %d: %w", i+1, len(leaves), err)
		}
		enc[i] = b
	}
	return enc, nil
}

func appendEncoded(ctx context.Context, tx Tx, enc [][]byte) (int64, error) {
	n, err := tx.Size(ctx)
	if err != nil {
		return 0, err
	}
	hashes, err := storedHashes(ctx, tx, n, enc)
	if err != nil {
		return 0, err
	}
	return n, tx.WriteLeaves(ctx, n, enc, hashes)
}

// storedHashes computes the stored hashes of leaves appended at index n,
// reading earlier hashes from r and the batch's own from memory.
func storedHashes(ctx context.Context, r Reader, n int64, leaves [][]byte) ([]tlog.Hash, error) {
	base := tlog.StoredHashIndex(0, n)
	var hashes []tlog.Hash
	hr := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var old []int64
		for _, x := range indexes {
			if x < base {
				old = append(old, x)
			}
		}
		var got []tlog.Hash
		if len(old) > 0 {
			var err error
			if got, err = r.ReadHashes(ctx, old); err != nil {
				return nil, err
			}
		}
		for i, x := range indexes {
			if x < base {
				out[i], got = got[0], got[1:]
			} else {
				out[i] = hashes[x-base]
			}
		}
		return out, nil
	})
	for i, leaf := range leaves {
		h, err := tlog.StoredHashes(n+int64(i), leaf, hr)
		if err != nil {
			return nil, fmt.Errorf("stored hashes of leaf %d: %w", n+int64(i), err)
		}
		hashes = append(hashes, h...)
	}
	return hashes, nil
}

// Size returns the number of leaves.
func (l *Log) Size(ctx context.Context) (int64, error) {
	var n int64
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		var err error
		n, err = r.Size(ctx)
		return err
	})
	return n, err
}

// Root returns the log's size and the root hash of all its leaves, from the
// stored hashes.
func (l *Log) Root(ctx context.Context) (tlog.Tree, error) {
	var t tlog.Tree
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		n, err := r.Size(ctx)
		if err != nil {
			return err
		}
		h, err := tlog.TreeHash(n, hashReader(ctx, r))
		t = tlog.Tree{N: n, Hash: h}
		return err
	})
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("root: %w", err)
	}
	return t, nil
}

// Entry is one leaf as stored: its index, its encoded bytes, its RFC 6962
// leaf hash and, when the bytes decode, the leaf.
type Entry struct {
	Index int64
	Raw   []byte
	Hash  tlog.Hash
	Leaf  Leaf
	// Err is the decoding error, if any (the leaf is then zero).
	Err error
}

// Leaves returns the entries start … end-1.
func (l *Log) Leaves(ctx context.Context, start, end int64) ([]Entry, error) {
	var out []Entry
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		n, err := r.Size(ctx)
		if err != nil {
			return err
		}
		if start < 0 || end < start || end > n {
			return fmt.Errorf("leaves %d-%d of a log of %d: %w", start, end-1, n, ErrIndex)
		}
		raw, err := r.ReadLeaves(ctx, start, end)
		if err != nil {
			return err
		}
		for i, b := range raw {
			lf, err := DecodeLeaf(b)
			out = append(out, Entry{Index: start + int64(i), Raw: append([]byte(nil), b...), Hash: tlog.RecordHash(b), Leaf: lf, Err: err})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read leaves: %w", err)
	}
	return out, nil
}

// Checkpoint signs a checkpoint of the log's current size with signer and
// stores it, unless the latest checkpoint already has this size, in which
// case it returns that one. The signer's name is the log's origin: a log
// whose checkpoints carry another origin refuses it ([ErrOrigin]).
func (l *Log) Checkpoint(ctx context.Context, signer note.Signer) (*SignedCheckpoint, error) {
	var out []byte
	var c Checkpoint
	err := l.storage.Update(ctx, func(ctx context.Context, tx Tx) error {
		n, err := tx.Size(ctx)
		if err != nil {
			return err
		}
		notes, err := tx.Checkpoints(ctx)
		if err != nil {
			return err
		}
		if len(notes) > 0 {
			last, err := ParseSignedCheckpoint(notes[len(notes)-1])
			if err != nil {
				return fmt.Errorf("latest stored checkpoint %d: %w", len(notes), err)
			}
			if last.Origin != signer.Name() {
				return fmt.Errorf("the log's origin is %q, the key's name is %q: %w", last.Origin, signer.Name(), ErrOrigin)
			}
			if last.Size == n {
				out, c = notes[len(notes)-1], last
				return nil
			}
		}
		h, err := tlog.TreeHash(n, hashReader(ctx, tx))
		if err != nil {
			return err
		}
		c = Checkpoint{Origin: signer.Name(), Size: n, Hash: h}
		if out, err = SignCheckpoint(c, signer); err != nil {
			return err
		}
		return tx.WriteCheckpoint(ctx, int64(len(notes))+1, out)
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return &SignedCheckpoint{Checkpoint: c, Note: out, Signers: []string{signer.Name()}}, nil
}

// StoredCheckpoint is a checkpoint as stored, with its sequence number.
type StoredCheckpoint struct {
	Seq  int64
	Note []byte
	// Checkpoint is the parsed body; its signatures are not checked.
	Checkpoint Checkpoint
	// Err is the parse error, if any.
	Err error
}

// Checkpoints returns the stored checkpoints, oldest first, without
// checking their signatures (Verify does).
func (l *Log) Checkpoints(ctx context.Context) ([]StoredCheckpoint, error) {
	var out []StoredCheckpoint
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		notes, err := r.Checkpoints(ctx)
		if err != nil {
			return err
		}
		for i, n := range notes {
			c, err := ParseSignedCheckpoint(n)
			out = append(out, StoredCheckpoint{Seq: int64(i + 1), Note: append([]byte(nil), n...), Checkpoint: c, Err: err})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return out, nil
}

// InclusionProof is the proof that leaf Index is in the tree of size Size.
type InclusionProof struct {
	Index    int64            `json:"index"`
	Size     int64            `json:"size"`
	LeafHash tlog.Hash        `json:"leaf_hash"`
	Root     tlog.Hash        `json:"root"`
	Proof    tlog.RecordProof `json:"proof"`
	// Checkpoint is the stored signed checkpoint of this size, if any, so
	// that the proof can be checked offline against a signed root.
	Checkpoint string `json:"checkpoint"`
}

// Check verifies p with tlog.CheckRecord.
func (p InclusionProof) Check() error {
	return tlog.CheckRecord(p.Proof, p.Size, p.Root, p.Index, p.LeafHash)
}

// ProveInclusion proves that leaf index is in the tree of the given size
// (0 means the log's current size).
func (l *Log) ProveInclusion(ctx context.Context, index, size int64) (*InclusionProof, error) {
	var p *InclusionProof
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		n, err := r.Size(ctx)
		if err != nil {
			return err
		}
		if size == 0 {
			size = n
		}
		if size < 0 || size > n {
			return fmt.Errorf("tree size %d, but the log has %d leaves: %w", size, n, ErrIndex)
		}
		if index < 0 || index >= size {
			return fmt.Errorf("leaf %d is not in a tree of %d leaves (indexes 0-%d): %w", index, size, size-1, ErrIndex)
		}
		hr := hashReader(ctx, r)
		proof, err := tlog.ProveRecord(size, index, hr)
		if err != nil {
			return err
		}
		root, err := tlog.TreeHash(size, hr)
		if err != nil {
			return err
		}
		lh, err := r.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, index)})
		if err != nil {
			return err
		}
		p = &InclusionProof{Index: index, Size: size, LeafHash: lh[0], Root: root, Proof: proof}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("prove inclusion: %w", err)
	}
	if p.Proof == nil {
		p.Proof = tlog.RecordProof{}
	}
	if p.Checkpoint, err = l.checkpointNote(ctx, p.Size); err != nil {
		return nil, fmt.Errorf("prove inclusion: %w", err)
	}
	return p, nil
}

// ConsistencyProof is the proof that the tree of size Old is a prefix of the
// tree of size New.
type ConsistencyProof struct {
	Old     int64          `json:"old"`
	New     int64          `json:"size"`
	OldRoot tlog.Hash      `json:"old_root"`
	NewRoot tlog.Hash      `json:"root"`
	Proof   tlog.TreeProof `json:"proof"`
	// Checkpoint is the stored signed checkpoint of size New, if any.
	Checkpoint string `json:"checkpoint"`
}

// Check verifies p with tlog.CheckTree. Every tree extends the empty tree,
// whose proof is empty.
func (p ConsistencyProof) Check() error {
	if p.Old == 0 {
		if len(p.Proof) != 0 || p.OldRoot != emptyRoot {
			return errors.New("invalid consistency proof from the empty tree")
		}
		return nil
	}
	return tlog.CheckTree(p.Proof, p.New, p.NewRoot, p.Old, p.OldRoot)
}

// emptyRoot is the root hash of the empty tree, SHA-256 of "".
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

// ProveConsistency proves that the tree of size old is a prefix of the tree
// of size new (0 means the log's current size).
func (l *Log) ProveConsistency(ctx context.Context, old, new int64) (*ConsistencyProof, error) {
	var p *ConsistencyProof
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		n, err := r.Size(ctx)
		if err != nil {
			return err
		}
		if new == 0 {
			new = n
		}
		if new < 0 || new > n || old < 0 || old > new {
			return fmt.Errorf("sizes %d and %d in a log of %d leaves: %w", old, new, n, ErrIndex)
		}
		hr := hashReader(ctx, r)
		var proof tlog.TreeProof
		if old > 0 {
			if proof, err = tlog.ProveTree(new, old, hr); err != nil {
				return err
			}
		}
		oh, err := tlog.TreeHash(old, hr)
		if err != nil {
			return err
		}
		nh, err := tlog.TreeHash(new, hr)
		if err != nil {
			return err
		}
		p = &ConsistencyProof{Old: old, New: new, OldRoot: oh, NewRoot: nh, Proof: proof}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("prove consistency: %w", err)
	}
	if p.Proof == nil {
		p.Proof = tlog.TreeProof{}
	}
	if p.Checkpoint, err = l.checkpointNote(ctx, p.New); err != nil {
		return nil, fmt.Errorf("prove consistency: %w", err)
	}
	return p, nil
}

// Cosign adds signer's cosignature to the stored checkpoint whose body
// equals msg's (the checkpoint a party has checked), after checking msg's
// log signature with logKey. If msg is nil it cosigns the latest stored
// checkpoint. It returns the stored note with every signature.
func (l *Log) Cosign(ctx context.Context, msg []byte, logKey note.Verifier, signer note.Signer) (*SignedCheckpoint, error) {
	var out *SignedCheckpoint
	err := l.storage.Update(ctx, func(ctx context.Context, tx Tx) error {
		notes, err := tx.Checkpoints(ctx)
		if err != nil {
			return err
		}
		if len(notes) == 0 {
			return ErrNoCheckpoint
		}
		seq := int64(len(notes))
		if msg != nil {
			want, err := OpenCheckpoint(msg, logKey)
			if err != nil {
				return err
			}
			seq = 0
			for i := len(notes) - 1; i >= 0; i-- {
				c, err := ParseSignedCheckpoint(notes[i])
				if err == nil && bytes.Equal(c.Text(), want.Text()) {
					seq = int64(i + 1)
					break
				}
			}
			if seq == 0 {
				return fmt.Errorf("checkpoint %s is not one this log stored", want.Checkpoint)
			}
		}
		cosigned, err := Cosign(notes[seq-1], logKey, signer)
		if err != nil {
			return fmt.Errorf("stored checkpoint %d: %w", seq, err)
		}
		var known []note.Verifier
		if v, ok := signer.(interface{ Verifier() note.Verifier }); ok {
			known = append(known, v.Verifier())
		}
		if out, err = OpenCheckpoint(cosigned, logKey, known...); err != nil {
			return err
		}
		return tx.WriteCheckpoint(ctx, seq, cosigned)
	})
	if err != nil {
		return nil, fmt.Errorf("cosign: %w", err)
	}
	return out, nil
}
