package guarantee

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// tsvRow is one data line of a tab-separated fixture: its line number and
// its fields.
type tsvRow struct {
	line   int
	fields []string
}

// readTSV reads the tab-separated fixture at path, skipping blank lines and
// lines starting with #, and fails the test unless every data line has
// exactly len(columns) fields (columns name them in the message).
func readTSV(t *testing.T, path string, columns ...string) []tsvRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []tsvRow
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fs := strings.Split(text, "\t")
		if len(fs) != len(columns) {
			t.Fatalf("%s:%d: %d fields, want %d (%s)", path, line, len(fs), len(columns), strings.Join(columns, ", "))
		}
		rows = append(rows, tsvRow{line, fs})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// ints parses the fields at the given indexes as integers, failing the
// test with the fixture's position on a bad one.
func (r tsvRow) ints(t *testing.T, path string, idx ...int) []int {
	t.Helper()
	out := make([]int, len(idx))
	for i, j := range idx {
		n, err := strconv.Atoi(r.fields[j])
		if err != nil {
			t.Fatalf("%s:%d: %v", path, r.line, err)
		}
		out[i] = n
	}
	return out
}
