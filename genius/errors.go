package genius

import (
	"sort"
	"strings"

	"github.com/entente-org/entente/settlement"
)

// Pos is a position in a Genius file, the settlement's position type: a
// 1-based line and column, the column counted in characters. A zero Line
// means the whole file; String gives "file:line:col", or as much of it as
// is known.
type Pos = settlement.Pos

// Error is one problem that stops an import: a file that is not Genius
// XML, or Genius terms that are missing, inconsistent or out of range.
// Msg says what is wrong and what would be valid.
type Error struct {
	Pos Pos
	Msg string
}

// Error returns "file:line:col: msg".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every problem found in the files of one import, sorted by
// file (in the order the files were given) and position.
type ErrorList []*Error

// Error returns the problems one per line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the problems, so that errors.As finds each *Error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// sorted orders the list by file (in order of first appearance), line and
// column, keeping the order of problems at the same place.
func (l ErrorList) sorted() ErrorList {
	rank := map[string]int{}
	for _, e := range l {
		if _, ok := rank[e.Pos.File]; !ok {
			rank[e.Pos.File] = len(rank)
		}
	}
	sortByPos(l, func(e *Error) Pos { return e.Pos }, rank)
	return l
}

// sortByPos sorts xs stably by the rank of their file, then line and
// column; a file without a rank ranks 0.
func sortByPos[T any](xs []T, pos func(T) Pos, rank map[string]int) {
	sort.SliceStable(xs, func(i, j int) bool {
		a, b := pos(xs[i]), pos(xs[j])
		if rank[a.File] != rank[b.File] {
			return rank[a.File] < rank[b.File]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Warning is Genius semantics that the settlement cannot express, or input
// that was read leniently. An import with warnings succeeds; each warning
// is also written as a comment into the settlement file.
type Warning struct {
	Pos Pos
	Msg string
}

// String returns "file:line:col: warning: msg".
func (w Warning) String() string { return w.Pos.String() + ": warning: " + w.Msg }
