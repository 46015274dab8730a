// Package store is what entente persists, behind one interface with two
// backends: [github.com/entente-org/entente/store/sqlite], one embedded
// file and the default, and [github.com/entente-org/entente/store/postgres]
// for a deployment that several processes share. Both pass the same
// conformance suite, [github.com/entente-org/entente/store/storetest].
//
// It holds conflict events, the ingest batches that wrote them, every
// earlier value of an event, and each event's classification under a
// settlement's monitoring terms. The tamper-evident log and the parties'
// positions will join it as further methods of [Tx] and [ReadTx] and
// further migrations; the transaction model below is made for that.
//
// # Transactions
//
// Every read and write happens in a transaction given to a closure:
//
//	err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
//		res, err := tx.Ingest(ctx, batch, events)
//		if err != nil {
//			return err // nothing of this Update is kept
//		}
//		fmt.Println(res.Batch.Counts.Added, "added")
//		return nil // commits
//	})
//
// [Store.Update] commits when the closure returns nil and rolls back when
// it returns an error or panics, so a failed ingest leaves nothing half
// written, and a process killed mid-way leaves the database as it was.
// Writers take turns across processes; one that waits longer than
// [Options].LockTimeout fails with [ErrLocked]. A transaction the database
// aborts as not serialisable is run again, so a closure must not have
// effects outside the transaction that a second run would repeat.
// [Store.View] runs a read-only closure on a consistent snapshot and never
// waits for writers.
//
// # Events, batches and history
//
// An [Event] is keyed by its source ("ucdp", "acled", "jsonl") and its id in
// that source. It holds the normalised fields of rules.Event, the record as
// published (Raw, kept byte for byte), and its classification. A batch
// ([NewBatch]) is one file's events, identified by a content hash: ingesting
// a hash already stored changes nothing ([IngestResult].Duplicate).
//
// Within a batch, an event whose key is new is added; one whose data (its
// [Digest]) differs from the stored event's is a revision: the stored values
// move to the history and the event takes the new ones; one with the same
// data is unchanged. A release says what it removes in one of two ways: a
// deletion record ([Event].Deleted, as ACLED publishes them) removes one
// event, and a full release ([NewBatch].Full, as each UCDP GED version is)
// removes every stored event of its source dated within its scope (From–To)
// that it does not hold. Removed events keep their last values in the
// history too; [ReadTx.History] returns them, oldest first, each with the
// batch that superseded it. Every batch records what it did ([Counts]).
//
// # Classification and reports
//
// Each event carries the ids of the violation rules it breaks, whether it
// is attributed to no side, its side, zone and distance to the line, and
// the fingerprint of the classifier that decided them. [ReadTx.Stale]
// counts events classified under another fingerprint and [Tx.Reclassify]
// classifies them again in place, so a report after the settlement changed
// is exact without re-ingesting. [ReadTx.Tally] aggregates over the days of
// a [Filter]: events (by source), violating events by day, side and zone
// ([Cell]), events per rule, and unattributed events (by first actor),
// which [ReadTx.Unattributed] lists. Every write recomputes, with GROUP BY
// in SQL, daily aggregates of the days it touched, so a report reads a few
// rows per day however many events there are (bench/README.md).
//
// # Errors
//
// Methods wrap the domain errors [ErrNotFound], [ErrConflict], [ErrInvalid],
// [ErrLocked], [ErrUnavailable] and [ErrSchema] with what was asked and
// where: test for them with errors.Is. An event the store cannot take names
// its record number in the batch and its key.
//
// # Schema and migrations
//
// Each backend opens a database by applying the migrations it lacks, one
// transaction each, recording each in the table schema_version; a database
// newer than the program is refused with [ErrSchema]. Both backends have
// the same tables and the same migrations, numbered alike ([SchemaVersion]);
// docs/store.md describes them.
package store
