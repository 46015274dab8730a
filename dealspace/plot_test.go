package dealspace_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/settlement"
)

// TestPlotSVG draws the example's frontier and reads the SVG back as
// XML: one dot per frontier vector (plus the legend's), the three
// solutions marked, escaped labels, and a clear error for bad axes.
func TestPlotSVG(t *testing.T) {
	s, findings, err := settlement.Parse("example.yaml", []byte(exampleSettlement), settlement.DefaultOptions())
	if err != nil || findings.Errors() > 0 {
		t.Fatal(err, findings)
	}
	res, err := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := dealspace.PlotSVG(&buf, res, dealspace.PlotOptions{Subtitle: "a <b> & c"}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	counts := map[string]int{}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
		}
	}
	// 3 frontier vectors and the legend's dot.
	if counts["circle"] != len(res.Frontier.Points)+1 || counts["svg"] != 1 {
		t.Errorf("elements %v: want %d circles and one svg", counts, len(res.Frontier.Points)+1)
	}
	for _, want := range []string{"utility of UA", "utility of RU", "a &lt;b&gt; &amp; c", "frontier: 3 vectors, 3 packages", "Kalai-Smorodinsky"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	for _, axes := range [][2]string{{"UA", "UA"}, {"UA", "XX"}} {
		err := dealspace.PlotSVG(io.Discard, res, dealspace.PlotOptions{X: axes[0], Y: axes[1]})
		if !errors.Is(err, dealspace.ErrAxes) || !strings.Contains(err.Error(), "UA, RU") {
			t.Errorf("axes %v: err = %v, want ErrAxes naming the parties", axes, err)
		}
	}
}
