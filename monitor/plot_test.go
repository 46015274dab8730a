package monitor

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/entente-org/entente/settlement"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// plotReport is a small report with two sides, unattributed violations
// and two triggers, one of which fires.
func plotReport() *Report {
	cells := []Cell{
		{Day: "2015-02-15", Side: "UA", N: 6}, {Day: "2015-02-16", Side: "UA", N: 4}, {Day: "2015-02-17", Side: "UA", N: 7},
		{Day: "2015-02-18", Side: "UA", N: 6}, {Day: "2015-02-20", Side: "DPR", N: 2}, {Day: "2015-02-24", Side: "UA", N: 1},
		{Day: "2015-03-02", Side: "", N: 1}, {Day: "2015-03-10", Side: "DPR", N: 3},
	}
	return NewReport(40, cells, map[string]int64{"r": 30}, []*settlement.MonitorTrigger{
		{ID: "collapse", Side: "UA", Window: 7 * 24 * time.Hour, WindowText: "7d", Threshold: 20},
		{ID: "quiet", Side: "DPR", Window: 3 * 24 * time.Hour, WindowText: "3d", Threshold: 5},
	}, ReportOptions{From: "2015-02-10", To: "2015-03-15", Sides: []string{"UA", "DPR"}})
}

func TestPlotSVG(t *testing.T) {
	var buf bytes.Buffer
	if err := PlotSVG(&buf, plotReport(), PlotOptions{Title: "Test <plot> & co"}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	// Well-formed XML, with the elements a reader of the plot relies on.
	dec := xml.NewDecoder(strings.NewReader(svg))
	counts := map[string]int{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
		}
	}
	// Sides UA, DPR and the unattributed series, then one window line per
	// trigger.
	if counts["svg"] != 1 || counts["polyline"] != 5 {
		t.Errorf("elements %v: want one svg and 5 polylines", counts)
	}
	for _, want := range []string{"Test &lt;plot&gt; &amp; co", ">UA<", ">DPR<", ">unattributed<", "collapse fired 2015-02-18",
		"collapse: UA, &gt; 20 in 7d, first fired 2015-02-18", "quiet: DPR, &gt; 5 in 3d, never fired", "violations per day", "Feb 16", "Mar 2"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	golden := "testdata/plot.golden.svg"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./monitor -run TestPlotSVG -update writes it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("PlotSVG output differs from %s; if the change is intended: go test ./monitor -run TestPlotSVG -update", golden)
	}
}

func TestPlotEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := PlotSVG(&buf, NewReport(0, nil, nil, nil, ReportOptions{}), PlotOptions{Width: 10}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "no violations") || !strings.Contains(buf.String(), `width="400"`) {
		t.Errorf("empty plot: %s", buf.String())
	}
	if err := xml.Unmarshal(buf.Bytes(), new(struct{})); err != nil {
		t.Errorf("not XML: %v", err)
	}
}

func TestPlotTooLong(t *testing.T) {
	r := NewReport(2, []Cell{{Day: "0001-01-01", Side: "UA", N: 1}, {Day: "9999-12-31", Side: "UA", N: 1}}, nil, nil, ReportOptions{})
	err := PlotSVG(io.Discard, r, PlotOptions{})
	if err == nil || !strings.Contains(err.Error(), "choose a period") {
		t.Errorf("PlotSVG over 10,000 years = %v, want an error", err)
	}
	if err := PlotSVG(io.Discard, r, PlotOptions{From: "2015-01-01", To: "2015-12-31"}); err != nil {
		t.Errorf("PlotSVG over one year of it: %v", err)
	}
}
