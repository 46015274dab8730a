package monitor

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/entente-org/entente/internal/svgplot"
)

// PlotOptions tune PlotSVG. Zero values take the defaults.
type PlotOptions struct {
	// Title is drawn above the plot.
	Title string
	// Width of the image in pixels (default 960).
	Width int
	// From and To bound the days drawn (ISO dates); by default the
	// report's period, else the span of its violations (and of its
	// triggers' windows).
	From, To string
}

// MaxPlotDays is the longest span PlotSVG draws, about a century: one
// point per day and series.
const MaxPlotDays = 36600

// palette colours the series: sides, then the unattributed series, then
// triggers. Chosen to stay apart for common colour blindness (Okabe–Ito).
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"}

const unattributedColour = "#888888"

// PlotSVG draws a report as an SVG image: violations per day for each
// side (and the unattributed ones), with a dashed vertical mark on the
// first day each trigger fired; below it, for each trigger, its side's
// violations within the rolling window ending on each day against the
// dashed line of its threshold. Axes are labelled in days and counts;
// a legend names the series.
func PlotSVG(w io.Writer, r *Report, opts PlotOptions) error {
	width := opts.Width
	if width <= 0 {
		width = 960
	}
	if width < 400 {
		width = 400
	}
	perSide := map[string]map[int64]int64{}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, c := range r.Cells {
		d, ok := dayNumber(c.Day)
		if !ok {
			continue
		}
		if perSide[c.Side] == nil {
			perSide[c.Side] = map[int64]int64{}
		}
		perSide[c.Side][d] += c.N
		lo, hi = min(lo, d), max(hi, d)
	}
	for _, t := range r.Triggers {
		if d, ok := dayNumber(string(t.Last)); ok {
			hi = max(hi, d)
		}
	}
	from, to := opts.From, opts.To
	if from == "" {
		from = r.From
	}
	if to == "" {
		to = r.To
	}
	if d, ok := dayNumber(from); ok {
		lo = d
	}
	if d, ok := dayNumber(to); ok {
		hi = d
	}
	empty := lo > hi
	if empty {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1
	}
	if hi-lo > MaxPlotDays {
		return fmt.Errorf("plot: the report spans %d days (%s to %s); plot at most %d days: choose a period with From and To",
			hi-lo+1, dayString(lo), dayString(hi), MaxPlotDays)
	}

	// Series: sides by total, descending, then the unattributed ones.
	type series struct {
		name, colour string
		days         map[int64]int64
		total        int64
	}
	var sides []series
	for s, days := range perSide {
		if s == "" {
			continue
		}
		var tot int64
		for _, n := range days {
			tot += n
		}
		sides = append(sides, series{name: s, days: days, total: tot})
	}
	sort.Slice(sides, func(i, j int) bool {
		if sides[i].total != sides[j].total {
			return sides[i].total > sides[j].total
		}
		return sides[i].name < sides[j].name
	})
	for i := range sides {
		sides[i].colour = palette[i%len(palette)]
	}
	if days := perSide[""]; days != nil {
		sides = append(sides, series{name: "unattributed", colour: unattributedColour, days: days})
	}

	const left, right, top = 64, 24, 48
	panel1 := 280
	panel2 := 0
	if len(r.Triggers) > 0 {
		panel2 = 200
	}
	gap := 56
	height := top + panel1 + gap
	if panel2 > 0 {
		height += panel2 + gap
	}
	plotW := float64(width - left - right)
	x := func(d int64) float64 {
		return float64(left) + plotW*float64(d-lo)/float64(hi-lo)
	}

	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	title := opts.Title
	if title == "" {
		title = "Violations per day by side"
	}
	fmt.Fprintf(b, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", left, esc(title))

	// Panel 1: violations per day.
	var max1 int64 = 1
	for _, s := range sides {
		for d, n := range s.days {
			if d >= lo && d <= hi && n > max1 {
				max1 = n
			}
		}
	}
	y1top, y1bot := float64(top), float64(top+panel1)
	yMax1 := svgplot.NiceCeil(float64(max1))
	y1 := func(n float64) float64 { return y1bot - (y1bot-y1top)*n/yMax1 }
	svgplot.Panel{Left: left, Right: width - right, Top: y1top, Bottom: y1bot}.Axes(b, svgplot.Axes{
		X: svgplot.Days(lo, hi, x), Y: svgplot.Counts(yMax1, y1), YLabel: "violations per day",
	})
	if empty {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#555">no violations</text>`+"\n", float64(left)+plotW/2, (y1top+y1bot)/2)
	}
	for _, s := range sides {
		svgplot.Polyline(b, s.colour, 1.2, int(hi-lo+1), func(k int) (float64, float64) { d := lo + int64(k); return x(d), y1(float64(s.days[d])) })
	}
	for i, t := range r.Triggers {
		d, ok := dayNumber(string(t.First))
		if !ok || d < lo || d > hi {
			continue
		}
		colour := palette[(len(sides)+i)%len(palette)]
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="5,3"/>`+"\n", x(d), y1top, x(d), y1bot, colour)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s" font-size="11">%s fired %s</text>`+"\n", x(d)+4, y1top+14+14*float64(i), colour, esc(t.ID), t.First)
	}
	// Legend.
	for i, it := range sides {
		lx := float64(width - right - 150)
		ly := y1top + 8 + 16*float64(i)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`, lx, ly, lx+18, ly, it.colour)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+24, ly+4, esc(it.name))
	}

	// Panel 2: rolling windows against thresholds.
	if panel2 > 0 {
		y2top := y1bot + float64(gap)
		y2bot := y2top + float64(panel2)
		wins := make([]map[int64]int64, len(r.Triggers))
		var max2 int64 = 1
		for i, t := range r.Triggers {
			wins[i] = map[int64]int64{}
			days := perSide[t.Side]
			wd := int64(max(t.WindowDays, 1))
			var sum int64
			for d := lo - wd; d <= hi; d++ {
				sum += days[d] - days[d-wd]
				if d >= lo {
					wins[i][d] = sum
					max2 = max(max2, sum)
				}
			}
			max2 = max(max2, t.Threshold+1)
		}
		yMax2 := svgplot.NiceCeil(float64(max2))
		y2 := func(n float64) float64 { return y2bot - (y2bot-y2top)*n/yMax2 }
		svgplot.Panel{Left: left, Right: width - right, Top: y2top, Bottom: y2bot}.Axes(b, svgplot.Axes{
			X: svgplot.Days(lo, hi, x), Y: svgplot.Counts(yMax2, y2), YLabel: "violations in window",
		})
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-weight="bold">Triggers: each side's violations in the rolling window, against the threshold</text>`+"\n", left, y2top-10)
		for i, t := range r.Triggers {
			colour := palette[(len(sides)+i)%len(palette)]
			svgplot.Polyline(b, colour, 1.2, int(hi-lo+1), func(k int) (float64, float64) { d := lo + int64(k); return x(d), y2(float64(wins[i][d])) })
			ty := y2(float64(t.Threshold))
			fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1" stroke-dasharray="6,4"/>`+"\n", left, ty, width-right, ty, colour)
			label := fmt.Sprintf("%s: %s, > %d in %s", t.ID, t.Side, t.Threshold, t.Window)
			if t.Fired {
				label += ", first fired " + string(t.First)
			} else {
				label += ", never fired"
			}
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="%s" font-size="11">%s</text>`+"\n", float64(width-right-4), y2top+12+14*float64(i), colour, esc(label))
		}
	}
	b.WriteString("</svg>\n")
	return b.Flush()
}

func esc(s string) string { return svgplot.Esc(s) }
