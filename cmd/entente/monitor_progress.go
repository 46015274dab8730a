package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entente-org/entente/mission"
)

// ingestBar draws a progress bar of a long ingest on stderr, only when
// stderr is a terminal; otherwise every method does nothing.
type ingestBar struct {
	w     io.Writer
	on    bool
	last  time.Time
	drawn bool
}

// newIngestBar returns a progress bar on stderr if it is a terminal.
func newIngestBar(stderr io.Writer) *ingestBar {
	return &ingestBar{w: stderr, on: isTerminal(stderr)}
}

// progress returns the hook for mission.IngestOptions.Progress, nil when
// the bar is off.
func (p *ingestBar) progress() func(mission.Progress) {
	if !p.on {
		return nil
	}
	return func(pr mission.Progress) {
		if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
			p.last = now
			p.draw(pr)
		}
	}
}

func (p *ingestBar) draw(pr mission.Progress) {
	const width = 30
	frac := 0.0
	if pr.Size > 0 {
		frac = min(1, float64(pr.Read)/float64(pr.Size))
	}
	done := int(frac * width)
	name := pr.Name
	if len(name) > 40 {
		name = "…" + name[len(name)-39:]
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %d records\x1b[K", name, strings.Repeat("=", done), strings.Repeat(" ", width-done), frac*100, pr.Records)
	p.drawn = true
}

// done clears the bar.
func (p *ingestBar) done() {
	if p.on && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
