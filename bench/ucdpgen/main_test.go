package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"testing"
)

const real = "../../../shared/data/ucdp-ged-ukraine-2014-2019.csv"

func TestRun(t *testing.T) {
	in, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err) // CI has ../shared beside the clone
	}
	src, _ := csv.NewReader(bytes.NewReader(in)).ReadAll()
	var buf bytes.Buffer
	if err := run(&buf, real, 500, 7); err != nil {
		t.Fatal(err)
	}
	first := bytes.Clone(buf.Bytes())
	out, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out[0], src[0]) || len(out) != 501 {
		t.Fatalf("run wrote %d rows with header %v; want 500 under the input's header", len(out)-1, out[0])
	}
	col := map[string]int{}
	for i, h := range out[0] {
		col[h] = i
	}
	minDay, maxDay := "9999", "0000"
	actors := map[string]bool{}
	for _, r := range src[1:] {
		minDay, maxDay = min(minDay, r[col["date_start"]]), max(maxDay, r[col["date_start"]])
		actors[r[col["side_a"]]] = true
	}
	ids := map[string]bool{}
	for i, r := range out[1:] {
		if ids[r[col["id"]]] {
			t.Errorf("row %d repeats id %s", i+1, r[col["id"]])
		}
		ids[r[col["id"]]] = true
		if d := r[col["date_start"]]; d < minDay || d > maxDay || r[col["year"]] != d[:4] {
			t.Errorf("row %d: date_start %s, year %s; want a date of the input (%s to %s) and its year", i+1, d, r[col["year"]], minDay, maxDay)
		}
		lat, err1 := strconv.ParseFloat(r[col["latitude"]], 64)
		lon, err2 := strconv.ParseFloat(r[col["longitude"]], 64)
		if err1 != nil || err2 != nil || lat < 44 || lat > 53 || lon < 22 || lon > 41 {
			t.Errorf("row %d: point %s %s is not in Ukraine", i+1, r[col["latitude"]], r[col["longitude"]])
		}
		if !actors[r[col["side_a"]]] {
			t.Errorf("row %d: side_a %q is not an actor of the input", i+1, r[col["side_a"]])
		}
	}
	var again bytes.Buffer
	run(&again, real, 500, 7)
	if !bytes.Equal(again.Bytes(), first) {
		t.Errorf("the same seed gave different files")
	}
}
