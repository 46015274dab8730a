package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/ledger"
)

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
	out, err := l.AppendInfo(ctx, leaves...)
	if err != nil {
		return inputErr(err)
	}
	for i := range out.Leaves {
		out.Leaves[i].File = files[i]
	}
	if *f.asJSON {
		return render.JSON(stdout, out)
	}
	for _, j := range out.Leaves {
		fmt.Fprintf(stdout, "%d\t%s\t%s\tsha256:%s\t%s\n", j.Index, j.Kind, j.Time, j.ContentSHA256, j.File)
	}
	fmt.Fprintf(stdout, "appended %d; the log has %s (sign a checkpoint: entente log checkpoint --key LOG.key)\n", out.Count, nLeaves(out.Size))
	return nil
}

func runLogShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newLogFlags("show", "[N]", "Without N: the log's size, root, checkpoints and latest leaves (--limit). With N: leaf N in\nfull, with its content.", stderr)
	limit := addLimit(f.fs, "of the latest leaves")
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
		j := entries[0].Info(true)
		if *f.asJSON {
			return render.JSON(stdout, j)
		}
		fmt.Fprintf(stdout, "leaf %d\nkind: %s\ntime: %s\ncontent sha256: %s\nleaf hash: %s\nbytes: %d\n", j.Index, j.Kind, j.Time, j.ContentSHA256, b64(j.LeafHash), j.Bytes)
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
	out, err := l.Status(ctx, limit.get(*f.asJSON))
	if err != nil {
		return err
	}
	if *f.asJSON {
		return render.JSON(stdout, out)
	}
	fmt.Fprintf(stdout, "size %d, root %s\n", out.Size, b64(out.Root))
	if len(out.Checkpoints) == 0 {
		fmt.Fprintln(stdout, "no checkpoint yet")
	} else {
		last := out.Checkpoints[len(out.Checkpoints)-1]
		fmt.Fprintf(stdout, "%s; latest: %s size %d root %s\n", plural(len(out.Checkpoints), "checkpoint"), last.Origin, last.Size, b64(last.Root))
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
	n := *size
	if n == 0 {
		if n, err = l.ProofSize(ctx); err != nil {
			return err
		}
	}
	if *old >= 0 {
		p, err := l.ProveConsistency(ctx, *old, n)
		if err != nil {
			return inputErr(err)
		}
		if *f.asJSON {
			return render.JSON(stdout, p)
		}
		fmt.Fprintf(stdout, "consistency of size %d (root %s) with size %d (root %s)\n", p.Old, b64(p.OldRoot), p.New, b64(p.NewRoot))
		printProof(stdout, p.Proof, p.Checkpoint)
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
	if *f.asJSON {
		return render.JSON(stdout, p)
	}
	fmt.Fprintf(stdout, "leaf %d (hash %s) in the tree of size %d (root %s)\n", p.Index, b64(p.LeafHash), p.Size, b64(p.Root))
	printProof(stdout, p.Proof, p.Checkpoint)
	return nil
}

// printProof prints a proof's hashes, one per line, and the signed
// checkpoint it is given against, if one is stored.
func printProof(w io.Writer, proof []tlog.Hash, note string) {
	for _, h := range proof {
		fmt.Fprintln(w, b64(h))
	}
	if note != "" {
		fmt.Fprintf(w, "\n%s", note)
	}
}
