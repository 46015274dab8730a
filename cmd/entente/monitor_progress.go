package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ingestBar draws a progress bar of a long ingest on stderr, only when
// stderr is a terminal; otherwise every method does nothing.
type ingestBar struct {
	w          io.Writer
	on         bool
	name       string
	size, read int64
	records    int64
	last       time.Time
	drawn      bool
}

// newIngestBar returns a progress bar on stderr if it is a terminal.
func newIngestBar(stderr io.Writer) *ingestBar {
	return &ingestBar{w: stderr, on: isTerminal(stderr)}
}

// reader starts a new file and counts the bytes read from r.
func (p *ingestBar) reader(name string, r io.Reader, size int64) io.Reader {
	if !p.on {
		return r
	}
	p.name, p.size, p.read, p.records = name, size, 0, 0
	return &countingReader{r: r, p: p}
}

type countingReader struct {
	r io.Reader
	p *ingestBar
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.read += int64(n)
	return n, err
}

// tick notes that records records have been read, redrawing at most ten
// times a second.
func (p *ingestBar) tick(records int64) {
	if !p.on {
		return
	}
	p.records = records
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		p.draw()
	}
}

func (p *ingestBar) draw() {
	const width = 30
	frac := 0.0
	if p.size > 0 {
		frac = min(1, float64(p.read)/float64(p.size))
	}
	done := int(frac * width)
	name := p.name
	if len(name) > 40 {
		name = "…" + name[len(name)-39:]
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %d records\x1b[K", name, strings.Repeat("=", done), strings.Repeat(" ", width-done), frac*100, p.records)
	p.drawn = true
}

// done clears the bar.
func (p *ingestBar) done() {
	if p.on && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
