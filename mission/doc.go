// Package mission is the work of a ceasefire monitoring mission over a
// store: it ingests conflict-event files into a [store.Store], classified
// against a settlement's monitoring terms, reports on what is stored, and
// records every batch and report in the tamper-evident log (package
// ledger) kept in the same store. The CLI (`entente monitor`) and the
// server both call it, so that a file ingested or a report made either
// way is the same, down to the bytes of its log record.
//
// # Ingest
//
// [Ingest] takes [Input]s ([FileInput] for a file on disk, [BytesInput]
// for an upload) and stores each as one batch, all of them in one
// transaction: a bad record anywhere stores nothing. Reading and
// classifying run in one goroutine and the store's writes in another,
// in file order. An input whose SHA-256 is stored already adds nothing,
// so an ingest can be repeated. Each new batch is recorded in the log as
// a [BatchRecord], in the ingest's transaction.
//
// # Reports
//
// [Tally] reports on the stored events: DESIGN.md's counts by side, day,
// zone and rule, the triggers, and the events attributed to no side. If
// the settlement's monitoring terms changed since events were stored,
// they are classified anew first, in the report's transaction. The
// report is recorded in the log as a [ReportRecord] (or its
// [ReportSummary] when too large for a leaf).
//
// # Records
//
// The records' JSON is specified in docs/log-format.md and pinned by
// golden tests: it is the log's format, and does not follow the faces'
// output when that changes.
//
// # Errors
//
// A bad record is an *monitor.Error naming the file, row and column, or
// an error wrapping [ErrBadRecord] or store.ErrInvalid; input that
// cannot be used at all is an [*InputError]; the store's own errors
// (store.ErrLocked, store.ErrUnavailable) come through wrapped.
package mission
