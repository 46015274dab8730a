package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/internal/render"
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

func runLogKeygen(_ context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("keygen", "--name NAME --out DIR", "Writes an Ed25519 note key pair: DIR/NAME.key, the private signer key (mode 0600), and\nDIR/NAME.pub, the public verifier key to give to every party. An existing key is never\noverwritten. The log's key name is its checkpoints' origin line (e.g. entente.example/ukraine-2025);\na party's key name is its own (e.g. UA). A \"/\" in NAME becomes \"_\" in the file names.", stderr)
	name := f.fs.String("name", "", "the key's name")
	out := f.fs.String("out", ".", "the directory to write the key files in")
	rest, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || *name == "" {
		f.fs.Usage()
		return usageErrorf("log keygen: give --name NAME (and --out DIR), no arguments")
	}
	if err := ledger.ValidOrigin(*name); err != nil {
		return usageErrorf("log keygen: --name: %v", err)
	}
	keyPath, pubPath, err := ledger.WriteKeyPair(*out, *name)
	if err != nil {
		return inputErr(err)
	}
	v, err := ledger.ReadSigner(keyPath)
	if err != nil {
		return err
	}
	if *f.asJSON {
		return render.JSON(stdout, map[string]string{"name": *name, "key": keyPath, "pub": pubPath, "verifier_key": v.VerifierKey()})
	}
	fmt.Fprintf(stdout, "wrote %s (private: keep it; mode 0600)\nwrote %s (public: give it to every party)\n%s\n", keyPath, pubPath, v.VerifierKey())
	return nil
}

type leafJSON struct {
	Index         int64           `json:"index"`
	Kind          string          `json:"kind"`
	Time          string          `json:"time"`
	ContentSHA256 string          `json:"content_sha256"`
	LeafHash      string          `json:"leaf_hash"`
	Bytes         int             `json:"bytes"`
	File          string          `json:"file,omitempty"`
	Content       json.RawMessage `json:"content,omitempty"`
	// Raw is the encoded leaf, base64 (show N only): the bytes the tree
	// hashes, to check independently.
	Raw   string `json:"leaf_base64,omitempty"`
	Error string `json:"error,omitempty"`
}

func toLeafJSON(e ledger.Entry, withContent bool) leafJSON {
	j := leafJSON{Index: e.Index, LeafHash: b64(e.Hash), Bytes: len(e.Raw)}
	if e.Err != nil {
		j.Error = e.Err.Error()
		return j
	}
	h := e.Leaf.ContentHash()
	j.Kind, j.Time, j.ContentSHA256 = e.Leaf.Kind.String(), e.Leaf.Time.Format(time.RFC3339Nano), fmt.Sprintf("%x", h)
	if withContent {
		j.Content = e.Leaf.Content
	}
	return j
}

func runLogAppend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("append", "--kind KIND FILE.json...", "Appends each FILE (one JSON document, kept byte for byte) as a leaf of the given kind, all\nin one transaction: every file or none. A file that is not valid JSON, or larger than\n65,493 bytes, is an error naming the file, line and column (exit 2).", stderr)
	kindName := f.fs.String("kind", "", "batch, report, ruling or activation")
	at := f.fs.String("time", "", "the records' time, RFC 3339 (default: now)")
	files, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 || *kindName == "" {
		f.fs.Usage()
		return usageErrorf("log append: give --kind and at least one FILE.json")
	}
	kind, err := ledger.ParseKind(*kindName)
	if err != nil {
		return usageErrorf("log append: --kind: %v", err)
	}
	t := time.Now().UTC()
	if *at != "" {
		if t, err = time.Parse(time.RFC3339Nano, *at); err != nil {
			return usageErrorf("log append: --time %q: want RFC 3339, e.g. 2025-08-20T12:00:00Z", *at)
		}
	}
	var leaves []ledger.Leaf
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			return &inputError{err: fmt.Errorf("log append: %w", err)}
		}
		leaf, err := ledger.NewLeaf(kind, t, content)
		if err != nil {
			return &inputError{err: fmt.Errorf("log append: %s: %w; nothing appended", file, err)}
		}
		leaves = append(leaves, leaf)
	}
	l, closeDB, err := f.open(ctx, true)
	if err != nil {
		return err
	}
	defer closeDB()
	first, err := l.Append(ctx, leaves...)
	if err != nil {
		return inputErr(err)
	}
	entries, err := l.Leaves(ctx, first, first+int64(len(leaves)))
	if err != nil {
		return err
	}
	size, err := l.Size(ctx)
	if err != nil {
		return err
	}
	out := struct {
		First  int64      `json:"first"`
		Count  int        `json:"count"`
		Size   int64      `json:"size"`
		Leaves []leafJSON `json:"leaves"`
	}{First: first, Count: len(entries), Size: size}
	for i, e := range entries {
		j := toLeafJSON(e, false)
		j.File = files[i]
		out.Leaves = append(out.Leaves, j)
	}
	if *f.asJSON {
		return render.JSON(stdout, out)
	}
	for _, j := range out.Leaves {
		fmt.Fprintf(stdout, "%d\t%s\t%s\tsha256:%s\t%s\n", j.Index, j.Kind, j.Time, j.ContentSHA256, j.File)
	}
	fmt.Fprintf(stdout, "appended %d; the log has %s (sign a checkpoint: entente log checkpoint --key LOG.key)\n", len(entries), nLeaves(size))
	return nil
}

func runLogShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("show", "[N]", "Without N: the log's size, root, checkpoints and latest leaves (--limit). With N: leaf N in\nfull, with its content.", stderr)
	limit := f.fs.Int("limit", 20, "how many of the latest leaves to list (0: all)")
	rest, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usageErrorf("log show: at most one leaf index")
	}
	l, closeDB, err := f.open(ctx, false)
	if err != nil {
		return err
	}
	defer closeDB()
	if len(rest) == 1 {
		n, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return usageErrorf("log show: %q is not a leaf index", rest[0])
		}
		entries, err := l.Leaves(ctx, n, n+1)
		if err != nil {
			return inputErr(err)
		}
		j := toLeafJSON(entries[0], true)
		j.Raw = base64.StdEncoding.EncodeToString(entries[0].Raw)
		if *f.asJSON {
			return render.JSON(stdout, j)
		}
		fmt.Fprintf(stdout, "leaf %d\nkind: %s\ntime: %s\ncontent sha256: %s\nleaf hash: %s\nbytes: %d\n", j.Index, j.Kind, j.Time, j.ContentSHA256, j.LeafHash, j.Bytes)
		if j.Error != "" {
			fmt.Fprintf(stdout, "error: %s\n", j.Error)
			return nil
		}
		var pretty bytes.Buffer
		if json.Indent(&pretty, j.Content, "", "  ") != nil {
			pretty.Write(j.Content)
		}
		fmt.Fprintf(stdout, "content:\n%s\n", pretty.String())
		return nil
	}
	root, err := l.Root(ctx)
	if err != nil {
		return err
	}
	cps, err := l.Checkpoints(ctx)
	if err != nil {
		return err
	}
	start := int64(0)
	if *limit > 0 {
		start = max(0, root.N-int64(*limit))
	}
	entries, err := l.Leaves(ctx, start, root.N)
	if err != nil {
		return err
	}
	type cpJSON struct {
		Seq    int64  `json:"seq"`
		Origin string `json:"origin"`
		Size   int64  `json:"size"`
		Root   string `json:"root"`
	}
	out := struct {
		Size        int64      `json:"size"`
		Root        string     `json:"root"`
		Checkpoints []cpJSON   `json:"checkpoints"`
		Leaves      []leafJSON `json:"leaves"`
	}{Size: root.N, Root: b64(root.Hash), Checkpoints: []cpJSON{}, Leaves: []leafJSON{}}
	for _, c := range cps {
		out.Checkpoints = append(out.Checkpoints, cpJSON{c.Seq, c.Checkpoint.Origin, c.Checkpoint.Size, b64(c.Checkpoint.Hash)})
	}
	for _, e := range entries {
		out.Leaves = append(out.Leaves, toLeafJSON(e, false))
	}
	if *f.asJSON {
		return render.JSON(stdout, out)
	}
	fmt.Fprintf(stdout, "size %d, root %s\n", out.Size, out.Root)
	if len(cps) == 0 {
		fmt.Fprintln(stdout, "no checkpoint yet")
	} else {
		last := out.Checkpoints[len(out.Checkpoints)-1]
		fmt.Fprintf(stdout, "%s; latest: %s size %d root %s\n", plural(len(cps), "checkpoint"), last.Origin, last.Size, last.Root)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tKIND\tTIME\tCONTENT SHA-256\tBYTES")
	for _, j := range out.Leaves {
		if j.Error != "" {
			fmt.Fprintf(tw, "%d\t?\t\t%s\t%d\n", j.Index, j.Error, j.Bytes)
			continue
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\n", j.Index, j.Kind, j.Time, j.ContentSHA256, j.Bytes)
	}
	return tw.Flush()
}

type checkpointJSON struct {
	Origin string   `json:"origin"`
	Size   int64    `json:"size"`
	Root   string   `json:"root"`
	Note   string   `json:"note"`
	Signer []string `json:"signers,omitempty"`
}

func runLogCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("checkpoint", "--key LOG.key", "Signs a checkpoint (origin, size, root hash: a signed note in the Go checksum database's\nand C2SP tlog-checkpoint format) of the log's current size with the log's private key, stores\nit, and prints it. If the latest checkpoint already has this size, prints that one.", stderr)
	rest, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || *f.key == "" {
		f.fs.Usage()
		return usageErrorf("log checkpoint: give --key LOG.key and no arguments")
	}
	signer, err := ledger.ReadSigner(*f.key)
	if err != nil {
		return inputErr(err)
	}
	l, closeDB, err := f.open(ctx, true)
	if err != nil {
		return err
	}
	defer closeDB()
	c, err := l.Checkpoint(ctx, signer)
	if err != nil {
		return inputErr(err)
	}
	if *f.asJSON {
		return render.JSON(stdout, checkpointJSON{Origin: c.Origin, Size: c.Size, Root: b64(c.Hash), Note: string(c.Note)})
	}
	_, err = stdout.Write(c.Note)
	return err
}

