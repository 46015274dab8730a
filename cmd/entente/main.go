// Command entente turns peace settlements and security guarantees into
// precise, checkable rules. Run "entente help" for its verbs.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// verb is one subcommand.
type verb struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func verbs() []verb {
	return []verb{
		{"check", "check a settlement file: errors and vagueness, with positions", runCheck},
		{"guarantee", "test each guarantee: veto players, power indices, credibility and thresholds", runGuarantee},
		{"deals", "analyse the deal space: feasible packages, conflicts, relaxations, bargaining solutions", runDeals},
		{"monitor", "ingest conflict events and report violations, triggers and unattributed events", runMonitor},
		{"log", "the tamper-evident record: append, checkpoint, prove, export, verify, cosign", runLog},
		{"serve", "serve the JSON API and the web UI to the mediator, the parties, monitors and observers", runServe},
		{"token", "make, list and revoke the bearer tokens entente serve accepts", runToken},
		{"init", "write a commented starter settlement that passes check", runInit},
		{"import", "convert a negotiation domain into a settlement: genius (ANAC domains and profiles)", runImport},
		{"schema", "print the JSON Schema of the settlement file", runSchema},
		{"version", "print the version", runVersion},
	}
}

// Version is the program's version, set at build time with -ldflags.
var Version = "0.1.0-dev"

// Run runs entente with args (without the program name) and returns an
// error whose exit status exitCode gives.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		usage(stdout)
		if len(args) == 0 {
			return usageErrorf("no command given")
		}
		return nil
	}
	for _, v := range verbs() {
		if v.name == args[0] {
			return v.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return usageErrorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "entente: peace settlements and security guarantees as checkable rules")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: entente COMMAND [flags] [arguments]")
	fmt.Fprintln(w)
	for _, v := range verbs() {
		fmt.Fprintf(w, "  %-9s %s\n", v.name, v.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'entente COMMAND --help' for a command's flags. Exit status: 0 ok, 1 findings, 2 bad usage or input.")
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usageErrorf("version takes no arguments")
	}
	fmt.Fprintln(stdout, "entente", Version)
	return nil
}
