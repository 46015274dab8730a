package ledger

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Problem codes, stable for scripts.
const (
	// ProblemLeafFormat: a leaf's bytes do not decode (Index names it).
	ProblemLeafFormat = "leaf-format"
	// ProblemLeafHash: a leaf's stored (or tile) hash is not the hash of its
	// bytes: the leaf or its hash was changed, deleted or moved.
	ProblemLeafHash = "leaf-hash"
	// ProblemStoredHash: an interior stored hash (or tile hash) differs from
	// the one re-derived from the leaves; Index is the first leaf it covers.
	ProblemStoredHash = "stored-hash"
	// ProblemMissing: leaves a checkpoint covers are missing (truncation or
	// a gap); Index is the first missing leaf.
	ProblemMissing = "missing"
	// ProblemCheckpoint: a checkpoint is malformed.
	ProblemCheckpoint = "checkpoint"
	// ProblemSignature: a checkpoint is not signed by the log's key, or a
	// signature by a known key is invalid.
	ProblemSignature = "signature"
	// ProblemOrigin: a checkpoint names another log.
	ProblemOrigin = "origin"
	// ProblemRoot: a checkpoint's root differs from the root re-derived from
	// the leaves.
	ProblemRoot = "root"
	// ProblemFork: two checkpoints of the log that cannot both be true: the
	// same size with different roots, a size that goes backwards, or a
	// failed consistency proof.
	ProblemFork = "fork"
	// ProblemInclusion: an RFC 6962 inclusion proof built from the log's own
	// hashes does not verify against a checkpoint.
	ProblemInclusion = "inclusion"
	// ProblemCosignature: a required cosigner has not cosigned the latest
	// checkpoint.
	ProblemCosignature = "cosignature"
	// ProblemFile: an export file is missing, unreadable or malformed.
	ProblemFile = "file"
)

// Problem is one thing verification found wrong. Index is the leaf it
// concerns (or -1), Checkpoint the checkpoint ("checkpoints/3", "stored
// checkpoint 3"), File the export file.
type Problem struct {
	Code       string `json:"code"`
	Index      int64  `json:"index"`
	Checkpoint string `json:"checkpoint,omitempty"`
	File       string `json:"file,omitempty"`
	Message    string `json:"message"`
	// More counts further problems of the same code that follow from the
	// same cause (every later leaf after a deletion, say).
	More int64 `json:"more,omitempty"`
}

func (p Problem) String() string {
	s := p.Message
	if p.More > 0 {
		s += fmt.Sprintf(" (and %d more like it)", p.More)
	}
	return s
}

// CheckpointResult is what verification found of one checkpoint.
type CheckpointResult struct {
	Name string    `json:"name"`
	Seq  int64     `json:"seq"`
	Size int64     `json:"size"`
	Root tlog.Hash `json:"root"`
	// Signers are the keys whose signatures verified: the log's and
	// cosigners'.
	Signers []string `json:"signers"`
	// Cosigners are the cosigners (of VerifyOptions.Cosigners) among them.
	Cosigners []string `json:"cosigners"`
	// OK says the checkpoint is signed by the log and its root is the one
	// re-derived from the leaves.
	OK bool `json:"ok"`
}

// Report is the result of Verify, VerifyExport and Fsck. Its JSON form
// is the result of entente log verify --json (DESIGN.md): ok, size, root
// (base64), problems, then the rest; the lists are never null.
type Report struct {
	// OK is true when there are no problems.
	OK bool `json:"ok"`
	// Size is the size verified: the log's leaf count (storage) or the latest
	// checkpoint's size (export).
	Size int64 `json:"size"`
	// Root is the root hash of the first Size leaves, re-derived from them
	// (from the stored hashes when leaves are missing).
	Root tlog.Hash `json:"root"`
	// Problems lists what is wrong, in the order found.
	Problems []Problem `json:"problems"`
	// Leaves is the number of leaves read and re-hashed.
	Leaves int64 `json:"leaves"`
	// Undecoded counts leaves of a later encoding version than this one
	// reads: hashed and verified in the tree, their content not decoded.
	Undecoded int64 `json:"undecoded"`
	// Checkpoints lists every checkpoint examined, oldest first.
	Checkpoints []CheckpointResult `json:"checkpoints"`
	// Agreed is the newest good checkpoint cosigned by every cosigner given,
	// the record no party can later deny; nil if none (or no cosigners).
	Agreed *CheckpointResult `json:"agreed"`
}

