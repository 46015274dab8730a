package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/entente-org/entente/internal/render"
	"github.com/entente-org/entente/ledger"
)

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
		return render.JSON(stdout, struct {
			Key         string `json:"key"`
			Name        string `json:"name"`
			Pub         string `json:"pub"`
			VerifierKey string `json:"verifier_key"`
		}{keyPath, *name, pubPath, v.VerifierKey()})
	}
	fmt.Fprintf(stdout, "wrote %s (private: keep it; mode 0600)\nwrote %s (public: give it to every party)\n%s\n", keyPath, pubPath, v.VerifierKey())
	return nil
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
		j := c.Result()
		j.Signers = nil
		return render.JSON(stdout, j)
	}
	_, err = stdout.Write(c.Note)
	return err
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
		return render.JSON(stdout, sc.Result())
	case *outPath != "":
		fmt.Fprintf(stdout, "wrote %s: %s size %d, signed by %s\n", *outPath, sc.Origin, sc.Size, strings.Join(sc.Signers, ", "))
	default:
		_, err = stdout.Write(cosigned)
	}
	return err
}
