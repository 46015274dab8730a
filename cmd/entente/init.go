package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// starterSettlement is the commented template that entente init writes.
//
//go:embed starter/settlement.yaml
var starterSettlement []byte

// runInit writes a commented starter settlement, DIR/settlement.yaml.
func runInit(_ context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlags("init", "[DIR]", "Writes DIR/settlement.yaml (DIR defaults to the current directory, and is created\nif needed): a small, complete, commented template settlement that passes 'entente check'.\nAn existing file is not overwritten unless --force is given.", stderr)
	force := flags.Bool("force", false, "overwrite an existing settlement.yaml")
	rest, err := parse(flags, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		flags.Usage()
		return usageErrorf("init: name one directory, not %d", len(rest))
	}
	dir := "."
	if len(rest) == 1 {
		dir = rest[0]
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageErrorf("init: %s is a file, not a directory", dir)
	}
	path := filepath.Join(dir, "settlement.yaml")
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		return usageErrorf("init: %s is a directory", path)
	case err == nil && !*force:
		return usageErrorf("init: %s already exists; use --force to overwrite it", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return &inputError{err: err}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &inputError{err: err}
	}
	if err := writeFileAtomic(path, starterSettlement, 0o644); err != nil {
		return &inputError{err: err}
	}
	fmt.Fprintf(stdout, "wrote %s: a template settlement (parties A, B and guarantor G); replace its terms with real ones\n", path)
	fmt.Fprintf(stdout, "next: entente check %s\n", path)
	return nil
}

// writeFileAtomic writes data to a temporary file in path's directory and
// renames it over path, so that an interrupted write leaves no partial file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".settlement-*.yaml")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(name, perm); err != nil {
		return err
	}
	return os.Rename(name, path)
}