func runLogProve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("prove", "N | --old M", "Prints an RFC 6962 proof: with N, that leaf N is in the tree of --size leaves; with --old M,\nthat the tree of M leaves is a prefix of the tree of --size leaves. --size defaults to the\nlatest checkpoint's size (or the log's size if it has none), and the proof comes with that\ncheckpoint, so it can be checked offline. An index beyond the size is an error (exit 2).", stderr)
	size := f.fs.Int64("size", 0, "the tree size to prove against (default: the latest checkpoint's)")
	old := f.fs.Int64("old", -1, "prove consistency from this tree size instead")
	rest, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	if (len(rest) != 1) == (*old < 0) {
		f.fs.Usage()
		return usageErrorf("log prove: give a leaf index N, or --old M, not both")
	}
	l, closeDB, err := f.open(ctx, false)
	if err != nil {
		return err
	}
	defer closeDB()
	cps, err := l.Checkpoints(ctx)
	if err != nil {
		return err
	}
	n := *size
	if n == 0 && len(cps) > 0 {
		n = cps[len(cps)-1].Checkpoint.Size
	}
	var note string // the checkpoint of size n, if one is stored
	for _, c := range cps {
		if c.Checkpoint.Size == n {
			note = string(c.Note)
		}
	}
	hashes := func(p []tlog.Hash) []string {
		out := make([]string, len(p))
		for i, h := range p {
			out[i] = b64(h)
		}
		return out
	}
	if *old >= 0 {
		p, err := l.ProveConsistency(ctx, *old, n)
		if err != nil {
			return inputErr(err)
		}
		out := map[string]any{"old": p.Old, "size": p.New, "old_root": b64(p.OldRoot), "root": b64(p.NewRoot), "proof": hashes(p.Proof), "checkpoint": note}
		if *f.asJSON {
			return render.JSON(stdout, out)
		}
		fmt.Fprintf(stdout, "consistency of size %d (root %s) with size %d (root %s)\n", p.Old, b64(p.OldRoot), p.New, b64(p.NewRoot))
		for _, h := range out["proof"].([]string) {
			fmt.Fprintln(stdout, h)
		}
		if note != "" {
			fmt.Fprintf(stdout, "\n%s", note)
		}
		return nil
	}
	index, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil {
		return usageErrorf("log prove: %q is not a leaf index", rest[0])
	}
	p, err := l.ProveInclusion(ctx, index, n)
	if err != nil {
		return inputErr(err)
	}
	out := struct {
		Index      int64    `json:"index"`
		Size       int64    `json:"size"`
		LeafHash   string   `json:"leaf_hash"`
		Root       string   `json:"root"`
		Proof      []string `json:"proof"`
		Checkpoint string   `json:"checkpoint"`
	}{p.Index, p.Size, b64(p.LeafHash), b64(p.Root), hashes(p.Proof), note}
	if *f.asJSON {
		return render.JSON(stdout, out)
	}
	fmt.Fprintf(stdout, "leaf %d (hash %s) in the tree of size %d (root %s)\n", out.Index, out.LeafHash, out.Size, out.Root)
	for _, h := range out.Proof {
		fmt.Fprintln(stdout, h)
	}
	if note != "" {
		fmt.Fprintf(stdout, "\n%s", note)
	}
	return nil
}

func runLogExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("export", "DIR", "Writes the log up to its latest checkpoint to DIR in the C2SP tlog-tiles static layout\n(checkpoint, tile/<L>/<N>, tile/entries/<N>, partial tiles for every checkpoint's size) and\ncheckpoints/<seq>, the history, so that anyone can verify it offline:\n  entente log verify --export DIR --key LOG.pub\nWith --key LOG.key, first signs a checkpoint of the log's current size.", stderr)
	rest, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		f.fs.Usage()
		return usageErrorf("log export: name one directory")
	}
	var signer *ledger.Signer
	if *f.key != "" {
		if signer, err = ledger.ReadSigner(*f.key); err != nil {
			return inputErr(err)
		}
	}
	l, closeDB, err := f.open(ctx, false)
	if err != nil {
		return err
	}
	defer closeDB()
	if signer != nil {
		if _, err := l.Checkpoint(ctx, signer); err != nil {
			return inputErr(err)
		}
	}
	res, err := l.Export(ctx, rest[0])
	if err != nil {
		return inputErr(err)
	}
	if *f.asJSON {
		return render.JSON(stdout, map[string]any{"dir": res.Dir, "origin": res.Checkpoint.Origin, "size": res.Checkpoint.Size, "root": b64(res.Checkpoint.Hash),
			"checkpoints": res.Checkpoints, "tiles": res.Tiles, "bundles": res.Bundles})
	}
	fmt.Fprintf(stdout, "exported %s size %d (%s, %s, %s) to %s\n", res.Checkpoint.Origin, res.Checkpoint.Size,
		plural(res.Checkpoints, "checkpoint"), plural(res.Tiles, "tile"), plural(res.Bundles, "entry bundle"), res.Dir)
	return nil
}

// verifyJSON is the JSON result of entente log verify (DESIGN.md).
type verifyJSON struct {
	OK          bool                      `json:"ok"`
	Size        int64                     `json:"size"`
	Root        string                    `json:"root"`
	Problems    []ledger.Problem          `json:"problems"`
	Leaves      int64                     `json:"leaves"`
	Undecoded   int64                     `json:"undecoded"`
	Checkpoints []ledger.CheckpointResult `json:"checkpoints"`
	Agreed      *ledger.CheckpointResult  `json:"agreed"`
	Source      string                    `json:"source"`
}

// fileList is a repeatable flag of file names.
type fileList []string

func (l *fileList) String() string     { return strings.Join(*l, ",") }
func (l *fileList) Set(s string) error { *l = append(*l, s); return nil }

func runLogVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("verify", "[--export DIR] --key LOG.pub", "Verifies the log in the store (--db) or, with --export, an export offline: re-derives the\ntree from every leaf, checks every stored hash or tile, every checkpoint's signature with\nthe log's public key and its root, consistency between successive checkpoints, inclusion\nproofs, and the cosignatures of the parties given with --cosigner. Each problem names the\nleaf index or the checkpoint. Exit status: 0 verified, 1 any problem, 2 bad usage, a key in\nthe wrong format or a directory that is not an export.", stderr)
	export := f.fs.String("export", "", "verify the export in this directory instead of the store")
	var cosigners, held fileList
	f.fs.Var(&cosigners, "cosigner", "a party's public key (NAME.pub) whose cosignatures to check (repeatable)")
	f.fs.Var(&held, "held", "a signed checkpoint you hold from earlier: the log must be consistent with it (repeatable)")
	require := f.fs.Bool("require-cosigners", false, "fail unless the latest checkpoint is cosigned by every --cosigner")
	rest, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || *f.key == "" {
		f.fs.Usage()
		return usageErrorf("log verify: give --key LOG.pub and no arguments")
	}
	opts := ledger.VerifyOptions{RequireCosigners: *require}
	if opts.LogKey, err = ledger.ReadVerifier(*f.key); err != nil {
		return inputErr(err)
	}
	for _, p := range cosigners {
		v, err := ledger.ReadVerifier(p)
		if err != nil {
			return inputErr(err)
		}
		opts.Cosigners = append(opts.Cosigners, v)
	}
	for _, p := range held {
		b, err := os.ReadFile(p)
		if err != nil {
			return &inputError{err: err}
		}
		if _, err := ledger.OpenCheckpoint(b, opts.LogKey); err != nil {
			return &inputError{err: fmt.Errorf("--held %s: %w", p, err)}
		}
		opts.Held = append(opts.Held, b)
	}
	var rep *ledger.Report
	source := "store " + redactDB(*f.db)
	if *f.db == "" {
		source = "store " + defaultDB(*f.settlement)
	}
	if *export != "" {
		source = "export " + *export
		if fi, err := os.Stat(*export); err != nil || !fi.IsDir() {
			return &inputError{err: fmt.Errorf("log verify: --export %s: %w: not a directory", *export, ledger.ErrNotExport)}
		}
		rep, err = ledger.VerifyExport(os.DirFS(*export), opts)
	} else {
		l, closeDB, oerr := f.open(ctx, false)
		if oerr != nil {
			return oerr
		}
		defer closeDB()
		rep, err = l.Verify(ctx, opts)
	}
	if err != nil {
		return inputErr(err)
	}
	out := verifyJSON{OK: rep.OK, Size: rep.Size, Root: b64(rep.Root), Problems: rep.Problems, Leaves: rep.Leaves, Undecoded: rep.Undecoded,
		Checkpoints: rep.Checkpoints, Agreed: rep.Agreed, Source: source}
	if out.Problems == nil {
		out.Problems = []ledger.Problem{}
	}
	if out.Checkpoints == nil {
		out.Checkpoints = []ledger.CheckpointResult{}
	}
	if *f.asJSON {
		if err := render.JSON(stdout, out); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintf(stdout, "problem[%s]: %s\n", p.Code, p)
		}
		for _, c := range rep.Checkpoints {
			status := "ok"
			if !c.OK {
				status = "BAD"
			}
			fmt.Fprintf(stdout, "%s: size %d root %s %s", c.Name, c.Size, b64(c.Root), status)
			if len(c.Cosigners) > 0 {
				fmt.Fprintf(stdout, " cosigned by %s", strings.Join(c.Cosigners, ", "))
			}
			fmt.Fprintln(stdout)
		}
		if rep.Agreed != nil {
			fmt.Fprintf(stdout, "agreed by every cosigner: %s (size %d)\n", rep.Agreed.Name, rep.Agreed.Size)
		}
		verdict := "verified"
		if !rep.OK {
			verdict = fmt.Sprintf("FAILED: %d problems", len(rep.Problems))
		}
		fmt.Fprintf(stdout, "%s: %s, size %d, root %s, %d leaves re-hashed\n", source, verdict, out.Size, out.Root, out.Leaves)
	}
	if !rep.OK {
		first := rep.First()
		return &findingsError{msg: fmt.Sprintf("entente: log verify: %s", first)}
	}
	return nil
}

