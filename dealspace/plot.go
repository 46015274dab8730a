package dealspace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/internal/svgplot"
)

// PlotOptions tune PlotSVG.
type PlotOptions struct {
	// X and Y are the parties on the two axes; by default the first two
	// parties with a utility.
	X, Y string
	// Subtitle is drawn under the title (the settlement's file, say).
	Subtitle string
}

// ErrAxes is wrapped by PlotSVG's error when the axes do not name two
// different parties with a utility.
var ErrAxes = errors.New("plot axes")

// PlotSVG draws the Pareto frontier for two parties as an SVG image: one
// dot per utility vector of the frontier (however many packages give
// it), the staircase of the vectors no other beats for both parties, the
// two reservation lines, the Kalai–Smorodinsky line and the Nash,
// Kalai–Smorodinsky and utilitarian packages, with a legend and the
// counts. With more than two parties it is a projection, and says so.
func PlotSVG(w io.Writer, r *Result, opts PlotOptions) error {
	x, y := opts.X, opts.Y
	if x == "" && y == "" && len(r.Parties) >= 2 {
		x, y = r.Parties[0], r.Parties[1]
	}
	xi, yi := -1, -1
	for i, p := range r.Parties {
		if p == x {
			xi = i
		}
		if p == y {
			yi = i
		}
	}
	if xi < 0 || yi < 0 || xi == yi {
		if len(r.Parties) < 2 {
			return fmt.Errorf("%w: a chart needs two parties with a utility; the settlement has %d", ErrAxes, len(r.Parties))
		}
		return fmt.Errorf("%w %s,%s: name two different parties with a utility (%s)", ErrAxes, x, y, strings.Join(r.Parties, ", "))
	}
	const (
		width, height    = 760, 560
		left, right      = 70, 240
		top, bottom      = 50, 60
		pw, ph           = width - left - right, height - top - bottom
		pointR, markSize = 3.0, 7.0
	)
	esc := svgplot.Esc
	px := func(u float64) float64 { return left + u*pw }
	py := func(u float64) float64 { return top + (1-u)*ph }
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(b, `<text x="%d" y="24" font-size="15" font-weight="bold">Pareto frontier: %s and %s</text>`+"\n", left, esc(x), esc(y))
	if opts.Subtitle != "" {
		fmt.Fprintf(b, `<text x="%d" y="40" fill="#555">%s</text>`+"\n", left, esc(opts.Subtitle))
	}
	svgplot.Panel{Left: left, Right: left + pw, Top: top, Bottom: top + ph}.Axes(b, svgplot.Axes{
		X:      svgplot.Linear(0, 1, 0.2, px),
		Y:      svgplot.Linear(0, 1, 0.2, py),
		XGrid:  true,
		XLabel: "utility of " + x,
		YLabel: "utility of " + y,
	})
	// Reservation lines.
	rx, ry := r.Reservation[xi], r.Reservation[yi]
	fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c0392b" stroke-dasharray="6 4"/>`+"\n", px(rx), top, px(rx), top+ph)
	fmt.Fprintf(b, `<text x="%.1f" y="%d" fill="#c0392b" font-size="11">%s reservation %.2f</text>`+"\n", px(rx)+4, top+14, esc(x), rx)
	fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#c0392b" stroke-dasharray="6 4"/>`+"\n", left, py(ry), left+pw, py(ry))
	fmt.Fprintf(b, `<text x="%d" y="%.1f" fill="#c0392b" font-size="11" text-anchor="end">%s reservation %.2f</text>`+"\n", left+pw-4, py(ry)-4, esc(y), ry)
	// Frontier points, and the staircase of those no other beats for x
	// and y together.
	var pts [][2]float64
	if r.Frontier != nil {
		for _, p := range r.Frontier.Points {
			pts = append(pts, [2]float64{p.Utility[xi], p.Utility[yi]})
		}
	}
	sort.Slice(pts, func(i, j int) bool {
		if pts[i][0] != pts[j][0] {
			return pts[i][0] > pts[j][0]
		}
		return pts[i][1] > pts[j][1]
	})
	var stairs [][2]float64
	for _, p := range pts {
		if len(stairs) == 0 || p[1] > stairs[len(stairs)-1][1]+1e-9 {
			stairs = append(stairs, p)
		}
	}
	if len(stairs) > 1 {
		var d strings.Builder
		for i, p := range stairs {
			if i == 0 {
				fmt.Fprintf(&d, "M%.1f %.1f", px(p[0]), py(p[1]))
				continue
			}
			fmt.Fprintf(&d, " H%.1f V%.1f", px(p[0]), py(p[1]))
		}
		fmt.Fprintf(b, `<path d="%s" fill="none" stroke="#7f8c8d" stroke-width="1.2"/>`+"\n", d.String())
	}
	for _, p := range pts {
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="#95a5a6" fill-opacity="0.7"/>`+"\n", px(p[0]), py(p[1]), pointR)
	}
	if len(pts) == 0 {
		msg := "no feasible package"
		if r.Feasible == nil {
			msg = "the analysis was cut short"
		} else if r.Feasible.Sign() > 0 {
			msg = "frontier not computed"
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="16" fill="#888">%s</text>`+"\n", px(0.5), py(0.5), msg)
	}
	// Kalai–Smorodinsky's line from the reservations to the best utilities.
	if r.Kalai != nil && len(r.Best) > 0 {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#2980b9" stroke-dasharray="2 3"/>`+"\n",
			px(rx), py(ry), px(r.Best[xi]), py(r.Best[yi]))
	}
	type mark struct {
		name, colour, shape string
		s                   *Solution
	}
	marks := []mark{
		{"Nash", "#c0392b", "diamond", r.Nash},
		{"Kalai-Smorodinsky", "#2980b9", "square", r.Kalai},
		{"utilitarian", "#27ae60", "triangle", r.Utilitarian},
	}
	shape := func(kind string, cx, cy float64, colour string) string {
		s := markSize
		switch kind {
		case "diamond":
			return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" fill-opacity="0.85" stroke="black"/>`, cx, cy-s, cx+s, cy, cx, cy+s, cx-s, cy, colour)
		case "square":
			return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.85" stroke="black"/>`, cx-s*0.75, cy-s*0.75, s*1.5, s*1.5, colour)
		}
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" fill-opacity="0.85" stroke="black"/>`, cx, cy-s, cx+s, cy+s*0.8, cx-s, cy+s*0.8, colour)
	}
	for _, m := range marks {
		if m.s != nil {
			b.WriteString(shape(m.shape, px(m.s.Utility[xi]), py(m.s.Utility[yi]), m.colour) + "\n")
		}
	}
	// Legend.
	lx, ly := float64(left+pw+20), float64(top+10)
	fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="#95a5a6"/><text x="%.1f" y="%.1f">frontier utility vector</text>`+"\n", lx+7, ly, pointR, lx+20, ly+4)
	ly += 22
	for _, m := range marks {
		b.WriteString(shape(m.shape, lx+7, ly, m.colour))
		label := m.name
		if m.s == nil {
			label += " (none)"
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+20, ly+4, label)
		ly += 22
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c0392b" stroke-dasharray="6 4"/><text x="%.1f" y="%.1f">reservation</text>`+"\n", lx, ly, lx+14, ly, lx+20, ly+4)
	ly += 30
	var notes []string
	if r.Feasible != nil {
		notes = append(notes, "feasible: "+render.Digits(r.Feasible))
	}
	if r.Frontier != nil {
		notes = append(notes, fmt.Sprintf("frontier: %d vectors, %s packages", len(r.Frontier.Points), render.Digits(r.Frontier.Packages)))
	}
	if len(r.Parties) > 2 {
		notes = append(notes, fmt.Sprintf("projection of %d parties", len(r.Parties)))
	}
	for _, n := range notes {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#555" font-size="11">%s</text>`+"\n", lx, ly, esc(n))
		ly += 16
	}
	b.WriteString("</svg>\n")
	return b.Flush()
}