// First returns the first problem, or nil.
func (r *Report) First() *Problem {
	if len(r.Problems) == 0 {
		return nil
	}
	return &r.Problems[0]
}

// VerifyOptions says what to verify against.
type VerifyOptions struct {
	// LogKey verifies the log's checkpoints; its name is the log's origin.
	LogKey note.Verifier
	// Cosigners are the parties' keys: their signatures on checkpoints are
	// checked, and Report.Agreed names the newest checkpoint all of them
	// cosigned.
	Cosigners []note.Verifier
	// RequireCosigners makes the latest checkpoint's missing cosignatures a
	// problem.
	RequireCosigners bool
	// Held are signed checkpoints the caller holds from earlier (received,
	// cosigned, witnessed): each must be consistent with the log. A log
	// that shows a different tree than the one it signed to you is a fork.
	Held [][]byte
}

// checker re-derives a tree from leaves and compares it with what a log
// claims: stored hashes or tiles, checkpoints, proofs.
type checker struct {
	opts    VerifyOptions
	fsck    bool // checkpoints' signatures are not checked
	hashes  hashSlice
	n       int64 // leaves re-hashed, contiguous from 0
	broken  bool  // a leaf was missing: no more re-hashing
	rep     Report
	byCode  map[string]int // first leaf-level problem of each code
	cps     []*checkpointState
	known   note.Verifiers
	logName string
}

type checkpointState struct {
	res    *CheckpointResult
	body   Checkpoint
	signed bool // parsed, of this log, signed by it (fsck: parsed)
	held   bool
}

type hashSlice []tlog.Hash

func (h hashSlice) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("hash %d not computed (%d are)", x, len(h))
		}
		out[i] = h[x]
	}
	return out, nil
}

func newChecker(opts VerifyOptions, fsck bool) (*checker, error) {
	c := &checker{opts: opts, fsck: fsck, byCode: map[string]int{}}
	c.rep.Problems, c.rep.Checkpoints = []Problem{}, []CheckpointResult{}
	if !fsck {
		if opts.LogKey == nil {
			return nil, errors.New("verify: no log key")
		}
		c.logName = opts.LogKey.Name()
		c.known = note.VerifierList(append([]note.Verifier{opts.LogKey}, opts.Cosigners...)...)
	}
	return c, nil
}

func (c *checker) problem(p Problem) {
	c.rep.Problems = append(c.rep.Problems, p)
}

// leafProblem records a leaf-level problem, folding later ones of the same
// code into the first.
func (c *checker) leafProblem(p Problem) {
	if i, ok := c.byCode[p.Code]; ok {
		c.rep.Problems[i].More++
		return
	}
	c.byCode[p.Code] = len(c.rep.Problems)
	c.problem(p)
}

