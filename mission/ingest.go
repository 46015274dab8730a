package mission

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/monitor"
	"github.com/entente-org/entente/store"
)

// InputError is input the pipeline cannot use: a file that cannot be
// opened, a full release of ACLED deletions, two full releases of one
// source in one ingest. Its message is the underlying error's.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// ErrBadRecord is wrapped by the error of an event the classifier cannot
// classify; the error names the file, row and line.
var ErrBadRecord = errors.New("bad record")

// Input is one event file to ingest.
type Input struct {
	// Name names the file in errors, in the batch and in its log record.
	Name string
	// Hash is the hex SHA-256 of the content: the batch's identity.
	Hash string
	// Size is the content's length in bytes, for progress (0: unknown).
	Size int64
	// Open returns the content from its start. It may be called more
	// than once (a transaction the database retries reads it again).
	Open func() (io.ReadCloser, error)
}

// FileInput returns the Input of a file on disk, hashing it now: a file
// that cannot be read fails here, before anything is written.
func FileInput(path string) (Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return Input{}, &InputError{Err: err}
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Input{}, &InputError{Err: fmt.Errorf("read %s: %w", path, err)}
	}
	return Input{Name: path, Hash: hex.EncodeToString(h.Sum(nil)), Size: n,
		Open: func() (io.ReadCloser, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, &InputError{Err: err}
			}
			return f, nil
		}}, nil
}

// BytesInput returns the Input of content held in memory, such as an
// upload.
func BytesInput(name string, content []byte) Input {
	sum := sha256.Sum256(content)
	return Input{Name: name, Hash: hex.EncodeToString(sum[:]), Size: int64(len(content)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(content)), nil }}
}

// IngestOptions say how to ingest.
type IngestOptions struct {
	// Settlement names the settlement whose classifier is used, as the
	// batch's log record gives it (a file path or an id).
	Settlement string
	// Full says each input is a full release of its source: stored events
	// of that source dated within From..To (ISO dates, "" open) that it
	// lacks are deleted.
	Full     bool
	From, To string
	// Progress, when set, is called as records are read, from the
	// goroutine that reads them.
	Progress func(Progress)
}

// Progress is how far an ingest has read its current input.
type Progress struct {
	Name       string
	Read, Size int64 // bytes
	Records    int64
}

// FileResult is what an ingest did with one input: the JSON of each
// file of `entente monitor ingest --json`.
type FileResult struct {
	File      string `json:"file"`
	Format    string `json:"format"`
	Hash      string `json:"sha256"`
	Batch     int64  `json:"batch"`
	Duplicate bool   `json:"duplicate"`
	Records   int64  `json:"records"`
	Added     int64  `json:"added"`
	Updated   int64  `json:"updated"`
	Deleted   int64  `json:"deleted"`
	Unchanged int64  `json:"unchanged"`
	// Reclassified counts unchanged events classified anew.
	Reclassified int64 `json:"reclassified"`
	Violations   int64 `json:"violations"`
	Unattributed int64 `json:"unattributed"`
	// LogIndex is the index of the batch's leaf in the tamper-evident
	// log, written in the same transaction; nil for a file already
	// stored.
	LogIndex *int64 `json:"log_index,omitempty"`
}

// IngestResult is what an ingest stored: the JSON of `entente monitor
// ingest --json`.
type IngestResult struct {
	// Store names the store (a SQLite path, or a PostgreSQL URL without
	// its password); set by the caller.
	Store string       `json:"store"`
	Files []FileResult `json:"files"`
}

