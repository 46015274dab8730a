// Package svgplot holds the drawing both of entente's charts share: a
// panel's frame with its ticks, grid and axis labels, ticks chosen for
// counts, fractions and days, and polylines. The charts themselves live
// with their engines (dealspace.PlotSVG, monitor.PlotSVG); this package
// knows nothing of settlements.
//
// Coordinates are SVG pixels, y growing downwards. Output is plain SVG
// 1.1 text, deterministic byte for byte, so charts can be golden-tested.
package svgplot

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"
)

// Panel is the pixel box of a chart's plotting area.
type Panel struct {
	// Left and Right are the x of the frame's vertical edges.
	Left, Right int
	// Top and Bottom are the y of its horizontal edges.
	Top, Bottom float64
}

// Tick is a labelled position on an axis, in pixels.
type Tick struct {
	Pos   float64
	Label string
}

// Axes says what Panel.Axes draws besides the frame.
type Axes struct {
	// X ticks are drawn as marks below the frame with their labels; Y
	// ticks as horizontal grid lines with labels left of the frame.
	X, Y []Tick
	// XGrid also draws a vertical grid line at each x tick.
	XGrid bool
	// XLabel is centred below the x tick labels; YLabel is written
	// upwards left of the y tick labels. Empty labels are not drawn.
	XLabel, YLabel string
}

// Axes draws the panel's frame, its y grid and tick labels, its x tick
// marks and labels, and the axis labels.
func (p Panel) Axes(w io.Writer, a Axes) {
	fmt.Fprintf(w, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="none" stroke="#999"/>`+"\n", p.Left, p.Top, p.Right-p.Left, p.Bottom-p.Top)
	for _, t := range a.Y {
		fmt.Fprintf(w, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e4e4e4"/>`, p.Left, t.Pos, p.Right, t.Pos)
		fmt.Fprintf(w, `<text x="%d" y="%.1f" text-anchor="end" fill="#333">%s</text>`+"\n", p.Left-6, t.Pos+4, Esc(t.Label))
	}
	if a.YLabel != "" {
		fmt.Fprintf(w, `<text transform="translate(%d,%.1f) rotate(-90)" text-anchor="middle" fill="#333">%s</text>`+"\n", 16, (p.Top+p.Bottom)/2, Esc(a.YLabel))
	}
	for _, t := range a.X {
		if a.XGrid {
			fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e4e4e4"/>`, t.Pos, p.Top, t.Pos, p.Bottom)
		}
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999"/>`, t.Pos, p.Bottom, t.Pos, p.Bottom+5)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">%s</text>`+"\n", t.Pos, p.Bottom+18, Esc(t.Label))
	}
	if a.XLabel != "" {
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">%s</text>`+"\n", float64(p.Left+p.Right)/2, p.Bottom+38, Esc(a.XLabel))
	}
}

// Linear returns ticks from lo to hi (inclusive, within rounding) every
// step, at pixel pos(v), labelled with Num(v).
func Linear(lo, hi, step float64, pos func(float64) float64) []Tick {
	var out []Tick
	if step <= 0 {
		return out
	}
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		if v > hi+1e-9 {
			break
		}
		out = append(out, Tick{pos(v), Num(v)})
	}
	return out
}

// Counts returns the ticks of a count axis from 0 to max (as NiceCeil
// gives it): about five steps of 1, 2 or 5 times a power of ten.
func Counts(max float64, pos func(float64) float64) []Tick {
	step := NiceCeil(max / 5)
	var out []Tick
	for v := 0.0; v <= max+1e-9; v += step {
		out = append(out, Tick{pos(v), Num(v)})
	}
	return out
}

// Days returns the ticks of a time axis over the days lo … hi (days since
// 1970-01-01): days, Mondays, months, quarters, half-years or years, to
// give about 5 to 12 labels.
func Days(lo, hi int64, pos func(int64) float64) []Tick {
	span := hi - lo
	var out []Tick
	t0 := time.Unix(lo*86400, 0).UTC()
	add := func(t time.Time, label string) {
		d := t.Unix() / 86400
		if d >= lo && d <= hi {
			out = append(out, Tick{pos(d), label})
		}
	}
	switch {
	case span <= 14:
		for d := lo; d <= hi; d++ {
			t := time.Unix(d*86400, 0).UTC()
			add(t, t.Format("Jan 2"))
		}
	case span <= 90:
		for d := lo; d <= hi; d++ {
			t := time.Unix(d*86400, 0).UTC()
			if t.Weekday() == time.Monday {
				add(t, t.Format("Jan 2"))
			}
		}
	default:
		months := 1
		switch {
		case span > 365*6:
			months = 12
		case span > 365*2:
			months = 6
		case span > 365:
			months = 3
		}
		t := time.Date(t0.Year(), t0.Month(), 1, 0, 0, 0, 0, time.UTC)
		for t.Unix()/86400 <= hi {
			if (int(t.Month())-1)%months == 0 {
				label := t.Format("Jan 2006")
				if months == 12 {
					label = t.Format("2006")
				}
				add(t, label)
			}
			t = t.AddDate(0, 1, 0)
		}
	}
	return out
}

// Polyline draws the n points pt(0) … pt(n-1) joined by straight lines.
func Polyline(w io.Writer, colour string, width float64, n int, pt func(i int) (x, y float64)) {
	fmt.Fprintf(w, `<polyline fill="none" stroke="%s" stroke-width="%.1f" stroke-linejoin="round" points="`, colour, width)
	for i := range n {
		x, y := pt(i)
		fmt.Fprintf(w, "%.1f,%.1f ", x, y)
	}
	io.WriteString(w, "\"/>\n")
}

// NiceCeil rounds v up to 1, 2 or 5 times a power of ten, at least 1: a
// count axis's top, or the step between its ticks.
func NiceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// Num formats v with at most two decimals and no trailing zeros.
func Num(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

// Esc escapes s for SVG text and attribute values.
func Esc(s string) string { return html.EscapeString(s) }