func runLogCosign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("cosign", "--key PARTY.key --log-key LOG.pub [CHECKPOINT | --export DIR]", "Countersigns a checkpoint with a party's private key, after checking the log's signature\nwith --log-key. A checkpoint cosigned by every party is one record none can later deny.\n  CHECKPOINT (a file): prints it with the cosignature added (or writes --out).\n  --export DIR: verifies the export first (exit 1 if it fails), then cosigns its latest\n    checkpoint in place (DIR/checkpoint and DIR/checkpoints/<seq>).\n  --db: cosigns the latest stored checkpoint (or the stored one equal to CHECKPOINT) after\n    verifying the store.\nA checkpoint of another log (another origin line) is refused (exit 2).", stderr)
	logKeyPath := f.fs.String("log-key", "", "the log's public key (LOG.pub)")
	export := f.fs.String("export", "", "cosign the latest checkpoint of this export, in place")
	outPath := f.fs.String("out", "", "write the cosigned checkpoint here instead of stdout")
	rest, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	db, exp, file := f.set("db") || f.set("settlement"), *export != "", len(rest) == 1
	if *f.key == "" || *logKeyPath == "" || len(rest) > 1 || !(db && !exp || exp && !db && !file || file && !db && !exp) {
		f.fs.Usage()
		return usageErrorf("log cosign: give --key PARTY.key, --log-key LOG.pub and one of CHECKPOINT, --export DIR or --db")
	}
	signer, err := ledger.ReadSigner(*f.key)
	if err != nil {
		return inputErr(err)
	}
	logKey, err := ledger.ReadVerifier(*logKeyPath)
	if err != nil {
		return inputErr(err)
	}
	var msg []byte
	if len(rest) == 1 {
		if msg, err = os.ReadFile(rest[0]); err != nil {
			return &inputError{err: err}
		}
	}
	var cosigned []byte
	switch {
	case db:
		l, closeDB, err := f.open(ctx, false)
		if err != nil {
			return err
		}
		defer closeDB()
		rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: logKey})
		if err != nil {
			return err
		}
		if !rep.OK {
			return &findingsError{msg: fmt.Sprintf("entente: log cosign: the log does not verify, nothing cosigned: %s", rep.First())}
		}
		sc, err := l.Cosign(ctx, msg, logKey, signer)
		if err != nil {
			return inputErr(err)
		}
		cosigned = sc.Note
	case exp:
		rep, err := ledger.VerifyExport(os.DirFS(*export), ledger.VerifyOptions{LogKey: logKey})
		if err != nil {
			return inputErr(err)
		}
		if !rep.OK {
			return &findingsError{msg: fmt.Sprintf("entente: log cosign: the export does not verify, nothing cosigned: %s", rep.First())}
		}
		top := filepath.Join(*export, ledger.ExportCheckpoint)
		if msg, err = os.ReadFile(top); err != nil {
			return &inputError{err: err}
		}
		if cosigned, err = ledger.Cosign(msg, logKey, signer); err != nil {
			return inputErr(err)
		}
		latest := rep.Checkpoints[len(rep.Checkpoints)-1]
		for _, p := range []string{top, filepath.Join(*export, ledger.ExportHistory, strconv.FormatInt(latest.Seq, 10))} {
			if err := writeFileAtomic(p, cosigned, 0o644); err != nil {
				return err
			}
		}
	default:
		if cosigned, err = ledger.Cosign(msg, logKey, signer); err != nil {
			return inputErr(err)
		}
	}
	sc, err := ledger.OpenCheckpoint(cosigned, logKey, signer.Verifier())
	if err != nil {
		return err
	}
	if *outPath != "" {
		if err := writeFileAtomic(*outPath, cosigned, 0o644); err != nil {
			return err
		}
	}
	switch {
	case *f.asJSON:
		return render.JSON(stdout, checkpointJSON{Origin: sc.Origin, Size: sc.Size, Root: b64(sc.Hash), Note: string(cosigned), Signer: sc.Signers})
	case *outPath != "":
		fmt.Fprintf(stdout, "wrote %s: %s size %d, signed by %s\n", *outPath, sc.Origin, sc.Size, strings.Join(sc.Signers, ", "))
	default:
		_, err = stdout.Write(cosigned)
	}
	return err
}

func runLogFsck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("fsck", "", "Re-derives every stored hash and every checkpoint's root from the stored leaves, without\nkeys, and reports the first inconsistency (with its leaf index or checkpoint). Exit 1 if\nthere is one. Use verify to check signatures too.", stderr)
	rest, err := parse(f.fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("log fsck: no arguments")
	}
	l, closeDB, err := f.open(ctx, false)
	if err != nil {
		return err
	}
	defer closeDB()
	rep, err := l.Fsck(ctx)
	if err != nil {
		return err
	}
	first := rep.First()
	if *f.asJSON {
		if err := render.JSON(stdout, map[string]any{"ok": rep.OK, "size": rep.Size, "root": b64(rep.Root), "leaves": rep.Leaves, "first": first}); err != nil {
			return err
		}
	} else if first == nil {
		fmt.Fprintf(stdout, "fsck: ok: %s, %s, root %s\n", nLeaves(rep.Leaves), plural(len(rep.Checkpoints), "checkpoint"), b64(rep.Root))
	} else {
		fmt.Fprintf(stdout, "fsck: first inconsistency [%s]: %s\n", first.Code, first)
	}
	if first != nil {
		return &findingsError{}
	}
	return nil
}
