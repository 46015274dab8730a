package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/monitor"
	"github.com/entente-org/entente/settlement"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/postgres"
	"github.com/entente-org/entente/store/sqlite"
)

const monitorUsage = `usage: entente monitor COMMAND [flags]

  ingest   read conflict-event files, classify each event against the settlement, store them
  report   tally the stored violations by side, day, zone and rule; triggers; unattributed events

Run 'entente monitor COMMAND --help' for a command's flags.`

func runMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, monitorUsage)
		if len(args) == 0 {
			return usageErrorf("monitor: name a command: ingest or report")
		}
		return nil
	}
	switch args[0] {
	case "ingest":
		return runMonitorIngest(ctx, args[1:], stdout, stderr)
	case "report":
		return runMonitorReport(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, monitorUsage)
	return usageErrorf("monitor: unknown command %q; want ingest or report", args[0])
}

// monitorFlags are the flags both monitor commands take.
type monitorFlags struct {
	settlement *string
	db         *string
	lockWait   *time.Duration
}

func addMonitorFlags(fs interface {
	String(name, value, usage string) *string
	Duration(name string, value time.Duration, usage string) *time.Duration
}) monitorFlags {
	return monitorFlags{
		settlement: fs.String("settlement", "", "the settlement `FILE` whose monitoring terms classify the events (required)"),
		db:         fs.String("db", "", "the store: a SQLite file `PATH`, or a postgres:// URL (default: the settlement's name with .entente.db, beside it)"),
		lockWait:   fs.Duration("lock-timeout", store.DefaultOptions().LockTimeout, "how long to wait for another writer before giving up"),
	}
}

// open opens the store --db names (by default the SQLite file beside
// --settlement) with the --lock-timeout, and returns it with the --db
// value it opened. mustExist refuses to create a SQLite file.
func (mf monitorFlags) open(ctx context.Context, mustExist bool) (store.Store, string, error) {
	db := *mf.db
	if db == "" {
		db = defaultDB(*mf.settlement)
	}
	opts := store.DefaultOptions()
	opts.LockTimeout = *mf.lockWait
	st, err := openStore(ctx, db, opts, mustExist)
	if err != nil {
		return nil, "", storeError(err)
	}
	return st, db, nil
}

// defaultDB returns the SQLite file beside a settlement:
// examples/minsk-2015/settlement.yaml → examples/minsk-2015/settlement.entente.db.
func defaultDB(settlementPath string) string {
	ext := filepath.Ext(settlementPath)
	return strings.TrimSuffix(settlementPath, ext) + ".entente.db"
}

// isPostgres reports whether a --db value names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens the store a --db value names: the one place the CLI
// picks a backend. mustExist refuses to create a SQLite file.
func openStore(ctx context.Context, db string, opts store.Options, mustExist bool) (store.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, postgres.Options{URL: db, Options: opts})
	}
	if mustExist {
		if _, err := os.Stat(db); err != nil {
			return nil, &inputError{err: fmt.Errorf("no store at %s: run 'entente monitor ingest' first, or pick one with --db", db)}
		}
	}
	return sqlite.Open(ctx, sqlite.Options{Path: db, Options: opts})
}

// loadMonitoring loads a settlement and builds its classifier; a
// settlement with errors is bad input, reported with positions.
func loadMonitoring(path string, stderr io.Writer) (*settlement.Settlement, *monitor.Classifier, error) {
	s, findings, err := settlement.LoadFile(path, settlement.DefaultOptions())
	if err != nil {
		return nil, nil, err
	}
	if findings.Errors() > 0 {
		printErrors(stderr, findings, false)
		return nil, nil, &inputError{err: fmt.Errorf("%s: %s; run 'entente check %s'", path, plural(findings.Errors(), "error"), path), printed: false}
	}
	if s.Monitoring == nil {
		return nil, nil, &inputError{err: fmt.Errorf("%s: the settlement has no monitoring section; add monitoring terms (docs/settlement.md)", path)}
	}
	cl, err := monitor.NewClassifier(s, monitor.DefaultOptions())
	if err != nil {
		return nil, nil, &inputError{err: fmt.Errorf("%s: %w", path, err)}
	}
	return s, cl, nil
}