// checkpoint examines one signed checkpoint.
func (c *checker) checkpoint(name string, seq int64, msg []byte, held bool) {
	res := &CheckpointResult{Name: name, Seq: seq, Signers: []string{}, Cosigners: []string{}}
	st := &checkpointState{res: res, held: held}
	c.cps = append(c.cps, st)
	body, err := ParseSignedCheckpoint(msg)
	if err != nil {
		c.problem(Problem{Code: ProblemCheckpoint, Index: -1, Checkpoint: name, Message: fmt.Sprintf("%s: %v", name, err)})
		return
	}
	st.body = body
	res.Size, res.Root = body.Size, body.Hash
	if c.fsck {
		// Without keys, the first checkpoint names the log.
		if c.logName == "" && !held {
			c.logName = body.Origin
		}
		if body.Origin != c.logName {
			c.problem(Problem{Code: ProblemOrigin, Index: -1, Checkpoint: name, Message: fmt.Sprintf("%s names log %q, the earlier checkpoints %q", name, body.Origin, c.logName)})
			return
		}
		st.signed = true
		return
	}
	if body.Origin != c.logName {
		c.problem(Problem{Code: ProblemOrigin, Index: -1, Checkpoint: name, Message: fmt.Sprintf("%s is from another log: origin %q, want %q", name, body.Origin, c.logName)})
		return
	}
	n, err := note.Open(msg, c.known)
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &invalid):
		c.problem(Problem{Code: ProblemSignature, Index: -1, Checkpoint: name, Message: fmt.Sprintf("%s (size %d): %v: the note was altered or forged", name, body.Size, err)})
		return
	case errors.As(err, &unverified):
		c.problem(Problem{Code: ProblemSignature, Index: -1, Checkpoint: name, Message: fmt.Sprintf("%s (size %d) is not signed by the log's key %s+%08x", name, body.Size, c.logName, c.opts.LogKey.KeyHash())})
		return
	case err != nil:
		c.problem(Problem{Code: ProblemCheckpoint, Index: -1, Checkpoint: name, Message: fmt.Sprintf("%s: %v", name, err)})
		return
	}
	for _, s := range n.Sigs {
		res.Signers = append(res.Signers, s.Name)
		if s.Name == c.logName && s.Hash == c.opts.LogKey.KeyHash() {
			st.signed = true
			continue
		}
		for _, v := range c.opts.Cosigners {
			if v.Name() == s.Name && v.KeyHash() == s.Hash {
				res.Cosigners = append(res.Cosigners, s.Name)
			}
		}
	}
	if !st.signed {
		c.problem(Problem{Code: ProblemSignature, Index: -1, Checkpoint: name, Message: fmt.Sprintf("%s (size %d) is cosigned but not signed by the log's key %s+%08x", name, body.Size, c.logName, c.opts.LogKey.KeyHash())})
	}
}

// hashLeaves decodes and hashes leaves on every core.
func hashLeaves(raw [][]byte) ([]tlog.Hash, []error) {
	leafHashes := make([]tlog.Hash, len(raw))
	decodeErrs := make([]error, len(raw))
	parallel(len(raw), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			_, decodeErrs[k] = DecodeLeaf(raw[k])
			leafHashes[k] = tlog.RecordHash(raw[k])
		}
	})
	return leafHashes, decodeErrs
}

// addHashed adds leaves start … start+len(leafHashes)-1, given their hashes
// and decoding errors (from hashLeaves), to the re-derived tree, in order,
// and compares every stored hash it derives with claimed (which returns
// false for an index it does not hold). where names, for a problem, the
// file that holds a leaf or a hash ("" in storage).
func (c *checker) addHashed(start int64, leafHashes []tlog.Hash, decodeErrs []error, claimed func(int64) (tlog.Hash, bool), where func(level int, lo, hi int64) string) {
	for k, h := range leafHashes {
		i := start + int64(k)
		if err := decodeErrs[k]; errors.Is(err, ErrUnknownVersion) {
			// A later version's leaf: not an error (docs/log-format.md,
			// forward compatibility); the tree still covers its bytes.
			c.rep.Undecoded++
		} else if err != nil {
			c.leafProblem(Problem{Code: ProblemLeafFormat, Index: i, Message: fmt.Sprintf("leaf %d%s: %v", i, where(-1, i, i), err)})
		}
		c.rep.Leaves++
		if c.broken || i != c.n {
			// After a gap the tree cannot be re-derived; still compare the
			// leaf hash itself.
			if ch, ok := claimed(tlog.StoredHashIndex(0, i)); ok && ch != h {
				c.leafProblem(Problem{Code: ProblemLeafHash, Index: i, Message: fmt.Sprintf("leaf %d%s: its hash %s is not the one the log holds (%s): the leaf was changed, moved or deleted", i, where(0, i, i), h, ch)})
			}
			continue
		}
		base := int64(len(c.hashes))
		c.appendStored(i, h)
		c.n++
		for idx := base; idx < int64(len(c.hashes)); idx++ {
			want := c.hashes[idx]
			got, ok := claimed(idx)
			if !ok || got == want {
				continue
			}
			level, n := tlog.SplitStoredHashIndex(idx)
			lo := n << level
			hi := lo + 1<<level - 1
			if level == 0 {
				c.leafProblem(Problem{Code: ProblemLeafHash, Index: i, Message: fmt.Sprintf("leaf %d%s: its hash %s is not the one the log holds (%s): the leaf was changed, moved or deleted", i, where(0, i, i), want, got)})
			} else {
				c.leafProblem(Problem{Code: ProblemStoredHash, Index: lo, Message: fmt.Sprintf("the hash of %s%s is %s, re-derived from the leaves, but the log holds %s: the stored tree was changed", describeRange(lo, hi), where(level, lo, hi), want, got)})
			}
		}
	}
}

