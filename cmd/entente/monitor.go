package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/mission"
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
	inputs := make([]mission.Input, len(files))
	for i, f := range files {
		if inputs[i], err = mission.FileInput(f); err != nil {
			return missionError(err)
		}
	}
	st, db, err := mf.open(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	prog := newIngestBar(stderr)
	out, err := mission.Ingest(ctx, st, cl, inputs, mission.IngestOptions{Settlement: *mf.settlement,
		Full: *full, From: *scopeFrom, To: *scopeTo, Progress: prog.progress()})
	prog.done()
	if err != nil {
		var me *monitor.Error
		if errors.As(err, &me) || errors.Is(err, store.ErrInvalid) || errors.Is(err, mission.ErrBadRecord) {
			return &inputError{err: fmt.Errorf("%w; nothing was stored", err)}
		}
		return missionError(err)
	}
	out.Store = redactDB(db)
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

// missionError makes the pipeline's bad input, and a locked or
// unreachable store, bad input (exit 2).
func missionError(err error) error {
	var ie *mission.InputError
	if errors.As(err, &ie) {
		return &inputError{err: err}
	}
	return storeError(err)
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

func runMonitorReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("monitor report", "--settlement FILE", "Tallies the stored events' violations of the settlement's monitoring terms by side, day, zone\nand rule, says which triggers fired and on which day first, and lists the events attributed\nto no side. Events classified under an earlier version of the settlement are classified anew.", stderr)
	mf := addMonitorFlags(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	from := fs.String("from", "", "first day counted, `YYYY-MM-DD` (default: the first stored)")
	to := fs.String("to", "", "last day counted, `YYYY-MM-DD` (default: the last stored)")
	svg := fs.String("svg", "", "also draw violations per day by side, and the triggers, to this SVG `FILE`")
	limit := addLimit(fs, "unattributed events", "unattributed")
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

	out, err := mission.Tally(ctx, st, s, cl, mission.ReportOptions{Settlement: *mf.settlement, Filter: filter,
		Unattributed: limit.get(*asJSON), Store: redactDB(db)})
	if err != nil {
		return missionError(err)
	}
	if out.Reclassified > 0 {
		fmt.Fprintf(stderr, "entente: reclassified %d stored events under the current settlement\n", out.Reclassified)
	}
	if *svg != "" {
		if err := writeMonitorSVG(*svg, out.Report, s, filter); err != nil {
			return err
		}
	}
	if *asJSON {
		return render.JSON(stdout, out)
	}
	printReport(stdout, out)
	fmt.Fprintf(stdout, "\nrecorded in the log as leaf %d (entente log show %d)\n", *out.LogIndex, *out.LogIndex)
	return nil
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
func printReport(w io.Writer, r *mission.Report) {
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
