package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// This file holds the log's results as the CLI's --json and the server's
// responses give them: one type per result, tagged here, marshalled
// unchanged by every face. Hashes marshal as standard base64.

// LeafInfo describes one leaf: where it is, what it holds and how it
// hashes.
type LeafInfo struct {
	Index int64 `json:"index"`
	// Kind and Time are empty when the leaf does not decode (see Error).
	Kind string `json:"kind"`
	Time string `json:"time"`
	// ContentSHA256 is the hex SHA-256 of the content: what a position
	// revision's leaf publishes in place of the position.
	ContentSHA256 string `json:"content_sha256"`
	// LeafHash is the RFC 6962 leaf hash the tree is built from.
	LeafHash tlog.Hash `json:"leaf_hash"`
	// Bytes is the size of the encoded leaf.
	Bytes int `json:"bytes"`
	// File is the file the content was read from, when appended from one.
	File string `json:"file,omitempty"`
	// Content is the leaf's JSON document (leaf N in full only).
	Content json.RawMessage `json:"content,omitempty"`
	// Raw is the encoded leaf, base64 (leaf N in full only): the bytes the
	// tree hashes, to check independently.
	Raw []byte `json:"leaf_base64,omitempty"`
	// Error says why the leaf does not decode.
	Error string `json:"error,omitempty"`
}

// Info describes e; full adds its content and its encoded bytes.
func (e Entry) Info(full bool) LeafInfo {
	j := LeafInfo{Index: e.Index, LeafHash: e.Hash, Bytes: len(e.Raw)}
	if full {
		j.Raw = e.Raw
	}
	if e.Err != nil {
		j.Error = e.Err.Error()
		return j
	}
	h := e.Leaf.ContentHash()
	j.Kind, j.Time, j.ContentSHA256 = e.Leaf.Kind.String(), e.Leaf.Time.Format(time.RFC3339Nano), fmt.Sprintf("%x", h)
	if full {
		j.Content = e.Leaf.Content
	}
	return j
}

// CheckpointInfo is a stored checkpoint's place in the history and body.
type CheckpointInfo struct {
	Seq    int64     `json:"seq"`
	Origin string    `json:"origin"`
	Size   int64     `json:"size"`
	Root   tlog.Hash `json:"root"`
}

// Status is the log at a glance: its size and root, every stored
// checkpoint and its latest leaves.
type Status struct {
	Size        int64            `json:"size"`
	Root        tlog.Hash        `json:"root"`
	Checkpoints []CheckpointInfo `json:"checkpoints"`
	Leaves      []LeafInfo       `json:"leaves"`
}

// Status returns the log's size, root and checkpoints and its latest
// limit leaves (every leaf when limit is 0 or less).
func (l *Log) Status(ctx context.Context, limit int) (*Status, error) {
	st := &Status{Checkpoints: []CheckpointInfo{}, Leaves: []LeafInfo{}}
	// One read transaction: the size, root, checkpoints and leaves are of
	// one state of the log, however busy its writers.
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		n, err := r.Size(ctx)
		if err != nil {
			return err
		}
		if st.Root, err = tlog.TreeHash(n, hashReader(ctx, r)); err != nil {
			return err
		}
		st.Size = n
		notes, err := r.Checkpoints(ctx)
		if err != nil {
			return err
		}
		for i, b := range notes {
			// A checkpoint that does not parse is listed with what it
			// gives (verify and fsck report it).
			c, _ := ParseSignedCheckpoint(b)
			st.Checkpoints = append(st.Checkpoints, CheckpointInfo{int64(i + 1), c.Origin, c.Size, c.Hash})
		}
		start := int64(0)
		if limit > 0 {
			start = max(0, n-int64(limit))
		}
		raw, err := r.ReadLeaves(ctx, start, n)
		if err != nil {
			return err
		}
		for i, b := range raw {
			lf, err := DecodeLeaf(b)
			e := Entry{Index: start + int64(i), Raw: b, Hash: tlog.RecordHash(b), Leaf: lf, Err: err}
			st.Leaves = append(st.Leaves, e.Info(false))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("log status: %w", err)
	}
	return st, nil
}

