package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/ledger"
)

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
		return render.JSON(stdout, res.Result())
	}
	fmt.Fprintf(stdout, "exported %s size %d (%s, %s, %s) to %s\n", res.Checkpoint.Origin, res.Checkpoint.Size,
		plural(res.Checkpoints, "checkpoint"), plural(res.Tiles, "tile"), plural(res.Bundles, "entry bundle"), res.Dir)
	return nil
}

// verified is the JSON result of entente log verify (DESIGN.md): the
// ledger's report and what was verified.
type verified struct {
	*ledger.Report
	Source string `json:"source"`
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
	out := verified{rep, source}
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
		fmt.Fprintf(stdout, "%s: %s, size %d, root %s, %d leaves re-hashed\n", source, verdict, rep.Size, b64(rep.Root), rep.Leaves)
	}
	if !rep.OK {
		first := rep.First()
		return &findingsError{msg: fmt.Sprintf("entente: log verify: %s", first)}
	}
	return nil
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
		if err := render.JSON(stdout, rep.Fsck()); err != nil {
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
