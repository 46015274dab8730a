package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/store"
)

// logVerbs are the subcommands of entente log.
var logVerbs = []struct {
	name, args, summary string
	run                 func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}{
	{"keygen", "--name NAME --out DIR", "write a signing key pair: DIR/NAME.key (mode 0600, never overwritten) and DIR/NAME.pub", runLogKeygen},
	{"append", "--kind KIND FILE.json...", "append records (batch, report, ruling, activation) in one transaction", runLogAppend},
	{"show", "[N]", "the log's size, root and checkpoints and its latest leaves, or leaf N in full", runLogShow},
	{"checkpoint", "--key LOG.key", "sign a checkpoint of the log's current size", runLogCheckpoint},
	{"prove", "N | --old M", "an inclusion proof of leaf N, or a consistency proof from size M", runLogProve},
	{"export", "DIR", "write the log as C2SP tlog-tiles (checkpoint, tiles, entry bundles) plus its checkpoints' history", runLogExport},
	{"verify", "[--export DIR] --key LOG.pub", "verify the log in the store, or an export offline: exit 1 on any problem", runLogVerify},
	{"cosign", "--key PARTY.key --log-key LOG.pub [CHECKPOINT | --export DIR]", "countersign a checkpoint with a party's key", runLogCosign},
	{"fsck", "", "re-derive every stored hash and root from the leaves; report the first inconsistency", runLogFsck},
}

// runLog dispatches entente log SUBCOMMAND.
func runLog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stdout
		if len(args) == 0 {
			w = stderr
		}
		logUsage(w)
		if len(args) == 0 {
			return usageErrorf("log: name a subcommand")
		}
		return nil
	}
	for _, v := range logVerbs {
		if v.name == args[0] {
			return v.run(ctx, args[1:], stdout, stderr)
		}
	}
	logUsage(stderr)
	return usageErrorf("log: unknown subcommand %q", args[0])
}

func logUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: entente log SUBCOMMAND [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The tamper-evident record: every ingested batch, report, ruling and activation,")
	fmt.Fprintln(w, "hashed into an RFC 6962 Merkle tree with signed checkpoints (docs/log-format.md).")
	fmt.Fprintln(w)
	for _, v := range logVerbs {
		fmt.Fprintf(w, "  %-11s %s\n", v.name, v.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every subcommand takes --json, --db (a SQLite file or a postgres:// URL) and --key.")
	fmt.Fprintln(w, "Exit status: 0 ok, 1 verification failed, 2 bad usage or input.")
}

// openLogStorage opens the log kept in the store named by db (as for
// entente monitor: a SQLite file or a postgres:// URL) and returns it with
// a function that closes the store. create allows a new SQLite file.
var openLogStorage = func(ctx context.Context, db string, opts store.Options, create bool) (ledger.Storage, func() error, error) {
	st, err := openStore(ctx, db, opts, !create)
	if err != nil {
		return nil, nil, storeError(err)
	}
	return store.LogStorage(st), st.Close, nil
}

// logFlags are the flags every log subcommand understands.
type logFlags struct {
	fs         *flag.FlagSet
	asJSON     *bool
	db         *string
	settlement *string
	lockWait   *time.Duration
	key        *string
}

func newLogFlags(name, args, summary string, stderr io.Writer) *logFlags {
	fs := newFlags("log "+name, args, summary, stderr)
	return &logFlags{
		fs:         fs,
		asJSON:     fs.Bool("json", false, "print the result as JSON"),
		db:         fs.String("db", "", "the store: a SQLite file `PATH` or a postgres:// URL (as for entente monitor)"),
		settlement: fs.String("settlement", "", "instead of --db: the store beside this settlement `FILE`, as entente monitor keeps it"),
		lockWait:   fs.Duration("lock-timeout", store.DefaultOptions().LockTimeout, "how long to wait for another writer before giving up"),
		key:        fs.String("key", "", "key file: the private key (NAME.key) for commands that sign, the public key (NAME.pub) for verify"),
	}
}

// set reports whether the flag name was given.
func (f *logFlags) set(name string) bool {
	found := false
	f.fs.Visit(func(fl *flag.Flag) {
		if fl.Name == name {
			found = true
		}
	})
	return found
}

// dbName returns the store --db or --settlement names.
func (f *logFlags) dbName() (string, error) {
	switch {
	case *f.db != "" && *f.settlement != "":
		return "", usageErrorf("log: give --db or --settlement, not both")
	case *f.db != "":
		return *f.db, nil
	case *f.settlement != "":
		return defaultDB(*f.settlement), nil
	}
	return "", usageErrorf("log: name the store with --db (a SQLite file or a postgres:// URL) or --settlement FILE")
}

// open opens the log in the store; create allows a new SQLite file (for
// commands that write).
func (f *logFlags) open(ctx context.Context, create bool) (*ledger.Log, func() error, error) {
	db, err := f.dbName()
	if err != nil {
		return nil, nil, err
	}
	opts := store.DefaultOptions()
	opts.LockTimeout = *f.lockWait
	st, closeDB, err := openLogStorage(ctx, db, opts, create)
	if err != nil {
		return nil, nil, err
	}
	l, err := ledger.New(st, ledger.DefaultOptions())
	if err != nil {
		closeDB()
		return nil, nil, err
	}
	return l, closeDB, nil
}

// inputErr marks the ledger's bad-input errors (exit status 2): a leaf that
// is not valid JSON, a key in the wrong format, a checkpoint of another
// log, an index beyond the log, a directory that is not an export.
func inputErr(err error) error {
	for _, target := range []error{ledger.ErrLeafFormat, ledger.ErrKeyFormat, ledger.ErrOrigin, ledger.ErrIndex,
		ledger.ErrNotExport, ledger.ErrCheckpointFormat, ledger.ErrNoCheckpoint, fs.ErrNotExist, fs.ErrExist} {
		if errors.Is(err, target) {
			return &inputError{err: err}
		}
	}
	var invalid *note.InvalidSignatureError
	var unverified *note.UnverifiedNoteError
	if errors.As(err, &invalid) || errors.As(err, &unverified) {
		return &inputError{err: err}
	}
	return err
}

// nLeaves writes "1 leaf" or "n leaves".
func nLeaves(n int64) string {
	if n == 1 {
		return "1 leaf"
	}
	return fmt.Sprintf("%d leaves", n)
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