// appendStored appends the stored hashes of leaf i with hash h, as
// tlog.StoredHashes computes them: the leaf hash, then one hash for each
// subtree that leaf i completes (one per trailing 1 bit of i).
func (c *checker) appendStored(i int64, h tlog.Hash) {
	c.hashes = append(c.hashes, h)
	for level := 0; i>>level&1 == 1; level++ {
		left := c.hashes[tlog.StoredHashIndex(level, i>>level-1)]
		h = tlog.NodeHash(left, h)
		c.hashes = append(c.hashes, h)
	}
}

// parallel runs f over [0, n) split across the CPUs.
func parallel(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/64+1)
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// missing records that leaves from index i on could not be read.
func (c *checker) missing(i int64, why string) {
	if !c.broken {
		c.broken = true
		c.leafProblem(Problem{Code: ProblemMissing, Index: i, Message: fmt.Sprintf("leaf %d is missing: %s", i, why)})
	}
}

// root returns the re-derived root of the first n leaves.
func (c *checker) root(n int64) (tlog.Hash, bool) {
	if n > c.n {
		return tlog.Hash{}, false
	}
	h, err := tlog.TreeHash(n, c.hashes)
	return h, err == nil
}

// finish compares the checkpoints with the re-derived tree and with each
// other. logHashes, if not nil, returns a HashReader of the log's own
// hashes for a tree (stored hashes, or tiles authenticated against it),
// from which consistency and inclusion proofs are built as a client would.
func (c *checker) finish(size int64, logHashes func(tlog.Tree) tlog.HashReader) {
	// Roots: every signed checkpoint, held ones included, against the
	// re-derived tree.
	for _, st := range c.cps {
		if !st.signed {
			continue
		}
		b := st.body
		if b.Size > c.n {
			p := Problem{Code: ProblemMissing, Index: c.n, Checkpoint: st.res.Name}
			if c.broken {
				p.Message = fmt.Sprintf("%s covers leaves 0-%d, but leaves from %d on are missing", st.res.Name, b.Size-1, c.n)
			} else {
				p.Message = fmt.Sprintf("%s has size %d but the log has only %d leaves: leaves %d-%d are missing (the log was truncated or rolled back)", st.res.Name, b.Size, c.n, c.n, b.Size-1)
			}
			c.problem(p)
			continue
		}
		h, _ := c.root(b.Size)
		if h != b.Hash {
			c.problem(Problem{Code: ProblemRoot, Index: -1, Checkpoint: st.res.Name, Message: fmt.Sprintf("%s (size %d) has root %s, but the leaves give %s: the leaves were changed after it was signed, or it was forged", st.res.Name, b.Size, b.Hash, h)})
			continue
		}
		st.res.OK = true
	}
	// Successive checkpoints in history order must be consistent.
	var prev *checkpointState
	for _, st := range c.cps {
		if !st.signed || st.held {
			continue
		}
		if prev != nil {
			c.consistent(prev, st, logHashes)
		}
		prev = st
	}
	// A held checkpoint of the same size as a stored one with another root
	// is a fork even where the leaves are gone.
	for _, st := range c.cps {
		if !st.held || !st.signed {
			continue
		}
		for _, other := range c.cps {
			if !other.held && other.signed && other.body.Size == st.body.Size && other.body.Hash != st.body.Hash {
				c.problem(Problem{Code: ProblemFork, Index: -1, Checkpoint: st.res.Name, Message: fmt.Sprintf("%s and %s both have size %d but different roots (%s, %s): the log signed two different trees", st.res.Name, other.res.Name, st.body.Size, st.body.Hash, other.body.Hash)})
				break
			}
		}
	}
	// Inclusion proofs built from the log's own hashes (as a client
	// builds them), checked against each good checkpoint: its newest leaf
	// and, for the newest checkpoint, the first leaf of every 65,536 (one
	// per level-1 tile). Every leaf's inclusion is already established by
	// the re-derived root; these check the path a client takes.
	if logHashes != nil {
		var newest *checkpointState
		for _, st := range c.cps {
			if st.res.OK && !st.held && (newest == nil || st.body.Size >= newest.body.Size) {
				newest = st
			}
		}
		for _, st := range c.cps {
			if !st.res.OK || st.body.Size == 0 {
				continue
			}
			idx := []int64{st.body.Size - 1}
			if st == newest {
				for i := int64(0); i < st.body.Size-1; i += TileWidth * TileWidth {
					idx = append(idx, i)
				}
			}
			hr := logHashes(st.body.Tree())
			for _, i := range idx {
				if !c.inclusion(st, i, hr) {
					break
				}
			}
		}
	}
	// Cosignatures.
	if len(c.opts.Cosigners) > 0 {
		var latest *checkpointState
		for _, st := range c.cps {
			if st.held || !st.res.OK {
				continue
			}
			latest = st
			if len(st.res.Cosigners) == len(c.opts.Cosigners) {
				r := *st.res
				c.rep.Agreed = &r
			}
		}
		if c.opts.RequireCosigners && latest != nil && len(latest.res.Cosigners) < len(c.opts.Cosigners) {
			var missing []string
			for _, v := range c.opts.Cosigners {
				if !slices.Contains(latest.res.Cosigners, v.Name()) {
					missing = append(missing, v.Name())
				}
			}
			c.problem(Problem{Code: ProblemCosignature, Index: -1, Checkpoint: latest.res.Name, Message: fmt.Sprintf("%s (size %d) is not cosigned by %s", latest.res.Name, latest.body.Size, strings.Join(missing, ", "))})
		}
	}
	c.rep.Size = size
	if h, ok := c.root(size); ok {
		c.rep.Root = h
	}
	for _, st := range c.cps {
		if !st.held {
			c.rep.Checkpoints = append(c.rep.Checkpoints, *st.res)
		}
	}
	c.rep.OK = len(c.rep.Problems) == 0
}