// Ingest reads every input, classifies each event with cl and stores the
// events, one batch per input, all in one transaction: any bad record
// (an *monitor.Error naming the file, row and column, an error wrapping
// ErrBadRecord or store.ErrInvalid) or an *InputError stores nothing.
// Each new batch is recorded in the log as a [BatchRecord] in the same
// transaction. An input whose hash is stored already adds nothing and is
// reported with Duplicate set; re-running an ingest therefore adds
// nothing twice.
func Ingest(ctx context.Context, st store.Store, cl *monitor.Classifier, inputs []Input, opts IngestOptions) (*IngestResult, error) {
	out := &IngestResult{}
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		out.Files = out.Files[:0]
		released := map[string]string{} // source → the input that is its full release
		for _, in := range inputs {
			res, err := ingestOne(ctx, tx, cl, in, opts)
			if err != nil {
				return err
			}
			if !res.Duplicate {
				leaf, err := NewBatchRecord(opts.Settlement, cl.Fingerprint(), res).Leaf(time.Now())
				if err != nil {
					return err
				}
				i, err := ledger.AppendTx(ctx, tx.LogTx(), leaf)
				if err != nil {
					return fmt.Errorf("record batch %d in the log: %w", res.Batch, err)
				}
				res.LogIndex = &i
			}
			if src := monitor.Format(res.Format).Source(); opts.Full && released[src] != "" {
				return &InputError{Err: fmt.Errorf("--full: %s and %s are both releases of %s, and each would delete the other's events; ingest them in separate runs, or with --scope-from/--scope-to", released[src], in.Name, src)}
			} else if opts.Full {
				released[src] = in.Name
			}
			out.Files = append(out.Files, *res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ingestOne stores one input as one batch within tx.
func ingestOne(ctx context.Context, tx store.Tx, cl *monitor.Classifier, in Input, opts IngestOptions) (*FileResult, error) {
	f, err := in.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	var cr *countingReader
	if opts.Progress != nil {
		cr = &countingReader{r: f}
		r = cr
	}
	rd, err := monitor.NewReader(in.Name, r)
	if err != nil {
		return nil, err
	}
	if opts.Full && rd.Format() == monitor.ACLEDDeleted {
		return nil, &InputError{Err: fmt.Errorf("%s: a file of ACLED deletions cannot be a full release (--full): it would delete every other ACLED event", in.Name)}
	}
	out := &FileResult{File: in.Name, Format: string(rd.Format()), Hash: in.Hash}
	if b, err := tx.BatchByHash(ctx, in.Hash); err == nil && b.Source == rd.Format().Source() {
		// Stored already: nothing to read.
		c := b.Counts
		out.Batch, out.Duplicate, out.Records = b.ID, true, c.Total()
		out.Added, out.Updated, out.Deleted, out.Unchanged = c.Added, c.Updated, c.Deleted, c.Unchanged
		return out, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	fp := cl.Fingerprint()
	var tick func(records int64)
	if opts.Progress != nil {
		tick = func(records int64) {
			opts.Progress(Progress{Name: in.Name, Read: cr.n, Size: in.Size, Records: records})
		}
	}
	// Read and classify in one goroutine while the store writes in this
	// one: a pipeline of chunks, in file order.
	pctx, stop := context.WithCancel(ctx)
	chunks := make(chan chunk, 4)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(chunks)
		classify(pctx, rd, cl, fp, in.Name, out, tick, chunks)
	}()
	var once sync.Once
	finish := func() {
		once.Do(func() {
			stop()
			for range chunks { // let the reader see the stop and end
			}
			wg.Wait()
		})
	}
	defer finish()
	cur := chunk{}
	i := 0
	next := func() (*store.Event, error) {
		for i >= len(cur.events) {
			if cur.err != nil {
				return nil, cur.err
			}
			var ok bool
			if cur, ok = <-chunks; !ok {
				return nil, io.EOF
			}
			i = 0
		}
		i++
		return &cur.events[i-1], nil
	}
	res, err := tx.Ingest(ctx, store.NewBatch{Hash: in.Hash, Source: rd.Format().Source(), Name: in.Name,
		Full: opts.Full, From: opts.From, To: opts.To, Columns: rd.Columns(), Fingerprint: fp}, next)
	finish() // the reader's counts are final after this
	if err != nil {
		return nil, err
	}
	out.Batch, out.Duplicate, out.Reclassified = res.Batch.ID, res.Duplicate, res.Reclassified
	c := res.Batch.Counts
	out.Added, out.Updated, out.Deleted, out.Unchanged = c.Added, c.Updated, c.Deleted, c.Unchanged
	return out, nil
}

// chunk is a run of classified events in file order, and the error that
// ended the run, if any.
type chunk struct {
	events []store.Event
	err    error
}

// classify reads and classifies every record of rd, sending them in
// chunks until the file ends, a record is bad, or ctx is done.
func classify(ctx context.Context, rd *monitor.Reader, cl *monitor.Classifier, fp, name string, out *FileResult, tick func(int64), chunks chan<- chunk) {
	const size = 512
	c := chunk{events: make([]store.Event, 0, size)}
	send := func() bool {
		select {
		case chunks <- c:
			c = chunk{events: make([]store.Event, 0, size)}
			return true
		case <-ctx.Done():
			return false
		}
	}
	var last time.Time
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			send()
			return
		}
		if err != nil {
			c.err = err // an *monitor.Error naming file, row and column
			send()
			return
		}
		out.Records++
		ev := store.Event{Event: rec.Event, Raw: rec.Raw, Deleted: rec.Deleted, Fingerprint: fp}
		if !rec.Deleted {
			cls, err := cl.Classify(&ev.Event)
			if err != nil {
				c.err = fmt.Errorf("%s: row %d (line %d): %w: %v", name, rec.Row, rec.Line, ErrBadRecord, err)
				send()
				return
			}
			ev.Violations, ev.Unattributed = cls.Rules, cls.Unattributed
			if len(cls.Rules) > 0 {
				out.Violations++
			}
			if cls.Unattributed {
				out.Unattributed++
			}
		}
		c.events = append(c.events, ev)
		if tick != nil && out.Records%256 == 0 {
			if now := time.Now(); now.Sub(last) >= 50*time.Millisecond {
				last = now
				tick(out.Records)
			}
		}
		if len(c.events) == size && !send() {
			return
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