// storeError makes a locked or unreachable database bad input (exit 2)
// with the store's own message.
func storeError(err error) error {
	var ie *inputError
	if errors.As(err, &ie) {
		return err
	}
	if errors.Is(err, store.ErrLocked) || errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrSchema) {
		return &inputError{err: err}
	}
	return err
}

// ingestFileJSON is what ingest did with one file.
type ingestFileJSON struct {
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
	// LogIndex is the index of the batch's leaf in the tamper-evident log
	// (entente log), written in the same transaction; null for a file
	// already stored.
	LogIndex *int64 `json:"log_index,omitempty"`
}

type ingestJSON struct {
	Store string           `json:"store"`
	Files []ingestFileJSON `json:"files"`
}

func runMonitorIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("monitor ingest", "--settlement FILE DATA...", "Reads conflict-event files (UCDP GED CSV, ACLED CSV or its deletions CSV, or JSON lines, detected\nfrom the header), classifies each event against the settlement's monitoring terms and stores it.\nAll files go in one transaction: a bad row loads nothing and names the file, row and column.\nRe-ingesting a file adds nothing; a newer release updates, deletes and keeps history.", stderr)
	mf := addMonitorFlags(fs)
	asJSON := fs.Bool("json", false, "print what was stored as JSON")
	full := fs.Bool("full", false, "each file is a full release of its source: stored events of that source (within --scope-from/--scope-to) that it lacks are deleted")
	scopeFrom := fs.String("scope-from", "", "with --full: first day (YYYY-MM-DD) the release covers (default: open)")
	scopeTo := fs.String("scope-to", "", "with --full: last day (YYYY-MM-DD) the release covers (default: open)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *mf.settlement == "":
		fs.Usage()
		return usageErrorf("monitor ingest: --settlement FILE is required")
	case len(files) == 0:
		fs.Usage()
		return usageErrorf("monitor ingest: name at least one data file")
	case !*full && (*scopeFrom != "" || *scopeTo != ""):
		return usageErrorf("monitor ingest: --scope-from and --scope-to go with --full")
	}
	if err := (store.Filter{From: *scopeFrom, To: *scopeTo}).Check(); err != nil {
		return usageErrorf("monitor ingest: scope: %v", err)
	}
	_, cl, err := loadMonitoring(*mf.settlement, stderr)
	if err != nil {
		return err
	}
	// Hash every file first: a file already stored is not read again, and
	// a file that cannot be read fails before anything is written.
	hashes := make([]string, len(files))
	for i, f := range files {
		if hashes[i], err = hashFile(f); err != nil {
			return &inputError{err: err}
		}
	}
	st, db, err := mf.open(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	prog := newIngestBar(stderr)
	out := ingestJSON{Store: redactDB(db)}
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		out.Files = out.Files[:0]
		released := map[string]string{} // source → the file that is its full release
		for i, path := range files {
			res, err := ingestFile(ctx, tx, cl, path, hashes[i], *full, *scopeFrom, *scopeTo, prog)
			if err != nil {
				return err
			}
			if !res.Duplicate {
				if res.LogIndex, err = logBatch(ctx, tx.LogTx(), *mf.settlement, cl.Fingerprint(), res); err != nil {
					return err
				}
			}
			if src := monitor.Format(res.Format).Source(); *full && released[src] != "" {
				return &inputError{err: fmt.Errorf("--full: %s and %s are both releases of %s, and each would delete the other's events; ingest them in separate runs, or with --scope-from/--scope-to", released[src], path, src)}
			} else if *full {
				released[src] = path
			}
			out.Files = append(out.Files, *res)
		}
		return nil
	})
	prog.done()
	if err != nil {
		var me *monitor.Error
		if errors.As(err, &me) || errors.Is(err, store.ErrInvalid) || errors.Is(err, errBadRecord) {
			return &inputError{err: fmt.Errorf("%w; nothing was stored", err)}
		}
		return storeError(err)
	}
	if *asJSON {
		return render.JSON(stdout, out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "file\tformat\tbatch\trecords\tadded\tupdated\tdeleted\tunchanged\tviolations\tunattributed\t")
	for _, f := range out.Files {
		if f.Duplicate {
			fmt.Fprintf(tw, "%s\t%s\t%d\t\t\t\t\t\t\t\t(already stored: nothing added)\n", f.File, f.Format, f.Batch)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", f.File, f.Format, f.Batch, f.Records,
			f.Added, f.Updated, f.Deleted, f.Unchanged, f.Violations, f.Unattributed)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "stored in %s\n", out.Store)
	return nil
}