// consistent checks that a and b (b later in history) can both be true.
func (c *checker) consistent(a, b *checkpointState, logHashes func(tlog.Tree) tlog.HashReader) {
	ab, bb := a.body, b.body
	switch {
	case bb.Size < ab.Size:
		c.problem(Problem{Code: ProblemFork, Index: -1, Checkpoint: b.res.Name, Message: fmt.Sprintf("%s has size %d, smaller than the earlier %s (size %d): the log went backwards", b.res.Name, bb.Size, a.res.Name, ab.Size)})
		return
	case bb.Size == ab.Size:
		if bb.Hash != ab.Hash {
			c.problem(Problem{Code: ProblemFork, Index: -1, Checkpoint: b.res.Name, Message: fmt.Sprintf("%s and %s both have size %d but different roots (%s, %s): the log signed two different trees", a.res.Name, b.res.Name, bb.Size, ab.Hash, bb.Hash)})
		}
		return
	}
	if logHashes == nil || !b.res.OK || ab.Size == 0 {
		return // every tree extends the empty one
	}
	hr := logHashes(bb.Tree())
	proof, err := tlog.ProveTree(bb.Size, ab.Size, hr)
	if err == nil {
		err = tlog.CheckTree(proof, bb.Size, bb.Hash, ab.Size, ab.Hash)
	}
	if err != nil {
		c.problem(Problem{Code: ProblemFork, Index: -1, Checkpoint: b.res.Name, Message: fmt.Sprintf("no consistency proof from %s (size %d) to %s (size %d): %v", a.res.Name, ab.Size, b.res.Name, bb.Size, err)})
	}
}

