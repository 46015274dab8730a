package main

import (
	"context"
	"io"

	"github.com/entente-org/entente/settlement"
)

// runSchema prints the JSON Schema of the settlement file.
func runSchema(_ context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlags("schema", "", "Prints the JSON Schema (draft 2020-12) of the settlement file, for editors:\n  entente schema > settlement.schema.json\nthen, with the YAML language server, start the settlement with the line\n  # yaml-language-server: $schema=settlement.schema.json", stderr)
	rest, err := parse(flags, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		flags.Usage()
		return usageErrorf("schema takes no arguments")
	}
	_, err = stdout.Write(settlement.Schema())
	return err
}
