package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the height of C2SP tlog-tiles tiles: 2^8 = 256 hashes wide.
const TileHeight = 8

// TileWidth is the number of hashes in a full tile and of entries in a full
// entry bundle.
const TileWidth = 1 << TileHeight

// ErrBundleFormat is the error (wrapped) for an entry bundle whose framing
// is broken.
var ErrBundleFormat = errors.New("malformed entry bundle")

// TilePath returns the C2SP tlog-tiles path of the hash tile at level
// t.L, index t.N and width t.W: "tile/<L>/<N>" for a full tile and
// "tile/<L>/<N>.p/<W>" for a partial one, where <N> is written in
// zero-padded groups of three digits, all but the last prefixed with "x"
// (1234067 → "x001/x234/067"). Level -1 gives the entry bundle path
// "tile/entries/<N>[.p/<W>]".
func TilePath(t tlog.Tile) string {
	n := t.N
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	level := fmt.Sprint(t.L)
	if t.L == -1 {
		level = "entries"
	}
	p := "tile/" + level + "/" + s
	if t.W != TileWidth {
		p += fmt.Sprintf(".p/%d", t.W)
	}
	return p
}

// EntryTile returns the entry bundle that holds the leaves of level-0 tile
// t: the same N and W at level -1.
func EntryTile(t tlog.Tile) tlog.Tile { return tlog.Tile{H: TileHeight, L: -1, N: t.N, W: t.W} }

// treeTiles returns every tile (levels 0 and up) of a tree of size n: the
// full tiles and, at each level, the partial tile if any.
func treeTiles(n int64) []tlog.Tile {
	return tlog.NewTiles(TileHeight, 0, n)
}

// AppendBundle appends entries to an entry bundle: each entry as a
// big-endian uint16 length followed by its bytes. An entry longer than
// 65,535 bytes is an error.
func AppendBundle(b []byte, entries ...[]byte) ([]byte, error) {
	for i, e := range entries {
		if len(e) > MaxLeafSize {
			return nil, fmt.Errorf("entry %d: %d bytes; a bundle entry holds at most %d", i, len(e), MaxLeafSize)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	return b, nil
}

// ParseBundle splits an entry bundle into its entries. Broken framing (a
// length that runs past the end) is an error wrapping [ErrBundleFormat]
// that names the entry and byte offset; the entries before it are
// returned with it.
func ParseBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for off := 0; off < len(b); {
		if len(b)-off < 2 {
			return out, fmt.Errorf("%w: entry %d at byte %d: 1 byte left, a length takes 2", ErrBundleFormat, len(out), off)
		}
		n := int(binary.BigEndian.Uint16(b[off:]))
		if len(b)-off-2 < n {
			return out, fmt.Errorf("%w: entry %d at byte %d: length %d runs past the end (%d bytes left)", ErrBundleFormat, len(out), off, n, len(b)-off-2)
		}
		out = append(out, b[off+2:off+2+n:off+2+n])
		off += 2 + n
	}
	return out, nil
}

// describeRange writes "leaf 5" or "leaves 256-511".
func describeRange(lo, hi int64) string {
	if lo == hi {
		return fmt.Sprintf("leaf %d", lo)
	}
	return fmt.Sprintf("leaves %d-%d", lo, hi)
}