// inclusion checks leaf i's inclusion proof against st.
func (c *checker) inclusion(st *checkpointState, i int64, hr tlog.HashReader) bool {
	b := st.body
	leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
	var proof tlog.RecordProof
	if err == nil {
		proof, err = tlog.ProveRecord(b.Size, i, hr)
	}
	if err == nil {
		err = tlog.CheckRecord(proof, b.Size, b.Hash, i, leaf[0])
	}
	if err == nil && i < c.n && leaf[0] != c.hashes[tlog.StoredHashIndex(0, i)] {
		err = errors.New("the proven leaf hash is not the hash of the leaf's bytes")
	}
	if err != nil {
		c.problem(Problem{Code: ProblemInclusion, Index: i, Checkpoint: st.res.Name, Message: fmt.Sprintf("the inclusion proof of leaf %d in %s (size %d) fails: %v", i, st.res.Name, b.Size, err)})
		return false
	}
	return true
}

// Verify checks the log in storage: every leaf decodes; every stored hash
// and every checkpoint's root equals the one re-derived from the leaves;
// every checkpoint is signed by opts.LogKey and names its origin;
// successive checkpoints are consistent (proofs from the stored hashes);
// inclusion proofs from the stored hashes verify; cosignatures and held
// checkpoints are checked as [VerifyOptions] says. Problems go in the
// report; the error is for failures to read at all.
func (l *Log) Verify(ctx context.Context, opts VerifyOptions) (*Report, error) {
	c, err := newChecker(opts, false)
	if err != nil {
		return nil, err
	}
	return l.check(ctx, c)
}

// Fsck re-derives every stored hash and every checkpoint's root from the
// leaves, without keys, and reports what differs; Report.First is the first
// inconsistency (Tessera's fsck is the model). Signatures are not checked:
// use Verify for that.
func (l *Log) Fsck(ctx context.Context) (*Report, error) {
	c, _ := newChecker(VerifyOptions{}, true)
	return l.check(ctx, c)
}

func (l *Log) check(ctx context.Context, c *checker) (*Report, error) {
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		notes, err := r.Checkpoints(ctx)
		if err != nil {
			return err
		}
		for i, n := range notes {
			c.checkpoint(fmt.Sprintf("stored checkpoint %d", i+1), int64(i+1), n, false)
		}
		for i, n := range c.opts.Held {
			c.checkpoint(fmt.Sprintf("held checkpoint %d", i+1), 0, n, true)
		}
		size, err := r.Size(ctx)
		if err != nil {
			return err
		}
		c.hashes = make(hashSlice, 0, tlog.StoredHashCount(size))
		for start := int64(0); start < size; start += int64(l.opts.ReadBatch) {
			if err := ctx.Err(); err != nil {
				return err
			}
			end := min(start+int64(l.opts.ReadBatch), size)
			raw, err := r.ReadLeaves(ctx, start, end)
			var ml *MissingLeafError
			if errors.As(err, &ml) {
				// Read around the gap one leaf at a time.
				raw = nil
				for i := start; i < end; i++ {
					one, err := r.ReadLeaves(ctx, i, i+1)
					if errors.As(err, &ml) {
						c.missing(i, "storage has no leaf at this index (deleted)")
						continue
					}
					if err != nil {
						return err
					}
					c.compare(ctx, r, i, one)
				}
				continue
			}
			if err != nil {
				return err
			}
			c.compare(ctx, r, start, raw)
		}
		c.finish(size, func(tlog.Tree) tlog.HashReader { return hashReader(ctx, r) })
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return &c.rep, nil
}

// compare re-hashes leaves read from storage, on every core, and adds them
// to the re-derived tree against their stored hashes.
func (c *checker) compare(ctx context.Context, r Reader, start int64, raw [][]byte) {
	lo := tlog.StoredHashIndex(0, start)
	hi := tlog.StoredHashIndex(0, start+int64(len(raw)))
	idx := make([]int64, 0, hi-lo)
	for x := lo; x < hi; x++ {
		idx = append(idx, x)
	}
	stored, err := r.ReadHashes(ctx, idx)
	if err != nil {
		c.leafProblem(Problem{Code: ProblemStoredHash, Index: start, Message: fmt.Sprintf("the stored hashes of leaves %d-%d cannot be read: %v", start, start+int64(len(raw))-1, err)})
		stored = nil
	}
	hashes, errs := hashLeaves(raw)
	c.addHashed(start, hashes, errs, func(x int64) (tlog.Hash, bool) {
		if stored == nil || x < lo || x >= hi {
			return tlog.Hash{}, false
		}
		return stored[x-lo], true
	}, func(int, int64, int64) string { return "" })
}