// Appended is the result of an append: the first new index, how many
// leaves were appended, the log's size after it and the new leaves.
type Appended struct {
	First  int64      `json:"first"`
	Count  int        `json:"count"`
	Size   int64      `json:"size"`
	Leaves []LeafInfo `json:"leaves"`
}

// AppendInfo appends leaves in one transaction, as Append does, and
// describes them.
func (l *Log) AppendInfo(ctx context.Context, leaves ...Leaf) (*Appended, error) {
	first, err := l.Append(ctx, leaves...)
	if err != nil {
		return nil, err
	}
	entries, err := l.Leaves(ctx, first, first+int64(len(leaves)))
	if err != nil {
		return nil, err
	}
	size, err := l.Size(ctx)
	if err != nil {
		return nil, err
	}
	out := &Appended{First: first, Count: len(entries), Size: size, Leaves: []LeafInfo{}}
	for _, e := range entries {
		out.Leaves = append(out.Leaves, e.Info(false))
	}
	return out, nil
}

// Note is a signed checkpoint as a result: its body, the whole signed
// note and the keys whose signatures were verified.
type Note struct {
	Origin  string    `json:"origin"`
	Size    int64     `json:"size"`
	Root    tlog.Hash `json:"root"`
	Note    string    `json:"note"`
	Signers []string  `json:"signers,omitempty"`
}

// Result describes c as a Note.
func (c *SignedCheckpoint) Result() Note {
	return Note{Origin: c.Origin, Size: c.Size, Root: c.Hash, Note: string(c.Note), Signers: c.Signers}
}

// Export is the result of an export: the directory, the checkpoint
// exported and how many checkpoints, tiles and entry bundles were
// written.
type Export struct {
	Bundles     int       `json:"bundles"`
	Checkpoints int       `json:"checkpoints"`
	Dir         string    `json:"dir"`
	Origin      string    `json:"origin"`
	Root        tlog.Hash `json:"root"`
	Size        int64     `json:"size"`
	Tiles       int       `json:"tiles"`
}

// Result describes r as an Export.
func (r *ExportResult) Result() Export {
	return Export{Bundles: r.Bundles, Checkpoints: r.Checkpoints, Dir: r.Dir, Origin: r.Checkpoint.Origin, Root: r.Checkpoint.Hash, Size: r.Checkpoint.Size, Tiles: r.Tiles}
}

// FsckResult is the result of Fsck in brief: the first inconsistency
// (null when none), the leaves re-hashed, the verdict, the root and the
// size.
type FsckResult struct {
	First  *Problem  `json:"first"`
	Leaves int64     `json:"leaves"`
	OK     bool      `json:"ok"`
	Root   tlog.Hash `json:"root"`
	Size   int64     `json:"size"`
}

// Fsck gives r in brief.
func (r *Report) Fsck() FsckResult {
	return FsckResult{First: r.First(), Leaves: r.Leaves, OK: r.OK, Root: r.Root, Size: r.Size}
}

// ProofSize returns the tree size a proof is given against by default:
// the latest stored checkpoint's size, or the log's size when it has no
// checkpoint.
func (l *Log) ProofSize(ctx context.Context) (int64, error) {
	cps, err := l.Checkpoints(ctx)
	if err != nil {
		return 0, err
	}
	if len(cps) > 0 {
		return cps[len(cps)-1].Checkpoint.Size, nil
	}
	return l.Size(ctx)
}

// checkpointNote returns the note of the stored checkpoint of the given
// size (the latest such), or "" when none is stored.
func (l *Log) checkpointNote(ctx context.Context, size int64) (string, error) {
	cps, err := l.Checkpoints(ctx)
	if err != nil {
		return "", err
	}
	var out string
	for _, c := range cps {
		if c.Checkpoint.Size == size {
			out = string(c.Note)
		}
	}
	return out, nil
}
