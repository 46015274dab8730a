package main

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/entente-org/entente/dealspace"
)

// writeSVG draws the Pareto frontier for parties x and y: one dot per
// utility vector of the frontier (however many packages give it), the
// reservation lines, and the Nash, Kalai-Smorodinsky and utilitarian
// packages.
func writeSVG(path, file string, r *dealspace.Result, x, y string) error {
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
		return usageErrorf("deals: --axes %s,%s: name two different parties with a utility (%s)", x, y, strings.Join(r.Parties, ", "))
	}
	const (
		w, h             = 720, 560
		left, right      = 70, 200
		top, bottom      = 50, 60
		pw, ph           = w - left - right, h - top - bottom
		pointR, markSize = 3.0, 7.0
	)
	px := func(u float64) float64 { return left + u*pw }
	py := func(u float64) float64 { return top + (1-u)*ph }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">Pareto frontier: %s and %s</text>`+"\n", left, html.EscapeString(x), html.EscapeString(y))
	fmt.Fprintf(&b, `<text x="%d" y="40" fill="#555">%s</text>`+"\n", left, html.EscapeString(filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file)))
	// Grid and axes.
	for i := 0; i <= 10; i++ {
		u := float64(i) / 10
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>`+"\n", px(u), top, px(u), top+ph)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`+"\n", left, py(u), left+pw, py(u))
		if i%2 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%.1f</text>`+"\n", px(u), top+ph+18, u)
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%.1f</text>`+"\n", left-8, py(u)+4, u)
		}
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", left, top, pw, ph)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">utility of %s</text>`+"\n", px(0.5), top+ph+40, html.EscapeString(x))
	fmt.Fprintf(&b, `<text x="20" y="%.1f" text-anchor="middle" transform="rotate(-90 20 %.1f)">utility of %s</text>`+"\n", py(0.5), py(0.5), html.EscapeString(y))
	// Reservation lines.
	rx, ry := r.Reservation[xi], r.Reservation[yi]
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c0392b" stroke-dasharray="6 4"/>`+"\n", px(rx), top, px(rx), top+ph)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#c0392b" font-size="11">%s reservation %.2f</text>`+"\n", px(rx)+4, top+14, html.EscapeString(x), rx)
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#c0392b" stroke-dasharray="6 4"/>`+"\n", left, py(ry), left+pw, py(ry))
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#c0392b" font-size="11" text-anchor="end">%s reservation %.2f</text>`+"\n", left+pw-4, py(ry)-4, html.EscapeString(y), ry)
	// Frontier points, and the ones no other beats for x and y together.
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
	var hull [][2]float64
	for _, p := range pts {
		if len(hull) == 0 || p[1] > hull[len(hull)-1][1]+1e-9 {
			hull = append(hull, p)
		}
	}
	if len(hull) > 1 {
		var d strings.Builder
		for i, p := range hull {
			if i == 0 {
				fmt.Fprintf(&d, "M%.1f %.1f", px(p[0]), py(p[1]))
				continue
			}
			fmt.Fprintf(&d, " H%.1f V%.1f", px(p[0]), py(p[1]))
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#7f8c8d" stroke-width="1.2"/>`+"\n", d.String())
	}
	for _, p := range pts {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="#95a5a6" fill-opacity="0.7"/>`+"\n", px(p[0]), py(p[1]), pointR)
	}
	if len(pts) == 0 {
		msg := "no feasible package"
		if r.Feasible == nil {
			msg = "the analysis was cut short"
		} else if r.Feasible.Sign() > 0 {
			msg = "frontier not computed"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="16" fill="#888">%s</text>`+"\n", px(0.5), py(0.5), msg)
	}
	// Kalai-Smorodinsky's line from the reservations to the best utilities.
	if r.Kalai != nil && len(r.Best) > 0 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#2980b9" stroke-dasharray="2 3"/>`+"\n",
			px(rx), py(ry), px(r.Best[xi]), py(r.Best[yi]))
	}
	type mark struct {
		name  string
		s     *dealspace.Solution
		color string
		shape string
	}
	marks := []mark{
		{"Nash", r.Nash, "#c0392b", "diamond"},
		{"Kalai-Smorodinsky", r.Kalai, "#2980b9", "square"},
		{"utilitarian", r.Utilitarian, "#27ae60", "triangle"},
	}
	shape := func(kind string, cx, cy float64, color string) string {
		s := markSize
		switch kind {
		case "diamond":
			return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" fill-opacity="0.85" stroke="black"/>`, cx, cy-s, cx+s, cy, cx, cy+s, cx-s, cy, color)
		case "square":
			return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.85" stroke="black"/>`, cx-s*0.75, cy-s*0.75, s*1.5, s*1.5, color)
		}
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" fill-opacity="0.85" stroke="black"/>`, cx, cy-s, cx+s, cy+s*0.8, cx-s, cy+s*0.8, color)
	}
	for _, m := range marks {
		if m.s != nil {
			b.WriteString(shape(m.shape, px(m.s.Utility[xi]), py(m.s.Utility[yi]), m.color) + "\n")
		}
	}
	// Legend.
	lx, ly := float64(left+pw+20), float64(top+10)
	fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="#95a5a6"/><text x="%.1f" y="%.1f">frontier utility vector</text>`+"\n", lx+7, ly, pointR, lx+20, ly+4)
	ly += 22
	for _, m := range marks {
		b.WriteString(shape(m.shape, lx+7, ly, m.color))
		label := m.name
		if m.s == nil {
			label += " (none)"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+20, ly+4, label)
		ly += 22
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c0392b" stroke-dasharray="6 4"/><text x="%.1f" y="%.1f">reservation</text>`+"\n", lx, ly, lx+14, ly, lx+20, ly+4)
	ly += 30
	var notes []string
	if r.Feasible != nil {
		notes = append(notes, "feasible: "+groupDigits(r.Feasible))
	}
	if r.Frontier != nil {
		notes = append(notes, fmt.Sprintf("frontier: %d vectors, %s packages", len(r.Frontier.Points), groupDigits(r.Frontier.Packages)))
	}
	if len(r.Parties) > 2 {
		notes = append(notes, fmt.Sprintf("projection of %d parties", len(r.Parties)))
	}
	for _, n := range notes {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#555" font-size="11">%s</text>`+"\n", lx, ly, html.EscapeString(n))
		ly += 16
	}
	b.WriteString("</svg>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write svg %s: %w", path, err)
	}
	return nil
}