// errBadRecord marks an event the classifier cannot classify.
var errBadRecord = errors.New("bad record")

// ingestFile stores one file as one batch within tx.
func ingestFile(ctx context.Context, tx store.Tx, cl *monitor.Classifier, path, hash string, full bool, from, to string, prog *ingestBar) (*ingestFileJSON, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &inputError{err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &inputError{err: err}
	}
	cr := prog.reader(path, f, fi.Size())
	rd, err := monitor.NewReader(path, cr)
	if err != nil {
		return nil, err
	}
	if full && rd.Format() == monitor.ACLEDDeleted {
		return nil, &inputError{err: fmt.Errorf("%s: a file of ACLED deletions cannot be a full release (--full): it would delete every other ACLED event", path)}
	}
	out := &ingestFileJSON{File: path, Format: string(rd.Format()), Hash: hash}
	if b, err := tx.BatchByHash(ctx, hash); err == nil && b.Source == rd.Format().Source() {
		// Stored already: nothing to read.
		c := b.Counts
		out.Batch, out.Duplicate, out.Records = b.ID, true, c.Total()
		out.Added, out.Updated, out.Deleted, out.Unchanged = c.Added, c.Updated, c.Deleted, c.Unchanged
		return out, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	fp := cl.Fingerprint()
	// Read and classify in one goroutine while the store writes in this
	// one: a pipeline of chunks, in file order.
	pctx, stop := context.WithCancel(ctx)
	var columns []string // the CSV header, from the first record
	chunks := make(chan chunk, 4)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(chunks)
		classifyFile(pctx, rd, cl, fp, path, out, prog, chunks, &columns)
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
	// The first chunk gives the columns the batch records.
	cur := <-chunks
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
	res, err := tx.Ingest(ctx, store.NewBatch{Hash: hash, Source: rd.Format().Source(), Name: path,
		Full: full, From: from, To: to, Columns: columns, Fingerprint: fp}, next)
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

// classifyFile reads and classifies every record of rd, sending them in
// chunks until the file ends, a record is bad, or ctx is done.
func classifyFile(ctx context.Context, rd *monitor.Reader, cl *monitor.Classifier, fp, path string, out *ingestFileJSON, prog *ingestBar, chunks chan<- chunk, columns *[]string) {
	const size = 512
	compact := rd.Format() != monitor.JSONL
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
		if compact {
			var keys *[]string
			if out.Records == 1 {
				keys = columns
			}
			if ev.Raw, err = compactRaw(make([]byte, 0, len(rec.Raw)/2), rec.Raw, keys); err != nil {
				c.err = fmt.Errorf("%s: row %d (line %d): %w: %v", path, rec.Row, rec.Line, errBadRecord, err)
				send()
				return
			}
		}
		if !rec.Deleted {
			cls, err := cl.Classify(&ev.Event)
			if err != nil {
				c.err = fmt.Errorf("%s: row %d (line %d): %w: %v", path, rec.Row, rec.Line, errBadRecord, err)
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
		prog.tick(out.Records)
		if len(c.events) == size && !send() {
			return
		}
	}
}

// hashFile returns the hex SHA-256 of a file's content.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// redactDB returns a --db value fit to print: a URL without its password.
func redactDB(db string) string {
	if !isPostgres(db) {
		return db
	}
	if i, j := strings.Index(db, "://"), strings.LastIndex(db, "@"); i >= 0 && j > i {
		userinfo := db[i+3 : j]
		if k := strings.Index(userinfo, ":"); k >= 0 {
			return db[:i+3] + userinfo[:k] + ":***" + db[j:]
		}
	}
	return db
}

// unattributedJSON is one unattributed event in the report.
type unattributedJSON struct {
	Source   string  `json:"source"`
	ID       string  `json:"id"`
	Date     string  `json:"date"`
	Actor1   string  `json:"actor1"`
	Actor2   string  `json:"actor2"`
	Location string  `json:"location"`
	Admin1   string  `json:"admin1"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	// Violations lists the rules the event breaks, though it counts for
	// no side.
	Violations []string `json:"violations"`
}

// reportJSON is DESIGN.md's report JSON (monitor.Report) with the listed
// unattributed events and where the counts came from.
type reportJSON struct {
	*monitor.Report
	UnattributedEvents []unattributedJSON `json:"unattributed_events"`
	// UnattributedListed is true when every unattributed event is listed.
	UnattributedComplete bool   `json:"unattributed_complete"`
	Reclassified         int64  `json:"reclassified"`
	Store                string `json:"store"`
	// LogIndex is the index of the report's leaf in the tamper-evident log.
	LogIndex *int64 `json:"log_index,omitempty"`
}

func runMonitorReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("monitor report", "--settlement FILE", "Tallies the stored events' violations of the settlement's monitoring terms by side, day, zone\nand rule, says which triggers fired and on which day first, and lists the events attributed\nto no side. Events classified under an earlier version of the settlement are classified anew.", stderr)
	mf := addMonitorFlags(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	from := fs.String("from", "", "first day counted, `YYYY-MM-DD` (default: the first stored)")
	to := fs.String("to", "", "last day counted, `YYYY-MM-DD` (default: the last stored)")
	svg := fs.String("svg", "", "also draw violations per day by side, and the triggers, to this SVG `FILE`")
	list := fs.Int("unattributed", 50, "list at most `N` unattributed events (0: all)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *mf.settlement == "":
		fs.Usage()
		return usageErrorf("monitor report: --settlement FILE is required")
	case len(rest) > 0:
		return usageErrorf("monitor report: unexpected argument %q; data files go to 'entente monitor ingest'", rest[0])
	case *list < 0:
		return usageErrorf("monitor report: --unattributed %d: want 0 or more", *list)
	}
	filter := store.Filter{From: *from, To: *to}
	if err := filter.Check(); err != nil {
		return usageErrorf("monitor report: %v", err)
	}
	s, cl, err := loadMonitoring(*mf.settlement, stderr)
	if err != nil {
		return err
	}
	st, db, err := mf.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()

	var tally *store.Tally
	var un []store.Event
	var reclassified int64
	read := func(ctx context.Context, tx store.ReadTx) error {
		var err error
		if tally, err = tx.Tally(ctx, filter); err != nil {
			return err
		}
		un, err = tx.Unattributed(ctx, filter, *list)
		return err
	}
	fp := cl.Fingerprint()
	var stale int64
	err = st.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		if stale, err = tx.Stale(ctx, fp); err != nil || stale > 0 {
			return err
		}
		return read(ctx, tx)
	})
	if err == nil && stale > 0 {
		// The settlement changed since these events were classified:
		// classify them again, in place, and report in the same
		// transaction.
		err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			n, err := tx.Reclassify(ctx, fp, func(ev *store.Event) error {
				c, err := cl.Classify(&ev.Event)
				if err != nil {
					return err
				}
				ev.Violations, ev.Unattributed = c.Rules, c.Unattributed
				return nil
			})
			if err != nil {
				return err
			}
			reclassified = n
			return read(ctx, tx)
		})
		if err == nil {
			fmt.Fprintf(stderr, "entente: reclassified %d stored events under the current settlement\n", reclassified)
		}
	}
	if err != nil {
		return storeError(err)
	}
	rep := buildReport(s, cl, tally, filter)
	out := reportJSON{Report: rep, UnattributedEvents: []unattributedJSON{}, Reclassified: reclassified, Store: redactDB(db)}
	for _, e := range un {
		out.UnattributedEvents = append(out.UnattributedEvents, unattributedJSON{Source: e.Source, ID: e.ID,
			Date: e.Day(), Actor1: e.Actor1, Actor2: e.Actor2, Location: e.Location, Admin1: e.Admin1,
			Lat: e.Lat, Lon: e.Lon, Violations: nonNil(e.Violations)})
	}
	out.UnattributedComplete = int64(len(un)) == tally.Unattributed
	if *svg != "" {
		if err := writeMonitorSVG(*svg, rep, s, filter); err != nil {
			return err
		}
	}
	if out.LogIndex, err = logReport(ctx, st, *mf.settlement, &out); err != nil {
		return storeError(err)
	}
	if *asJSON {
		return render.JSON(stdout, out)
	}
	printReport(stdout, &out)
	fmt.Fprintf(stdout, "\nrecorded in the log as leaf %d (entente log show %d)\n", *out.LogIndex, *out.LogIndex)
	return nil
}

// buildReport turns the store's aggregates into monitor's report.
func buildReport(s *settlement.Settlement, cl *monitor.Classifier, t *store.Tally, f store.Filter) *monitor.Report {
	cells := make([]monitor.Cell, len(t.Cells))
	for i, c := range t.Cells {
		cells[i] = monitor.Cell{Day: c.Day, Side: c.Side, Zone: c.Zone, N: c.N}
	}
	byRule := map[string]int64{}
	for _, r := range t.Rules {
		byRule[r.Rule] = r.N
	}
	u := monitor.Unattributed{Events: t.Unattributed, Actors: []monitor.ActorCount{}}
	for _, a := range t.Actors {
		u.Actors = append(u.Actors, monitor.ActorCount{Actor: a.Actor, Events: a.N})
	}
	opts := cl.ReportOptions()
	opts.From, opts.To = f.From, f.To
	opts.Sources = t.Sources
	opts.Unattributed = &u
	return monitor.NewReport(t.Events, cells, byRule, s.Monitoring.Triggers, opts)
}

func writeMonitorSVG(path string, rep *monitor.Report, s *settlement.Settlement, f store.Filter) error {
	out, err := os.Create(path)
	if err != nil {
		return &inputError{err: err}
	}
	title := "Violations per day by side"
	if s.Title != "" {
		title += ": " + s.Title
	}
	if err := monitor.PlotSVG(out, rep, monitor.PlotOptions{Title: title, From: f.From, To: f.To}); err != nil {
		out.Close()
		return fmt.Errorf("draw %s: %w", path, err)
	}
	return out.Close()
}

// printReport writes the report as tables.
func printReport(w io.Writer, r *reportJSON) {
	period := "all stored days"
	if r.From != "" || r.To != "" {
		period = fmt.Sprintf("%s to %s", orOpen(r.From), orOpen(r.To))
	}
	v := r.Violations
	fmt.Fprintf(w, "%d events (%s), %d violations, %d unattributed\n", r.Events, period, v.Total, r.Unattributed.Events)
	table(w, "violations by side", "side", v.BySide, false)
	table(w, "violations by zone", "zone", v.ByZone, false)
	table(w, "violations by rule", "rule", v.ByRule, false)
	table(w, "violations by day", "day", v.ByDay, true)
	fmt.Fprintln(w, "\ntriggers")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  id\tside\twindow\tthreshold\tfired\tfirst\tpeak\t")
	for _, tr := range r.Triggers {
		first := "-"
		if tr.Fired {
			first = string(tr.First)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%v\t%s\t%d\t\n", tr.ID, tr.Side, tr.Window, tr.Threshold, tr.Fired, first, tr.Peak)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nunattributed events: %d", r.Unattributed.Events)
	if len(r.UnattributedEvents) < int(r.Unattributed.Events) {
		fmt.Fprintf(w, " (the first %d listed; --unattributed 0 lists all)", len(r.UnattributedEvents))
	}
	fmt.Fprintln(w)
	if len(r.UnattributedEvents) > 0 {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  date\tsource/id\tactor1\tactor2\tplace\tviolations\t")
		for _, e := range r.UnattributedEvents {
			fmt.Fprintf(tw, "  %s\t%s/%s\t%s\t%s\t%s\t%s\t\n", e.Date, e.Source, e.ID, e.Actor1, e.Actor2, e.Location, strings.Join(e.Violations, ","))
		}
		tw.Flush()
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "\nnote: %s", n)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w)
	}
}

func orOpen(d string) string {
	if d == "" {
		return "…"
	}
	return d
}

// table prints counts by key, biggest first (or by key, for days).
func table(w io.Writer, title, key string, m map[string]int64, byKey bool) {
	fmt.Fprintf(w, "\n%s\n", title)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if !byKey && m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) == 0 {
		fmt.Fprintln(w, "  (none)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\tviolations\t\n", key)
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%d\t\n", k, m[k])
	}
	tw.Flush()
}
