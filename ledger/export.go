package ledger

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// The export layout (C2SP tlog-tiles, plus the checkpoints' history):
//
//	checkpoint                     the latest signed checkpoint
//	tile/<L>/<N>[.p/<W>]           hash tiles, for every checkpoint's size
//	tile/entries/<N>[.p/<W>]       entry bundles (the encoded leaves)
//	checkpoints/<seq>              every signed checkpoint, seq = 1, 2, …
const (
	// ExportCheckpoint is the path of the latest checkpoint in an export.
	ExportCheckpoint = "checkpoint"
	// ExportHistory is the directory of every checkpoint in an export.
	ExportHistory = "checkpoints"
)

// ErrNotExport is the error (wrapped) for a directory that is not an export
// at all: no readable checkpoint file.
var ErrNotExport = errors.New("not a log export")

// ExportResult says what Export wrote.
type ExportResult struct {
	Dir         string
	Checkpoint  Checkpoint
	Checkpoints int
	Tiles       int
	Bundles     int
}

// Export writes the log, up to its latest checkpoint, to dir in the C2SP
// tlog-tiles static layout: the checkpoint, the hash tiles and entry
// bundles (full ones, and the partial ones of every checkpoint's size, as
// the spec requires), and checkpoints/<seq> for the history, so that
// consistency between successive checkpoints can be checked offline. Files
// are written atomically (a temporary file renamed), so an export can be
// refreshed in place; an export of another log in dir is refused.
func (l *Log) Export(ctx context.Context, dir string) (*ExportResult, error) {
	res := &ExportResult{Dir: dir}
	files := map[string][]byte{}
	err := l.storage.View(ctx, func(ctx context.Context, r Reader) error {
		notes, err := r.Checkpoints(ctx)
		if err != nil {
			return err
		}
		if len(notes) == 0 {
			return fmt.Errorf("%w: the log has no checkpoint to export (run entente log checkpoint)", ErrNoCheckpoint)
		}
		var sizes []int64
		var latest Checkpoint
		for i, n := range notes {
			c, err := ParseSignedCheckpoint(n)
			if err != nil {
				return fmt.Errorf("stored checkpoint %d: %w", i+1, err)
			}
			sizes = append(sizes, c.Size)
			latest = c
			files[path.Join(ExportHistory, strconv.Itoa(i+1))] = n
		}
		files[ExportCheckpoint] = notes[len(notes)-1]
		res.Checkpoint, res.Checkpoints = latest, len(notes)
		size, err := r.Size(ctx)
		if err != nil {
			return err
		}
		if latest.Size > size {
			return fmt.Errorf("the latest checkpoint has size %d but the log has %d leaves: run entente log fsck", latest.Size, size)
		}
		tiles := map[tlog.Tile]bool{}
		for _, s := range sizes {
			for _, t := range treeTiles(s) {
				tiles[t] = true
			}
		}
		hr := hashReader(ctx, r)
		for t := range tiles {
			data, err := tlog.ReadTileData(t, hr)
			if err != nil {
				return fmt.Errorf("tile %s: %w", TilePath(t), err)
			}
			files[TilePath(t)] = data
			res.Tiles++
			if t.L != 0 {
				continue
			}
			start := t.N * TileWidth
			leaves, err := r.ReadLeaves(ctx, start, start+int64(t.W))
			if err != nil {
				return err
			}
			b, err := AppendBundle(nil, leaves...)
			if err != nil {
				return fmt.Errorf("entry bundle %d: %w", t.N, err)
			}
			files[TilePath(EntryTile(t))] = b
			res.Bundles++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if old, err := os.ReadFile(filepath.Join(dir, ExportCheckpoint)); err == nil {
		c, err := ParseSignedCheckpoint(old)
		if err != nil || c.Origin != res.Checkpoint.Origin {
			return nil, fmt.Errorf("export: %s holds another log's export (origin %q); choose an empty directory", dir, c.Origin)
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := writeAtomic(filepath.Join(dir, filepath.FromSlash(name)), files[name]); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	return res, nil
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// exportReader reads an export's files, caching tiles.
type exportReader struct {
	fsys  fs.FS
	tiles map[tlog.Tile][]byte // nil value: unreadable
	errs  map[tlog.Tile]error
}

func (e *exportReader) tile(t tlog.Tile) ([]byte, error) {
	if d, ok := e.tiles[t]; ok {
		return d, e.errs[t]
	}
	d, err := fs.ReadFile(e.fsys, TilePath(t))
	e.keep(t, d, err)
	return e.tiles[t], e.errs[t]
}

// keep caches tile t as read: its data, or the error of a tile that could
// not be read or is not t.W hashes long.
func (e *exportReader) keep(t tlog.Tile, d []byte, err error) {
	if err == nil && len(d) != t.W*tlog.HashSize {
		err = fmt.Errorf("%d bytes, want %d (%d hashes)", len(d), t.W*tlog.HashSize, t.W)
		d = nil
	}
	e.tiles[t], e.errs[t] = d, err
}

// Height implements tlog.TileReader.
func (e *exportReader) Height() int { return TileHeight }

// ReadTiles implements tlog.TileReader.
func (e *exportReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		d, err := e.tile(t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", TilePath(t), err)
		}
		out[i] = d
	}
	return out, nil
}

// SaveTiles implements tlog.TileReader; tiles are kept in memory anyway.
func (e *exportReader) SaveTiles([]tlog.Tile, [][]byte) {}

// VerifyExport checks an export offline with the log's public key (and
// the cosigners' in opts): it re-derives the tree from the entry bundles,
// checks every leaf's encoding, every tile against the re-derived hashes,
// every checkpoint's signature and root, consistency between successive
// checkpoints and inclusion proofs built from the tiles (as a tlog client
// would), and that "checkpoint" is the newest of checkpoints/. Problems go
// in the report, naming the leaf index, checkpoint or file. The error is
// for an fsys that is not an export at all (wrapping [ErrNotExport]).
func VerifyExport(fsys fs.FS, opts VerifyOptions) (*Report, error) {
	c, err := newChecker(opts, false)
	if err != nil {
		return nil, err
	}
	top, err := fs.ReadFile(fsys, ExportCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("verify export: %w: %v", ErrNotExport, err)
	}
	if _, err := ParseSignedCheckpoint(top); err != nil {
		return nil, fmt.Errorf("verify export: %w: file %q: %v", ErrNotExport, ExportCheckpoint, err)
	}
	// History: checkpoints/1 … checkpoints/k.
	entries, err := fs.ReadDir(fsys, ExportHistory)
	if err != nil {
		c.problem(Problem{Code: ProblemFile, Index: -1, File: ExportHistory, Message: fmt.Sprintf("the checkpoint history %s/ cannot be read: %v", ExportHistory, err)})
	}
	var seqs []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil || n < 1 || strconv.Itoa(n) != e.Name() || e.IsDir() {
			c.problem(Problem{Code: ProblemFile, Index: -1, File: path.Join(ExportHistory, e.Name()), Message: fmt.Sprintf("%s/%s is not a checkpoint file (names are 1, 2, 3, …)", ExportHistory, e.Name())})
			continue
		}
		seqs = append(seqs, n)
	}
	slices.Sort(seqs)
	var last []byte
	for i, n := range seqs {
		name := path.Join(ExportHistory, strconv.Itoa(n))
		if n != i+1 {
			c.problem(Problem{Code: ProblemFile, Index: -1, File: name, Checkpoint: path.Join(ExportHistory, strconv.Itoa(i+1)), Message: fmt.Sprintf("%s/%d is missing from the history (found %s next)", ExportHistory, i+1, name)})
		}
		msg, err := fs.ReadFile(fsys, name)
		if err != nil {
			c.problem(Problem{Code: ProblemFile, Index: -1, File: name, Checkpoint: name, Message: fmt.Sprintf("%s cannot be read: %v", name, err)})
			continue
		}
		c.checkpoint(name, int64(n), msg, false)
		last = msg
	}
	if string(last) != string(top) {
		// The top-level checkpoint must be the newest in the history; check
		// it on its own too so that its problems are named.
		c.checkpoint(ExportCheckpoint, 0, top, false)
		c.problem(Problem{Code: ProblemFork, Index: -1, Checkpoint: ExportCheckpoint, File: ExportCheckpoint, Message: fmt.Sprintf("%q is not the newest checkpoint of the history (%s/%d)", ExportCheckpoint, ExportHistory, len(seqs))})
	}
	for i, n := range opts.Held {
		c.checkpoint(fmt.Sprintf("held checkpoint %d", i+1), 0, n, true)
	}
	// The size to verify: the largest checkpoint signed by the log (or, if
	// none is, the largest claimed, to report what can be found).
	var size, claimed int64
	for _, st := range c.cps {
		if st.held {
			continue
		}
		claimed = max(claimed, st.body.Size)
		if st.signed {
			size = max(size, st.body.Size)
		}
	}
	if size == 0 {
		size = claimed
	}
	c.hashes = make(hashSlice, 0, tlog.StoredHashCount(size))
	er := &exportReader{fsys: fsys, tiles: map[tlog.Tile][]byte{}, errs: map[tlog.Tile]error{}}
	// Leaves, bundle by bundle, against the level-0 tiles. A goroutine
	// reads groups of bundles ahead while the leaves of each group are
	// hashed on every core.
	var level0 []tlog.Tile
	for _, t := range treeTiles(size) {
		if t.L == 0 {
			level0 = append(level0, t)
		}
	}
	type fetched struct {
		t            tlog.Tile
		bundle, tile []byte
		berr, terr   error
		leaves       [][]byte
	}
	const group = 16
	ahead := make(chan []fetched, 4)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(ahead)
		for g := 0; g < len(level0); g += group {
			var got []fetched
			for _, t := range level0[g:min(g+group, len(level0))] {
				f := fetched{t: t}
				f.bundle, f.berr = fs.ReadFile(fsys, TilePath(EntryTile(t)))
				f.tile, f.terr = fs.ReadFile(fsys, TilePath(t))
				got = append(got, f)
			}
			select {
			case ahead <- got:
			case <-done:
				return
			}
		}
	}()
	claimedHash := func(x int64) (tlog.Hash, bool) {
		level, n := tlog.SplitStoredHashIndex(x)
		if level%TileHeight != 0 {
			return tlog.Hash{}, false
		}
		tt := tileOf(level, n<<level, size)
		d, err := er.tile(tt)
		k := n - tt.N*TileWidth
		if err != nil || k >= int64(tt.W) || level != tt.L*TileHeight {
			return tlog.Hash{}, false
		}
		var h tlog.Hash
		copy(h[:], d[k*tlog.HashSize:])
		return h, true
	}
	for batch := range ahead {
		var all [][]byte
		berrs := make([]error, len(batch))
		for k := range batch {
			f := &batch[k]
			t := f.t
			er.keep(t, f.tile, f.terr)
			if f.berr != nil {
				continue
			}
			f.leaves, berrs[k] = ParseBundle(f.bundle)
			if len(f.leaves) > t.W {
				f.leaves = f.leaves[:t.W]
				bpath := TilePath(EntryTile(t))
				c.problem(Problem{Code: ProblemFile, Index: t.N*TileWidth + int64(t.W), File: bpath, Message: fmt.Sprintf("entry bundle %s holds more than its %d entries", bpath, t.W)})
			}
			all = append(all, f.leaves...)
		}
		hashes, errs := hashLeaves(all)
		off := 0
		for k, f := range batch {
			t := f.t
			start := t.N * TileWidth
			bpath := TilePath(EntryTile(t))
			if f.berr != nil {
				c.missing(start, fmt.Sprintf("entry bundle %s cannot be read: %v", bpath, f.berr))
				continue
			}
			where := func(level int, lo, hi int64) string {
				switch level {
				case -1:
					return fmt.Sprintf(" (in %s)", bpath)
				case 0:
					return fmt.Sprintf(" (in %s; hash in %s)", bpath, TilePath(tileOf(level, lo, size)))
				}
				return fmt.Sprintf(" (in %s)", TilePath(tileOf(level, lo, size)))
			}
			n := len(f.leaves)
			c.addHashed(start, hashes[off:off+n], errs[off:off+n], claimedHash, where)
			off += n
			if berrs[k] != nil || n < t.W {
				why := fmt.Sprintf("entry bundle %s holds %d entries, want %d", bpath, n, t.W)
				if berrs[k] != nil {
					why = fmt.Sprintf("entry bundle %s: %v", bpath, berrs[k])
				}
				c.missing(start+int64(n), why)
			}
		}
	}
	// Tiles the leaves did not reach (after a gap), or that are missing.
	for _, st := range c.cps {
		if !st.signed {
			continue
		}
		for _, t := range treeTiles(st.body.Size) {
			if _, err := er.tile(t); err != nil {
				c.leafProblem(Problem{Code: ProblemFile, Index: t.N * TileWidth << (TileHeight * t.L), File: TilePath(t), Message: fmt.Sprintf("tile %s (needed for %s) cannot be used: %v", TilePath(t), st.res.Name, err)})
			}
		}
	}
	c.finish(size, func(tree tlog.Tree) tlog.HashReader { return tlog.TileHashReader(tree, er) })
	return &c.rep, nil
}

// tileOf returns the tile of a tree of size n that holds the stored hash at
// the given level (a multiple of TileHeight) covering leaf lo.
func tileOf(level int, lo, n int64) tlog.Tile {
	L := level / TileHeight
	idx := lo >> level // index of the hash within its level
	t := tlog.Tile{H: TileHeight, L: L, N: idx / TileWidth, W: TileWidth}
	if width := (n >> level) - t.N*TileWidth; width < TileWidth {
		t.W = int(max(width, 1))
	}
	return t
}

var _ tlog.TileReader = (*exportReader)(nil)
