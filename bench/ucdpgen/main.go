// Command ucdpgen writes N synthetic conflict events in UCDP GED's CSV
// layout, drawn from the value distributions of a real UCDP file, for the
// store and monitoring benchmarks:
//
//	go run ./bench/ucdpgen -n 1000000 -from ../shared/data/ucdp-ged-ukraine-2014-2019.csv > /tmp/ged-1m.csv
//
// Each output row starts from a real row drawn at random (so actors, dyads,
// places, fatalities and the text columns keep their joint distribution),
// takes its start date from another real row drawn at random (so dates
// follow the file's distribution over time, with the first row's duration),
// moves its point by up to about 5 km (kept in range and written back to
// latitude, longitude and geom_wkt), and gets a new unique id. The same
// seed gives the same file. The header is the input's.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

func main() {
	n := flag.Int("n", 1_000_000, "rows to write")
	from := flag.String("from", "../shared/data/ucdp-ged-ukraine-2014-2019.csv", "real UCDP GED CSV whose values to draw from")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(os.Stdout, *from, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "ucdpgen:", err)
		os.Exit(1)
	}
}

const layout = "2006-01-02 15:04:05.000"

func run(out io.Writer, from string, n int, seed uint64) error {
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	if len(recs) < 2 {
		return fmt.Errorf("%s: no rows", from)
	}
	header, rows := recs[0], recs[1:]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	var id, dateStart, dateEnd, latitude, longitude, year int
	for _, c := range []struct {
		name string
		i    *int
	}{{"id", &id}, {"date_start", &dateStart}, {"date_end", &dateEnd}, {"latitude", &latitude}, {"longitude", &longitude}, {"year", &year}} {
		i, ok := col[c.name]
		if !ok {
			return fmt.Errorf("%s: no column %s", from, c.name)
		}
		*c.i = i
	}
	wkt, hasWKT := col["geom_wkt"]
	rng := rand.New(rand.NewPCG(seed, seed+1))
	bw := bufio.NewWriterSize(out, 1<<20)
	w := csv.NewWriter(bw)
	if err := w.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for i := range n {
		copy(row, rows[rng.IntN(len(rows))])
		start, err1 := time.Parse(layout, row[dateStart])
		end, err2 := time.Parse(layout, row[dateEnd])
		when, err3 := time.Parse(layout, rows[rng.IntN(len(rows))][dateStart])
		if err1 == nil && err2 == nil && err3 == nil {
			row[dateStart] = when.Format(layout)
			row[dateEnd] = when.Add(end.Sub(start)).Format(layout)
			row[year] = strconv.Itoa(when.Year())
		}
		lat, err1 := strconv.ParseFloat(row[latitude], 64)
		lon, err2 := strconv.ParseFloat(row[longitude], 64)
		if err1 == nil && err2 == nil {
			lat = clamp(lat+(rng.Float64()-0.5)*0.09, -90, 90)
			lon = clamp(lon+(rng.Float64()-0.5)*0.13, -180, 180)
			row[latitude] = strconv.FormatFloat(lat, 'f', 6, 64)
			row[longitude] = strconv.FormatFloat(lon, 'f', 6, 64)
			if hasWKT {
				row[wkt] = fmt.Sprintf("POINT (%s %s)", row[longitude], row[latitude])
			}
		}
		row[id] = strconv.Itoa(10_000_000 + i)
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func clamp(x, lo, hi float64) float64 { return max(lo, min(hi, x)) }
